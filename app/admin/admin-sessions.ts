// Admin sessions, kept on the server: the browser holds a random id, the table its SHA-256 (a
// copy of the table logs no one in). Logout deletes the row, a password change deletes every row
// of that user, so an old cookie stops working at once.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { now } from '../util/time.js';

export const SESSION_TTL_MS = 8 * 3600_000;

export interface SessionInfo {
  via: 'standalone' | 'opencart';
  canModify: boolean;
  language: string | null;
  shopUserId: number | null;
}

export interface StoredSession extends SessionInfo {
  username: string;
  csrf: string;
  expiresAt: number;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

export class AdminSessions {
  constructor(private readonly db: Database) {}

  private get table() {
    return this.db.own('admin_session');
  }

  /** A new session; returns the id for the cookie (never stored as such). */
  async create(username: string, info: SessionInfo, ttlMs = SESSION_TTL_MS): Promise<{ id: string } & StoredSession> {
    const id = randomBytes(32).toString('base64url');
    const s: StoredSession = { username, csrf: randomBytes(18).toString('base64url'), expiresAt: Date.now() + ttlMs, ...info };
    // Expired rows of anyone go when someone logs in: the table stays small without a job.
    await this.db.knex(this.table).where('expires_at', '<', Date.now()).delete();
    await this.db.knex(this.table).insert({
      id_hash: hashId(id), username: s.username.slice(0, 64), csrf: s.csrf, expires_at: s.expiresAt, created_at: now(),
      via: s.via, can_modify: s.canModify ? 1 : 0, language: s.language?.slice(0, 16) ?? null, shop_user_id: s.shopUserId,
    });
    return { id, ...s };
  }

  async find(id: string): Promise<StoredSession | null> {
    const row = await this.db.knex(this.table).where({ id_hash: hashId(id) }).andWhere('expires_at', '>', Date.now()).first();
    if (!row) return null;
    return {
      username: String(row.username), csrf: String(row.csrf), expiresAt: Number(row.expires_at),
      via: row.via === 'opencart' ? 'opencart' : 'standalone', canModify: Number(row.can_modify) === 1,
      language: row.language ? String(row.language) : null, shopUserId: row.shop_user_id ? Number(row.shop_user_id) : null,
    };
  }

  async end(id: string): Promise<void> {
    await this.db.knex(this.table).where({ id_hash: hashId(id) }).delete();
  }

  /** Every standalone session of a user (password change). */
  async endAll(username: string): Promise<number> {
    return Number(await this.db.knex(this.table).where({ username, via: 'standalone' }).delete());
  }
}
