// The shop's own API, faked as a real HTTP server on 127.0.0.1 that checks what OpenCart checks:
// 3.0 (api/login, then api/order/history with the session token), 4.0 (api/account/login, then
// api/sale/order.addHistory) and 4.1 (api/order, call=history_add, every call signed: the
// signature is checked here as catalog/controller/startup/api.php of 4.1.0.3 does). Each history
// call is recorded with its form; the test decides the answer.
import { createHmac, createHash } from 'node:crypto';
import type { Database } from '../../app/db/database.js';
import { ensureApiUser } from '../../app/shop/order-history.js';
import { startFakeServer, type Reply, type SeenRequest } from './fake-http.js';

export interface HistoryPost {
  flavor: 'session3' | 'session4' | 'signed4';
  query: Record<string, string>;
  form: Record<string, string>;
}

/** The demo shop (SQLite) has no API tables: 3.0's, as its install SQL makes them. The MariaDB fixture has them. */
export async function ensureApiTables(db: Database): Promise<void> {
  if (db.dialect.name !== 'sqlite') return;
  const k = db.knex;
  await k.raw(`CREATE TABLE IF NOT EXISTS ${db.t('api')} (api_id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(64) NOT NULL, \`key\` TEXT NOT NULL, status INTEGER NOT NULL, date_added DATETIME NOT NULL, date_modified DATETIME NOT NULL)`);
  await k.raw(`CREATE TABLE IF NOT EXISTS ${db.t('api_ip')} (api_ip_id INTEGER PRIMARY KEY AUTOINCREMENT, api_id INTEGER NOT NULL, ip VARCHAR(40) NOT NULL)`);
  await k.raw(`CREATE TABLE IF NOT EXISTS ${db.t('api_session')} (api_session_id INTEGER PRIMARY KEY AUTOINCREMENT, api_id INTEGER NOT NULL, session_id VARCHAR(32) NOT NULL, ip VARCHAR(40) NOT NULL, date_added DATETIME NOT NULL, date_modified DATETIME NOT NULL)`);
}

/** PHP's urlencode, byte by byte: letters, digits and -_. stay, a space is +, the rest %XX. */
export function phpUrlencodeBytes(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9_.-]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** OpenCart's Request::clean: trim, then htmlspecialchars with ENT_COMPAT. */
const clean = (v: string) => v.trim().replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export type HistoryAnswer = (post: HistoryPost, n: number) => Reply | Promise<Reply>;

export async function startFakeShopApi(o: { username: string; key: string; history?: HistoryAnswer }) {
  const posts: HistoryPost[] = [];
  const logins: Array<Record<string, string>> = [];
  let history: HistoryAnswer = o.history ?? (() => ({ status: 200, body: JSON.stringify({ success: 'Success: You have modified orders!' }) }));
  let tokenSeq = 0;
  const tokens = new Set<string>();
  const json = (body: unknown, status = 200): Reply => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const handle = async (req: SeenRequest): Promise<Reply> => {
    const u = new URL(req.url, 'http://x');
    const query = Object.fromEntries(u.searchParams);
    const form = Object.fromEntries(new URLSearchParams(req.body));
    const route = query.route ?? '';
    if (req.method !== 'POST' || !u.pathname.endsWith('/index.php')) return { status: 404, body: 'not found' };
    if (route === 'api/login' || route === 'api/account/login') {
      logins.push(form);
      if (form.username !== o.username || form.key !== o.key) return json({ error: { key: 'Warning: Incorrect API Key!' } });
      const token = `tok${++tokenSeq}`;
      tokens.add(token);
      return json({ success: 'Success: API session successfully started!', api_token: token });
    }
    if (route === 'api/order/history' || route === 'api/sale/order.addHistory') {
      if (!tokens.has(query.api_token ?? '')) return json({ error: { warning: 'Warning: You do not have permission to access the API!' } });
      const post = { flavor: route === 'api/order/history' ? 'session3' : 'session4', query, form } as HistoryPost;
      posts.push(post);
      return history(post, posts.length);
    }
    if (route === 'api/order') {
      const required = ['call', 'username', 'store_id', 'language', 'currency', 'time', 'signature'];
      if (required.some((k) => query[k] === undefined) || query.username !== o.username) return json({ error: 'Warning: You do not have permission to access the API!' }, 403);
      const dir = u.pathname.replace(/\/index\.php$/, '') + '/';
      const posted = [...new URLSearchParams(req.body)].map(([k, v]) => `${phpUrlencodeBytes(k)}=${phpUrlencodeBytes(clean(v))}`).join('&');
      const text = [route, query.call, o.username, String(req.headers.host), dir, String(Number.parseInt(query.store_id!, 10) || 0), query.language, query.currency, createHash('md5').update(posted).digest('hex'), query.time].join('\n') + '\n';
      const expected = createHmac('sha1', o.key).update(text).digest('base64');
      if (decodeURIComponent(query.signature!) !== expected) return json({ error: 'Warning: You do not have permission to access the API!' }, 403);
      if (query.call !== 'history_add') return json({ error: 'unknown call' });
      const post = { flavor: 'signed4', query, form } as HistoryPost;
      posts.push(post);
      return history(post, posts.length);
    }
    return { status: 404, body: 'no such route' };
  };
  const server = await startFakeServer((req) => handle(req));
  return {
    ...server,
    /** The shop's address as the setting takes it. */
    shopUrl: `${server.origin}/shop/`,
    posts,
    logins,
    answerHistory(h: HistoryAnswer) {
      history = h;
    },
  };
}

export type FakeShopApi = Awaited<ReturnType<typeof startFakeShopApi>>;

/** The shop's API user `username` with `key` (its tables and row made when missing), and a fake shop API that knows it. */
export async function fakeShopWithApiUser(db: Database, username: string, key: string, history?: HistoryAnswer): Promise<FakeShopApi> {
  await ensureApiTables(db);
  await ensureApiUser(db, username, ['127.0.0.1']);
  await db.knex(db.t('api')).where({ username }).update({ key });
  return startFakeShopApi({ username, key, history });
}
