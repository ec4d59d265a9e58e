// What the order status feature reads from the shop, and the one thing it may write there
// itself: the shop's order statuses in its admin language, the orders' current statuses, its
// "complete" statuses, its API users (the `api`, `api_ip` tables: the key is read here at call
// time and never stored or shown by erp-bridge), which API its release offers (read from which
// API tables exist, never from a version number), and the history row written straight into
// the database for the owner's opt-in fallback (no e-mail, no events).
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { encodeLikeOpenCart } from '../util/html.js';
import { now } from '../util/time.js';
import { listLanguages, defaultLanguage, type OrderStatus } from './catalog.js';
import { readConfigValue } from './setting-rows.js';

/** The admin's language (3.0 config_admin_language, 4.x config_language_admin), else the storefront's. */
export async function adminLanguageId(db: Database): Promise<number> {
  const code = (await readConfigValue(db, 'config_admin_language')) ?? (await readConfigValue(db, 'config_language_admin'));
  const found = code ? (await listLanguages(db)).find((l) => l.code === code) : undefined;
  return (found ?? (await defaultLanguage(db))).languageId;
}

/** The shop's order statuses, named in its admin language (the names the owner sees in OpenCart). */
export async function listAdminOrderStatuses(db: Database): Promise<OrderStatus[]> {
  const languageId = await adminLanguageId(db);
  const rows = await db.knex(db.t('order_status')).where({ language_id: languageId }).orderBy('order_status_id').select('order_status_id', 'name');
  return rows.map((r) => ({ orderStatusId: Number(r.order_status_id), name: String(r.name) }));
}

/** The current status of each given order that exists and is not an abandoned checkout (status 0). */
export async function currentOrderStatuses(db: Database, orderIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const chunk of chunkRows([...new Set(orderIds)], 1, 1000)) {
    if (chunk.length === 0) continue;
    const rows = await db.knex(db.t('order')).whereIn('order_id', chunk).where('order_status_id', '>', 0).select('order_id', 'order_status_id');
    for (const r of rows) out.set(Number(r.order_id), Number(r.order_status_id));
  }
  return out;
}

/**
 * How the shop's own API takes an order history: 'session3' (3.0: api/login, api/order/history),
 * 'session4' (4.0: api/account/login, api/sale/order.addHistory) or 'signed4' (4.1: api/order
 * with call=history_add, every call signed with the key). Told apart by the API tables: 4.1 has
 * `api_history` and no `api_session`; 4.0 has `api_session` and the `startup` table 3.0 lacks.
 */
export type ApiFlavor = 'session3' | 'session4' | 'signed4';

export async function shopApiFlavor(db: Database): Promise<ApiFlavor | null> {
  const tables = new Set((await db.dialect.describeColumns(db.knex, ['api', 'api_session', 'api_history', 'startup'].map((t) => db.t(t)))).map((c) => c.table.slice(db.prefix.length)));
  if (!tables.has('api')) return null;
  if (tables.has('api_history') && !tables.has('api_session')) return 'signed4';
  return tables.has('startup') ? 'session4' : 'session3';
}

export interface ApiUser {
  apiId: number;
  username: string;
  status: boolean;
  ips: string[];
}

/** The shop's API users (System → Users → API), without their keys. */
export async function listApiUsers(db: Database): Promise<ApiUser[]> {
  let rows: Array<{ api_id: number; username: string; status: number }>;
  try {
    rows = await db.knex(db.t('api')).orderBy('api_id').select('api_id', 'username', 'status');
  } catch {
    return []; // a shop without the API tables (the demo shop)
  }
  const ips = await db.knex(db.t('api_ip')).select('api_id', 'ip');
  return rows.map((r) => ({ apiId: Number(r.api_id), username: String(r.username), status: Number(r.status) === 1, ips: ips.filter((i) => Number(i.api_id) === Number(r.api_id)).map((i) => String(i.ip)) }));
}

/** The key of an enabled API user, read when a call is made. */
export async function apiKeyOf(db: Database, username: string): Promise<string | null> {
  try {
    const row = await db.knex(db.t('api')).where({ username, status: 1 }).first('key');
    return row ? String(row.key) : null;
  } catch {
    return null;
  }
}

/** erp-bridge's own API user in the shop, and the addresses it calls from (the same machine). */
export const OWN_API_USER = 'erp-bridge';
export const LOCAL_ADDRESSES = ['127.0.0.1', '::1'];

/**
 * erp-bridge's own API user, as System → Users → API creates one: a random 64-character key,
 * enabled, with the given addresses allowed. Existing: the addresses are added, the key kept.
 */
export async function ensureApiUser(db: Database, username: string, ips: string[]): Promise<{ created: boolean; apiId: number }> {
  const at = now();
  let row = await db.knex(db.t('api')).where({ username }).first('api_id');
  let created = false;
  if (!row) {
    await db.knex(db.t('api')).insert({ username, key: randomBytes(32).toString('hex'), status: 1, date_added: at, date_modified: at });
    row = await db.knex(db.t('api')).where({ username }).first('api_id');
    created = true;
  } else await db.knex(db.t('api')).where({ api_id: row.api_id }).update({ status: 1, date_modified: at });
  const apiId = Number(row!.api_id);
  const have = new Set((await db.knex(db.t('api_ip')).where({ api_id: apiId }).select('ip')).map((r) => String(r.ip)));
  const add = [...new Set(ips)].filter((ip) => !have.has(ip));
  if (add.length) await db.knex(db.t('api_ip')).insert(add.map((ip) => ({ api_id: apiId, ip })));
  return { created, apiId };
}

/**
 * The fallback the owner switches on knowingly: the history row and the order's status written
 * as OpenCart's addOrderHistory would, but without its e-mail, stock changes or events. The
 * comment is stored HTML-encoded, as OpenCart stores posted text.
 */
export async function addHistoryDirectly(db: Database, h: { orderId: number; orderStatusId: number; comment: string }): Promise<void> {
  const at = now();
  await db.knex(db.t('order_history')).insert({ order_id: h.orderId, order_status_id: h.orderStatusId, notify: 0, comment: encodeLikeOpenCart(h.comment), date_added: at });
  await db.knex(db.t('order')).where({ order_id: h.orderId }).update({ order_status_id: h.orderStatusId, date_modified: at });
}
