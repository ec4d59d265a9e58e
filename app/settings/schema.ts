// The settings the shop owner (admin), the command line and the services share: one list of
// keys, each with its parser, so every entry point validates the same way.
import { PRODUCT_CODE_FIELDS } from '../shop/products.js';

export const SYNC_TYPES = ['stock_price', 'full'] as const;
export const PRICE_BASES = ['net', 'gross'] as const;
export const PRODUCT_STATUSES = ['enabled', 'disabled'] as const;
export const EXPORT_INTERVALS = ['manual', '1', '5', '15', '60', 'daily'] as const;
export const ORDER_DESCRIPTIONS = ['generated', 'empty', 'shop_name', 'webshop_order'] as const;
export const ORDER_LINE_MODES = ['full', 'code_quantity', 'code_quantity_price'] as const;
export const CUSTOMER_RECOGNITION = ['code', 'email', 'code_or_email', 'email_postcode', 'code_or_email_postcode', 'smart'] as const;
export const PROCESSING_MODES = ['add', 'add_update', 'manual'] as const;
export const TRANSPORTS = ['feed', 'http', 'file'] as const;
export const ARTICLE_OPTIONS = PROCESSING_MODES;

// The order document's line codes and currency (issue 11): one ERP item code per OpenCart total
// (shipping_fee_code, payment_fee_code = handling and coupon_code are above), a default code for
// totals nobody mapped, and the currency the document's amounts are in.
export const ORDER_CURRENCIES = ['shop', 'order'] as const;
export interface OrderLineSettings {
  low_order_fee_code: string;
  reward_code: string;
  voucher_code: string;
  credit_code: string;
  other_total_code: string;
  order_currency: (typeof ORDER_CURRENCIES)[number]; // 'shop': the shop's default currency; 'order': the order's own
}
// Sync health and alerts (issue 13): how long a URL may go without a successful push before the
// dashboard warns (0 = never), and where alert e-mails go (empty = no alerts: opt-in).
export interface HealthSettings {
  stale_after_hours: number;
  alert_email: string; // comma-separated addresses
}
const HEALTH_DEFAULTS: HealthSettings = { stale_after_hours: 24, alert_email: '' };

const ORDER_LINE_DEFAULTS: OrderLineSettings = { low_order_fee_code: '', reward_code: '', voucher_code: '', credit_code: '', other_total_code: '', order_currency: 'shop' };

// Order status from the ERP (issue 15): each ERP state → one of the shop's order statuses ('' =
// the shop's status of the matching name, see sync/order-status-map.ts), whether the customer is
// notified by default, the history comment's template, a tracking page per carrier, and how the
// shop's own API is reached (its key is read from the shop's `api` table, never stored here).
export const YES_NO = ['yes', 'no'] as const;
export interface OrderStatusSettings {
  status_map_szamlazva: string;
  status_map_szallitas_alatt: string;
  status_map_teljesitve: string;
  status_map_sztornozva: string;
  status_map_visszakuldve: string;
  status_notify: (typeof YES_NO)[number];
  status_comment: string;
  tracking_links: Record<string, string>; // carrier name → URL with {fuvarlevelszam}
  shop_url: string; // '' = the shop's config_url
  shop_api_user: string; // a username of the shop's `api` table
  status_direct_fallback: (typeof YES_NO)[number];
}
export const ORDER_STATUS_DEFAULTS: OrderStatusSettings = {
  status_map_szamlazva: '', status_map_szallitas_alatt: '', status_map_teljesitve: '', status_map_sztornozva: '', status_map_visszakuldve: '',
  status_notify: 'yes',
  status_comment: 'Számlaszám: {szamlaszam}|Szállító: {szallito}|Csomagszám: {fuvarlevelszam}|Nyomkövetés: {tracking_link}',
  tracking_links: {
    GLS: 'https://gls-group.com/HU/hu/csomagkovetes?match={fuvarlevelszam}',
    DPD: 'https://tracking.dpd.de/status/hu_HU/parcel/{fuvarlevelszam}',
    MPL: 'https://www.posta.hu/nyomkovetes/nyitooldal?searchvalue={fuvarlevelszam}',
    'Magyar Posta': 'https://www.posta.hu/nyomkovetes/nyitooldal?searchvalue={fuvarlevelszam}',
    Foxpost: 'https://foxpost.hu/csomagkovetes/?code={fuvarlevelszam}',
  },
  shop_url: '',
  shop_api_user: '',
  status_direct_fallback: 'no',
};

