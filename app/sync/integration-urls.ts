// The URLs the shop owner hands to the ERP, as the admin and the CLI show them.
import type { Settings } from '../settings/schema.js';
import { ORDER_STATUS_KIND, PUSH_KINDS, type IntegrationKind } from './push-kinds.js';

export interface IntegrationUrl {
  kind: IntegrationKind | 'orders';
  url: string;
  /** Category sync is only accepted in full sync. */
  active: boolean;
}

export function integrationUrls(publicUrl: string, settings: Settings): IntegrationUrl[] {
  const key = settings.import_password ? `?key=${encodeURIComponent(settings.import_password)}` : '';
  const urls: IntegrationUrl[] = PUSH_KINDS.map((kind) => ({
    kind,
    url: `${publicUrl}/integration/${kind}${key}`,
    active: kind !== 'categories' || settings.sync_type === 'full',
  }));
  urls.push({ kind: ORDER_STATUS_KIND, url: `${publicUrl}/integration/${ORDER_STATUS_KIND}${key}`, active: true });
  urls.push({ kind: 'orders', url: `${publicUrl}/integration/orders${key}`, active: settings.export_transport.includes('feed') });
  return urls;
}
