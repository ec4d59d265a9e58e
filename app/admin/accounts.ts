// The standalone admin account: scrypt-hashed password in <prefix>erp_bridge_admin_user.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Database } from '../db/database.js';
import { now } from '../util/time.js';
import { AdminSessions } from './admin-sessions.js';

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
  if (alg !== 'scrypt' || !salt || !hash || !(Number(n) > 1) || !(Number(r) > 0) || !(Number(p) > 0)) return false;
  const expected = Buffer.from(hash, 'base64');
  try {
    const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem });
    return timingSafeEqual(got, expected);
  } catch (err) {
    // A stored hash whose parameters scrypt refuses (N not a power of two, too much memory; N, r
    // or p not a whole number or past 32 bits, which Node refuses with ERR_OUT_OF_RANGE) is a
    // wrong password, not an error page: only someone writing the table can make one.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('ERR_CRYPTO') || code === 'ERR_OUT_OF_RANGE') return false;
    throw err;
  }
}

let dummy: Promise<string> | undefined;
/** A well-formed hash of a random password, made once: verifying against it costs one full scrypt. */
export function unknownUserHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64'));
  return dummy;
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
    // A new password ends every session of the user (a stolen cookie included).
    await new AdminSessions(this.db).endAll(username);
  }

  /**
   * Creates the first account only when there is none (setup page, ADMIN_PASSWORD). One
   * INSERT IGNORE on the unique user name decides between parallel calls: exactly one wins,
   * the others change nothing (never "the last password wins").
   */
  async createFirst(username: string, password: string): Promise<boolean> {
    if (password.length < MIN_PASSWORD) throw new Error(`the password must be at least ${MIN_PASSWORD} characters long`);
    if (await this.exists()) return false;
    const password_hash = await hashPassword(password);
    // Parallel first setups on an empty InnoDB table can deadlock on the unique name's gap locks
    // (seen in CI): the loser is told to run again, and its INSERT IGNORE then finds the winner's row.
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.db.knex.raw(`${this.db.dialect.insertIgnore()} INTO ${this.table} (username, password_hash, updated_at) VALUES (?, ?, ?)`, [username, password_hash, now()]);
        return this.db.dialect.affectedRows(result) === 1;
      } catch (err) {
        if (attempt >= 5 || !this.db.dialect.isDeadlock(err)) throw err;
      }
    }
  }

  async verify(username: string, password: string): Promise<boolean> {
    const row = await this.db.knex(this.table).where({ username }).first('password_hash');
    // Hash anyway when the user is unknown, with the same parameters as a real hash, so timing
    // does not tell user names apart.
    const ok = await verifyPassword(password, row?.password_hash ?? (await unknownUserHash()));
    return !!row && ok;
  }
}