export interface Settings extends OrderLineSettings, OrderStatusSettings, HealthSettings {
  webshop_id: string;
  password: string; // secret
  sync_type: (typeof SYNC_TYPES)[number];
  import_password: string; // secret
  shipping_fee_code: string;
  payment_fee_code: string;
  coupon_code: string;
  product_code_field: (typeof PRODUCT_CODE_FIELDS)[number];
  price_basis: (typeof PRICE_BASES)[number];
  promo_customer_groups: number[]; // empty = every group
  new_product_status: (typeof PRODUCT_STATUSES)[number];
  vat_map: Record<string, number>; // VAT rate (as text, e.g. "27") → tax_class_id
  max_body_mb: number;
  export_statuses: number[]; // empty = the shop's processing and complete statuses
  export_interval: (typeof EXPORT_INTERVALS)[number];
  export_daily_at: string; // HH:MM
  export_start_date: string; // YYYY-MM-DD or ''
  order_description: (typeof ORDER_DESCRIPTIONS)[number];
  order_lines: (typeof ORDER_LINE_MODES)[number];
  customer_recognition: (typeof CUSTOMER_RECOGNITION)[number];
  customer_processing: (typeof PROCESSING_MODES)[number];
  article_processing: (typeof PROCESSING_MODES)[number];
  revenue_group: string;
  tax_number_field: string; // custom_field_id holding the customer's tax number, '' = none
  export_transport: Array<(typeof TRANSPORTS)[number]>;
  export_url: string;
  export_dir: string;
}

export type SettingKey = keyof Settings;
export const SECRET_KEYS: ReadonlySet<SettingKey> = new Set<SettingKey>(['password', 'import_password']);

export const DEFAULTS: Settings = {
  webshop_id: '',
  password: '',
  sync_type: 'stock_price',
  import_password: '',
  shipping_fee_code: '',
  payment_fee_code: '',
  coupon_code: '',
  product_code_field: 'model',
  price_basis: 'net',
  promo_customer_groups: [],
  new_product_status: 'enabled',
  vat_map: {},
  max_body_mb: 64,
  export_statuses: [],
  export_interval: '5',
  export_daily_at: '02:00',
  export_start_date: '',
  order_description: 'webshop_order',
  order_lines: 'full',
  customer_recognition: 'smart',
  customer_processing: 'add',
  article_processing: 'manual',
  revenue_group: '',
  tax_number_field: '',
  export_transport: ['feed'],
  export_url: '',
  export_dir: '',
  ...ORDER_LINE_DEFAULTS,
  ...ORDER_STATUS_DEFAULTS,
  ...HEALTH_DEFAULTS,
};

/** Why a value was refused: a code and its values (translated by the admin), and English text. */
export interface Refusal {
  code: string;
  vars: Record<string, string | number>;
  message: string;
}

class ParseFailure extends Error {
  constructor(
    readonly code: string,
    readonly vars: Record<string, string | number>,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (code: string, vars: Record<string, string | number>, message: string) => new ParseFailure(code, vars, message);

export class SettingError extends Error {
  readonly refusal: Refusal;

  constructor(
    readonly key: string,
    refusal: Refusal,
  ) {
    super(`${key}: ${refusal.message}`);
    this.name = 'SettingError';
    this.refusal = refusal;
  }
}

type Parser<K extends SettingKey> = (raw: string) => Settings[K];

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    const v = raw.trim();
    if (!(values as readonly string[]).includes(v)) throw refuse('one_of', { values: values.join(', ') }, `must be one of ${values.join(', ')}`);
    return v as T;
  };
}

function text(max: number) {
  return (raw: string): string => {
    const v = raw.trim();
    if (v.length > max) throw refuse('too_long', { max }, `must be at most ${max} characters`);
    if (/[\u0000-\u001f]/.test(v)) throw refuse('control', {}, 'must not contain control characters');
    return v;
  };
}

function idList(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const ids = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw refuse('not_id', { value: p }, `"${p}" is not an id (comma-separated whole numbers)`);
    return Number(p);
  });
  return [...new Set(ids)];
}

const ORDER_LINE_PARSERS: { [K in keyof OrderLineSettings]: Parser<K> } = {
  low_order_fee_code: text(64),
  reward_code: text(64),
  voucher_code: text(64),
  credit_code: text(64),
  other_total_code: text(64),
  order_currency: oneOf(ORDER_CURRENCIES),
};

function httpUrl(raw: string): string {
  const v = raw.trim();
  if (v === '') return v;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw refuse('url', {}, 'must be an http(s) URL or empty');
  }
  return v;
}

const statusId = (raw: string): string => {
  const v = raw.trim();
  if (v !== '' && !/^[1-9]\d{0,9}$/.test(v)) throw refuse('status_id', {}, 'must be an order status id or empty (the status of the matching name)');
  return v;
};

const ORDER_STATUS_PARSERS: { [K in keyof OrderStatusSettings]: Parser<K> } = {
  status_map_szamlazva: statusId,
  status_map_szallitas_alatt: statusId,
  status_map_teljesitve: statusId,
  status_map_sztornozva: statusId,
  status_map_visszakuldve: statusId,
  status_notify: oneOf(YES_NO),
  status_comment: text(1000),
  tracking_links(raw) {
    const map: Record<string, string> = {};
    for (const part of raw.split(';').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([^=]{1,64})=(.+)$/.exec(part);
      if (!m || !/^https?:\/\/\S+$/.test(m[2]!.trim())) throw refuse('tracking_pair', { value: part }, `"${part}" is not CARRIER=URL (e.g. GLS=https://…?match={fuvarlevelszam}; entries separated by ;)`);
      map[m[1]!.trim()] = m[2]!.trim();
    }
    return map;
  },
  shop_url: httpUrl,
  shop_api_user: text(64),
  status_direct_fallback: oneOf(YES_NO),
};

