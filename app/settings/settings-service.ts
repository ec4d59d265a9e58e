// Typed, validated settings kept in the shop's `setting` table (code erp_bridge, which no
// OpenCart page deletes: see shop/extension.ts).
// Secrets are encrypted with APP_SECRET and never returned by the public view.
import type { Database } from '../db/database.js';
import { listCustomerGroups, listOrderStatuses, listTaxClasses } from '../shop/catalog.js';
import { SETTING_CODE } from '../shop/extension.js';
import { readSettingMap, writeSettingRows, type SettingRow } from '../shop/setting-rows.js';
import { decryptSecret, encryptSecret } from '../util/secrets.js';
import {
  DEFAULTS, SECRET_KEYS, SETTING_KEYS, SettingError, formatSetting, isSettingKey, parseSetting,
  type Refusal, type SettingKey, type Settings,
} from './schema.js';

const keyName = (key: string) => `${SETTING_CODE}_${key}`;

export class SettingsValidationError extends Error {
  readonly errors: Record<string, string>;

  constructor(readonly refusals: Record<string, Refusal>) {
    super(Object.entries(refusals).map(([k, r]) => `${k}: ${r.message}`).join('; '));
    this.name = 'SettingsValidationError';
    this.errors = Object.fromEntries(Object.entries(refusals).map(([k, r]) => [k, r.message]));
  }
}

export type PublicSettings = { [K in SettingKey]: K extends 'password' | 'import_password' ? { set: boolean } : string };

export class SettingsService {
  constructor(
    private readonly db: Database,
    private readonly appSecret: string,
  ) {}

  async get(): Promise<Settings> {
    const rows = await readSettingMap(this.db, SETTING_CODE);
    const settings: Settings = structuredClone(DEFAULTS);
    for (const key of SETTING_KEYS) {
      const row = rows.get(keyName(key));
      if (!row) continue;
      (settings as unknown as Record<string, unknown>)[key] = this.decode(key, row);
    }
    return settings;
  }

  private decode(key: SettingKey, row: SettingRow): Settings[SettingKey] {
    if (SECRET_KEYS.has(key)) return row.value === '' ? '' : decryptSecret(row.value, this.appSecret);
    if (Number(row.serialized) === 1) {
      try {
        return JSON.parse(row.value) as Settings[SettingKey];
      } catch {
        return DEFAULTS[key];
      }
    }
    try {
      return parseSetting(key, row.value);
    } catch {
      return DEFAULTS[key]; // a hand-edited bad value reads as the default, never crashes a push
    }
  }

  private encode(key: SettingKey, value: Settings[SettingKey]): SettingRow {
    if (SECRET_KEYS.has(key)) {
      const plain = value as string;
      return { key: keyName(key), value: plain === '' ? '' : encryptSecret(plain, this.appSecret), serialized: 0 };
    }
    if (typeof value === 'object') return { key: keyName(key), value: JSON.stringify(value), serialized: 1 };
    return { key: keyName(key), value: String(value), serialized: 0 };
  }

  /** Validates every given value (syntax, then against the shop), and stores all or nothing. */
  async update(raw: Record<string, string>): Promise<Settings> {
    const errors: Record<string, Refusal> = {};
    const parsed: Partial<Settings> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!isSettingKey(key)) {
        errors[key] = { code: 'unknown_key', vars: { known: SETTING_KEYS.join(', ') }, message: `unknown setting (known: ${SETTING_KEYS.join(', ')})` };
        continue;
      }
      try {
        (parsed as Record<string, unknown>)[key] = parseSetting(key, value);
      } catch (err) {
        if (!(err instanceof SettingError)) throw err;
        errors[key] = err.refusal;
      }
    }
    Object.assign(errors, await this.checkAgainstShop(parsed));
    if (Object.keys(errors).length > 0) throw new SettingsValidationError(errors);
    const rows = (Object.keys(parsed) as SettingKey[]).map((k) => this.encode(k, parsed[k]!));
    await writeSettingRows(this.db, SETTING_CODE, rows);
    return this.get();
  }

  private async checkAgainstShop(s: Partial<Settings>): Promise<Record<string, Refusal>> {
    const errors: Record<string, Refusal> = {};
    if (s.promo_customer_groups?.length) {
      const known = new Set((await listCustomerGroups(this.db)).map((g) => g.customerGroupId));
      const bad = s.promo_customer_groups.filter((id) => !known.has(id));
      if (bad.length) errors.promo_customer_groups = { code: 'no_group', vars: { ids: bad.join(', '), known: [...known].join(', ') }, message: `no customer group with id ${bad.join(', ')} (the shop has ${[...known].join(', ')})` };
    }
    if (s.vat_map && Object.keys(s.vat_map).length) {
      const known = new Set((await listTaxClasses(this.db)).map((c) => c.taxClassId));
      const bad = Object.values(s.vat_map).filter((id) => !known.has(id));
      if (bad.length) errors.vat_map = { code: 'no_tax_class', vars: { ids: bad.join(', '), known: [...known].join(', ') }, message: `no tax class with id ${bad.join(', ')} (the shop has ${[...known].join(', ')})` };
    }
    if (s.export_statuses?.length) {
      const known = new Set((await listOrderStatuses(this.db)).map((st) => st.orderStatusId));
      const bad = s.export_statuses.filter((id) => !known.has(id) || id === 0);
      if (bad.length) errors.export_statuses = { code: 'no_status', vars: { ids: bad.join(', ') }, message: `no order status with id ${bad.join(', ')}` };
    }
    // Order status from the ERP (issue 15): a chosen status must be one of the shop's.
    const chosen = (Object.keys(s) as SettingKey[]).filter((k) => k.startsWith('status_map_') && s[k]);
    if (chosen.length) {
      const known = new Set((await listOrderStatuses(this.db)).map((st) => st.orderStatusId));
      for (const k of chosen) if (!known.has(Number(s[k]))) errors[k] = { code: 'no_status', vars: { ids: String(s[k]) }, message: `no order status with id ${String(s[k])}` };
    }
    return errors;
  }

  /** Writes defaults for keys not yet stored. Idempotent. */
  async install(): Promise<string[]> {
    const rows = await readSettingMap(this.db, SETTING_CODE);
    const missing: SettingRow[] = [];
    for (const key of SETTING_KEYS) if (!rows.has(keyName(key))) missing.push(this.encode(key, DEFAULTS[key]));
    await writeSettingRows(this.db, SETTING_CODE, missing);
    return missing.map((r) => r.key);
  }

  /** Every setting as text, secrets only as set / not set. */
  async publicView(): Promise<PublicSettings> {
    const s = await this.get();
    const out: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) out[key] = SECRET_KEYS.has(key) ? { set: (s[key] as string) !== '' } : formatSetting(key, s[key]);
    return out as PublicSettings;
  }

  /** What is still missing before the ERP can call in (shown on the dashboard). */
  static missing(s: Settings): string[] {
    const out: string[] = [];
    if (!s.webshop_id) out.push('webshop_id');
    if (!s.password && !s.import_password) out.push('password');
    return out;
  }
}
