// The four integration URLs and the fields each applies. A record may carry fields of another
// URL (one document posted to all three product URLs): each URL applies its own fields and
// reports the others as ignored.
export const PUSH_KINDS = ['prices', 'stock', 'promo-prices', 'categories'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

export const isPushKind = (s: string): s is PushKind => (PUSH_KINDS as readonly string[]).includes(s);

// The fifth URL (issue 15): the ERP's word on orders (status, invoice and tracking number). Its
// records name orders, not products, so it has its own service (sync/order-status.ts).
export const ORDER_STATUS_KIND = 'order-status' as const;
export type IntegrationKind = PushKind | typeof ORDER_STATUS_KIND;
export const isIntegrationKind = (s: string): s is IntegrationKind => isPushKind(s) || s === ORDER_STATUS_KIND;

export const PRODUCT_KEY = 'termekkod';
export const PRICE_FIELDS = ['ar'];
export const FULL_SYNC_FIELDS = ['nev', 'mee', 'afakulcs', 'kep', 'kat', 'tmegjegyzes'];
export const STOCK_FIELDS = ['szabadraktar'];
export const PROMO_FIELDS = ['arakcios', 'akcio_kezdete', 'akcio_vege'];
export const CATEGORY_FIELDS = ['kod', 'szulo', 'nev', 'sorrend', 'aktiv'];

export const ALL_PRODUCT_FIELDS = new Set([PRODUCT_KEY, ...PRICE_FIELDS, ...FULL_SYNC_FIELDS, ...STOCK_FIELDS, ...PROMO_FIELDS]);

export function ownFields(kind: PushKind, full: boolean): string[] {
  switch (kind) {
    case 'prices':
      return full ? [...PRICE_FIELDS, ...FULL_SYNC_FIELDS] : PRICE_FIELDS;
    case 'stock':
      return STOCK_FIELDS;
    case 'promo-prices':
      return PROMO_FIELDS;
    case 'categories':
      return CATEGORY_FIELDS;
  }
}
