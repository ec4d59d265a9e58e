// The handover sheet for the ERP (issue 13): what the shop owner types into the ERP's webshop
// settings, field by field, and what is wrong with the address before anyone tries it.
import type { Settings } from '../settings/schema.js';
import { integrationUrls, type IntegrationUrl } from '../sync/integration-urls.js';

export type AddressWarning = 'localhost' | 'plain_http';

/** What stops the ERP from using the address: a name only this machine knows, or no encryption. */
export function addressWarnings(publicUrl: string): AddressWarning[] {
  const u = new URL(publicUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const out: AddressWarning[] = [];
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0') out.push('localhost');
  if (u.protocol === 'http:') out.push('plain_http');
  return out;
}

export interface HandoverSheet {
  publicUrl: string;
  warnings: AddressWarning[];
  webshopId: string;
  passwordSet: boolean;
  importPasswordSet: boolean;
  /** How the ERP proves itself: the import password in the address, or webshop id + password (HTTP Basic). */
  auth: 'key' | 'basic' | 'none';
  syncType: Settings['sync_type'];
  urls: IntegrationUrl[];
}

/** `withKey` false: the URLs without the import password (a read-only user's view). */
export function handoverSheet(publicUrl: string, settings: Settings, withKey: boolean): HandoverSheet {
  const shown = withKey ? settings : { ...settings, import_password: '' };
  return {
    publicUrl,
    warnings: addressWarnings(publicUrl),
    webshopId: settings.webshop_id,
    passwordSet: settings.password !== '',
    importPasswordSet: settings.import_password !== '',
    auth: settings.import_password ? 'key' : settings.webshop_id && settings.password ? 'basic' : 'none',
    syncType: settings.sync_type,
    urls: integrationUrls(publicUrl, shown),
  };
}