const HEALTH_PARSERS: { [K in keyof HealthSettings]: Parser<K> } = {
  stale_after_hours(raw) {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > 8760) throw refuse('hours', {}, 'must be a whole number of hours from 0 (no warning) to 8760');
    return n;
  },
  alert_email(raw) {
    const parts = raw.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
    // One address each, no spaces or header-breaking characters (they go into an SMTP envelope).
    for (const p of parts) if (p.length > 254 || !/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(p)) throw refuse('email', { value: p }, `"${p}" is not an e-mail address`);
    if (parts.length > 5) throw refuse('emails_max', { max: 5 }, 'at most 5 addresses');
    return [...new Set(parts)].join(', ');
  },
};

export const PARSERS: { [K in SettingKey]: Parser<K> } = {
  ...ORDER_LINE_PARSERS,
  ...ORDER_STATUS_PARSERS,
  ...HEALTH_PARSERS,
  webshop_id: text(64),
  password: (raw) => text(128)(raw),
  sync_type: oneOf(SYNC_TYPES),
  import_password: (raw) => text(128)(raw),
  shipping_fee_code: text(64),
  payment_fee_code: text(64),
  coupon_code: text(64),
  product_code_field: oneOf(PRODUCT_CODE_FIELDS),
  price_basis: oneOf(PRICE_BASES),
  promo_customer_groups: idList,
  new_product_status: oneOf(PRODUCT_STATUSES),
  vat_map(raw) {
    const map: Record<string, number> = {};
    for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\d{1,2}(?:[.,]\d{1,2})?)\s*=\s*(\d+)$/.exec(part);
      if (!m) throw refuse('vat_pair', { value: part }, `"${part}" is not RATE=TAX_CLASS_ID (e.g. 27=9,5=10)`);
      map[normalizeRate(m[1]!)] = Number(m[2]);
    }
    return map;
  },
  max_body_mb(raw) {
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw refuse('body_mb', {}, 'must be a whole number of megabytes from 1 to 1024');
    return n;
  },
  export_statuses: idList,
  export_interval: oneOf(EXPORT_INTERVALS),
  export_daily_at(raw) {
    const v = raw.trim();
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw refuse('time', {}, 'must be a time HH:MM');
    return v;
  },
  export_start_date(raw) {
    // Stored as YYYY-MM-DD; typed also the Hungarian way: 2026.01.01., 2026. 01. 01., 2026/01/01.
    const v = raw.trim();
    if (v === '') return v;
    const date = parseDay(v);
    if (!date) throw refuse('date', {}, 'must be a date YYYY-MM-DD (or 2026. 01. 01.) or empty');
    return date;
  },
  order_description: oneOf(ORDER_DESCRIPTIONS),
  order_lines: oneOf(ORDER_LINE_MODES),
  customer_recognition: oneOf(CUSTOMER_RECOGNITION),
  customer_processing: oneOf(PROCESSING_MODES),
  article_processing: oneOf(PROCESSING_MODES),
  revenue_group: text(64),
  tax_number_field(raw) {
    const v = raw.trim();
    if (v !== '' && !/^\d+$/.test(v)) throw refuse('field_id', {}, 'must be a custom field id or empty');
    return v;
  },
  export_transport(raw) {
    const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of parts) oneOf(TRANSPORTS)(p);
    return [...new Set(parts)] as Settings['export_transport'];
  },
  export_url: (raw) => httpUrl(raw),
  export_dir: text(500),
};

/** "2026-01-01", "2026.01.01.", "2026. 01. 01.", "2026/1/1" → "2026-01-01"; null if not a real day. */
export function parseDay(raw: string): string | null {
  const m = /^(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\s*\.?$/.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** "27", "27.0", "27,00" → "27"; "5.5" → "5.5". */
export function normalizeRate(raw: string): string {
  return String(Number(raw.replace(',', '.')));
}

export const SETTING_KEYS = Object.keys(DEFAULTS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as string[]).includes(key);
}

/** Parses one textual value (as typed in a form or on the command line). */
export function parseSetting<K extends SettingKey>(key: K, raw: string): Settings[K] {
  try {
    return PARSERS[key](raw);
  } catch (err) {
    const f = err instanceof ParseFailure ? err : refuse('invalid', {}, (err as Error).message);
    throw new SettingError(key, { code: f.code, vars: f.vars, message: f.message });
  }
}

/** The textual form of a value, as `parseSetting` reads it back. */
export function formatSetting(key: SettingKey, value: Settings[SettingKey]): string {
  if (key === 'vat_map') return Object.entries(value as Record<string, number>).map(([r, c]) => `${r}=${c}`).join(',');
  if (key === 'tracking_links') return Object.entries(value as Record<string, string>).map(([c, u]) => `${c}=${u}`).join('; ');
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
