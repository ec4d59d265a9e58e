// Who may call the integration URLs: the import password (as ?key= or X-Import-Password), or
// the webshop id and password as HTTP Basic. Compared in constant time.
import type { Settings } from '../settings/schema.js';
import { safeEqual } from '../util/secrets.js';

export interface PresentedCredentials {
  key?: string;
  basic?: { user: string; password: string };
}

export type CredentialCheck = 'ok' | 'not_configured' | 'missing' | 'denied';

export function checkErpCredentials(settings: Settings, presented: PresentedCredentials): CredentialCheck {
  const importConfigured = settings.import_password !== '';
  const basicConfigured = settings.webshop_id !== '' && settings.password !== '';
  if (!importConfigured && !basicConfigured) return 'not_configured';
  if (presented.key === undefined && !presented.basic) return 'missing';
  let ok = false;
  // Both checks always run, so timing does not tell which credential was tried.
  const keyOk = importConfigured && presented.key !== undefined && safeEqual(presented.key, settings.import_password);
  const basicOk =
    basicConfigured && !!presented.basic &&
    safeEqual(presented.basic.user, settings.webshop_id) && safeEqual(presented.basic.password, settings.password);
  ok = keyOk || basicOk;
  return ok ? 'ok' : 'denied';
}

export function parseBasicAuth(header: string | undefined): PresentedCredentials['basic'] {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
