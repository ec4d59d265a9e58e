// Opening erp-bridge from the shop's admin: the PHP module (opencart/) signs a short-lived,
// single-use launch with a secret both sides hold, and erp-bridge turns it into its own session.
// Nothing depends on sharing a cookie, a host, a port or a time zone: time is Unix seconds.
//
// The signed message (UTF-8, lines joined by "\n"):
//   erp-bridge-launch-v1, user id, user name, level (access|modify), time, nonce, admin language
// signature = hex HMAC-SHA256(message, launch secret).
import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { SETTING_CODE } from '../shop/extension.js';
import { readSettingMap, writeSettingRows, type SettingRow } from '../shop/setting-rows.js';
import { decodeLikeOpenCart } from '../util/html.js';
import { safeEqual } from '../util/secrets.js';

/** Read by the PHP module from the shop's `setting` table; never shown in a page. */
export const LAUNCH_SECRET_KEY = 'erp_bridge_launch_secret';
/** Where the PHP module sends the browser (PUBLIC_URL). */
export const PUBLIC_URL_KEY = 'erp_bridge_public_url';
/** How long a signed launch is valid, either side of the server's clock. */
export const LAUNCH_TTL_S = 120;
const VERSION = 'erp-bridge-launch-v1';

export interface LaunchParams {
  uid: string;
  user: string;
  level: string;
  ts: string;
  nonce: string;
  lang: string;
  sig: string;
}

export interface LaunchedUser {
  userId: number;
  username: string;
  canModify: boolean;
  language: string | null;
}

export class LaunchError extends Error {
  constructor(readonly reason: 'malformed' | 'signature' | 'expired' | 'replayed' | 'no_secret' | 'no_user') {
    super(reason);
    this.name = 'LaunchError';
  }
}

export function launchMessage(p: Omit<LaunchParams, 'sig'>): string {
  return [VERSION, p.uid, p.user, p.level, p.ts, p.nonce, p.lang].join('\n');
}

export function signLaunch(p: Omit<LaunchParams, 'sig'>, secret: string): string {
  return createHmac('sha256', secret).update(launchMessage(p), 'utf8').digest('hex');
}

/**
 * Writes the launch secret (once) and the public URL (whenever it changed) for the PHP module and
 * the `urls` command; null keeps the stored URL (a command run without PUBLIC_URL must not replace
 * the address the running server published with a default one).
 */
export async function publishLaunchSettings(db: Database, publicUrl: string | null): Promise<void> {
  const rows = await readSettingMap(db, SETTING_CODE);
  const out: SettingRow[] = [];
  if (!rows.get(LAUNCH_SECRET_KEY)?.value) out.push({ key: LAUNCH_SECRET_KEY, value: randomBytes(32).toString('hex'), serialized: 0 });
  if (publicUrl !== null && rows.get(PUBLIC_URL_KEY)?.value !== publicUrl) out.push({ key: PUBLIC_URL_KEY, value: publicUrl, serialized: 0 });
  await writeSettingRows(db, SETTING_CODE, out);
}

/** The address the running server published (its real port, or PUBLIC_URL), if any. */
export async function readPublishedUrl(db: Database): Promise<string | null> {
  const rows = await readSettingMap(db, SETTING_CODE);
  return rows.get(PUBLIC_URL_KEY)?.value || null;
}

export async function readLaunchSecret(db: Database): Promise<string | null> {
  const rows = await readSettingMap(db, SETTING_CODE);
  return rows.get(LAUNCH_SECRET_KEY)?.value || null;
}

function parse(q: Record<string, unknown>): LaunchParams {
  const get = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
  const p = { uid: get('uid'), user: get('user'), level: get('level'), ts: get('ts'), nonce: get('nonce'), lang: get('lang'), sig: get('sig') };
  if (!/^[1-9][0-9]{0,9}$/.test(p.uid) || !p.user || p.user.length > 128 || !/^(access|modify)$/.test(p.level) || !/^[0-9]{1,12}$/.test(p.ts)
    || !/^[A-Za-z0-9]{16,64}$/.test(p.nonce) || !/^[A-Za-z-]{0,16}$/.test(p.lang) || !/^[0-9a-f]{64}$/.test(p.sig))
    throw new LaunchError('malformed');
  return p;
}

/**
 * Checks a launch (signature in constant time, age, single use, the shop user still active)
 * and returns who it names. Throws LaunchError with the reason otherwise.
 */
export async function acceptLaunch(db: Database, query: Record<string, unknown>, nowMs = Date.now()): Promise<LaunchedUser> {
  const p = parse(query);
  const secret = await readLaunchSecret(db);
  if (!secret) throw new LaunchError('no_secret');
  if (!safeEqual(p.sig, signLaunch(p, secret))) throw new LaunchError('signature');
  const now = Math.floor(nowMs / 1000);
  if (Math.abs(now - Number(p.ts)) > LAUNCH_TTL_S) throw new LaunchError('expired');
  const table = db.own('launch_nonce');
  await db.knex(table).where('expires_at', '<', now).delete();
  try {
    await db.knex(table).insert({ nonce: p.nonce, expires_at: Number(p.ts) + LAUNCH_TTL_S + 60 });
  } catch (err) {
    // The primary key refuses a nonce already used (also by a parallel request).
    if (/DUP|CONSTRAINT/i.test(String((err as { code?: string }).code))) throw new LaunchError('replayed');
    throw err;
  }
  const user = await db.knex(db.t('user')).where({ user_id: Number(p.uid), status: 1 }).first('user_id', 'username');
  if (!user) throw new LaunchError('no_user');
  return { userId: Number(p.uid), username: decodeLikeOpenCart(String(user.username)), canModify: p.level === 'modify', language: p.lang || null };
}
