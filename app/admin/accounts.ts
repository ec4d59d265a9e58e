// The standalone admin account: scrypt-hashed password in <prefix>erp_bridge_admin_user.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Database } from '../db/database.js';
import { now } from '../util/time.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export const MIN_PASSWORD = 10;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem });
  return timingSafeEqual(got, expected);
}

export class AdminAccounts {
  constructor(private readonly db: Database) {}

  private get table() {
    return this.db.own('admin_user');
  }

  async exists(): Promise<boolean> {
    return !!(await this.db.knex(this.table).first('id'));
  }

  /** Sets (or creates) the password of a user. */
  async setPassword(username: string, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD) throw new Error(`the password must be at least ${MIN_PASSWORD} characters long`);
    const password_hash = await hashPassword(password);
    const n = await this.db.knex(this.table).where({ username }).update({ password_hash, updated_at: now() });
    if (Number(n) === 0) await this.db.knex(this.table).insert({ username, password_hash, updated_at: now() });
  }

  /** Creates the first account only when there is none (setup page, ADMIN_PASSWORD). */
  async createFirst(username: string, password: string): Promise<boolean> {
    if (await this.exists()) return false;
    await this.setPassword(username, password);
    return true;
  }

  async verify(username: string, password: string): Promise<boolean> {
    const row = await this.db.knex(this.table).where({ username }).first('password_hash');
    // Hash anyway when the user is unknown, so timing does not tell user names apart.
    const ok = await verifyPassword(password, row?.password_hash ?? 'scrypt$16384$8$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    return !!row && ok;
  }
}
