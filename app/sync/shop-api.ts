// The shop's own API, for one thing: adding an order history, so that OpenCart itself writes the
// history row, changes the status, sends its notification e-mail and fires its events. Each
// release has its own calls (shop/order-history.ts tells which):
// - 3.0: POST api/login (username, key) → api_token; POST api/order/history&api_token&order_id.
// - 4.0: POST api/account/login → api_token; POST api/sale/order.addHistory&api_token.
// - 4.1: POST api/order&call=history_add, each call signed: HMAC-SHA1 with the key over the
//   route, call, username, host, path, store, language, currency, md5 of the posted form (as
//   PHP's http_build_query writes OpenCart's cleaned POST) and the time.
// The key is read from the shop's `api` table for each call and never logged or returned.
import { createHash, createHmac } from 'node:crypto';
import { describeDbError, type Database } from '../db/database.js';
import { defaultLanguage } from '../shop/catalog.js';
import { apiKeyOf, shopApiFlavor, type ApiFlavor } from '../shop/order-history.js';
import { readConfigValue } from '../shop/setting-rows.js';
import type { Settings } from '../settings/schema.js';
import { encodeLikeOpenCart } from '../util/html.js';
import { orderProblem } from '../erp/order-problems.js';

export interface HistoryCall {
  orderId: number;
  orderStatusId: number;
  notify: boolean;
  override: boolean;
  comment: string;
}

/** ok; or not applied: `retry` (the shop may take it later) or not (the shop refused this order). */
export type ApiResult = { ok: true } | { ok: false; retry: boolean; error: string };

/** Why the API cannot be used at all (not set up): the change waits in the queue. */
export function apiNotReady(settings: Settings): string | null {
  if (!settings.shop_url) return orderProblem('api_no_shop_url');
  if (!settings.shop_api_user) return orderProblem('api_no_user_set');
  return null;
}

/** PHP's urlencode (as http_build_query uses it): RFC 1738, space as +. */
function phpUrlencode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** What OpenCart's Request makes of a posted value: trimmed and htmlspecialchars'd (ENT_COMPAT). */
const cleanedLikeOpenCart = (v: string) => encodeLikeOpenCart(v.trim());

export class ShopApi {
  private token: { value: string; at: number } | null = null;

  constructor(
    private readonly db: Database,
    private readonly settings: Settings,
    private readonly timeoutMs = 20_000,
  ) {}

  private base(): URL {
    const u = new URL(this.settings.shop_url);
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    return u;
  }

  private async post(route: string, query: Record<string, string>, form: Array<[string, string]>): Promise<{ status: number; json: Record<string, unknown> | null; text: string }> {
    const url = new URL('index.php', this.base());
    url.search = new URLSearchParams({ route, ...query }).toString();
    const body = new URLSearchParams(form);
    const res = await fetch(url, { method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs), headers: { Accept: 'application/json' } });
    const text = await res.text();
    // PHP may print a notice before the JSON: the answer is the last JSON object in the body.
    const start = text.indexOf('{');
    let json: Record<string, unknown> | null = null;
    if (start >= 0) {
      try {
        json = JSON.parse(text.slice(start)) as Record<string, unknown>;
      } catch {
        json = null;
      }
    }
    return { status: res.status, json, text };
  }

  private static errorText(e: unknown): string {
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') return Object.values(e as Record<string, unknown>).map(String).join('; ');
    return String(e);
  }

  async addHistory(call: HistoryCall): Promise<ApiResult> {
    const notReady = apiNotReady(this.settings);
    if (notReady) return { ok: false, retry: true, error: notReady };
    let flavor: ApiFlavor | null;
    try {
      flavor = await shopApiFlavor(this.db);
    } catch (err) {
      return { ok: false, retry: true, error: orderProblem('api_tables_unreadable', { detail: describeDbError(err).slice(0, 200) }) };
    }
    if (!flavor) return { ok: false, retry: true, error: orderProblem('api_no_tables') };
    const key = await apiKeyOf(this.db, this.settings.shop_api_user);
    if (!key) return { ok: false, retry: true, error: orderProblem('api_no_user', { user: this.settings.shop_api_user }) };
    const form: Array<[string, string]> = [
      ['order_id', String(call.orderId)],
      ['order_status_id', String(call.orderStatusId)],
      ['notify', call.notify ? '1' : '0'],
      ['override', call.override ? '1' : '0'],
      ['comment', call.comment],
    ];
    try {
      const answer = flavor === 'signed4' ? await this.signedCall(key, form) : await this.sessionCall(flavor, key, form, call.orderId);
      if (answer.json && 'success' in answer.json && !answer.json.error) return { ok: true };
      if (answer.json?.error) {
        const error = ShopApi.errorText(answer.json.error);
        // The shop answered but has no such order: nothing will change that.
        const notFound = answer.status === 200 && /order/i.test(error) && /not|nem/i.test(error) && !/permission|ip|key|token/i.test(error);
        return { ok: false, retry: !notFound, error: orderProblem('api_answered', { error: error.slice(0, 300) }) };
      }
      return { ok: false, retry: true, error: orderProblem('api_no_result', { status: answer.status, text: answer.text.replace(/\s+/g, ' ').slice(0, 120) }) };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const origin = this.base().origin;
      if (e.name === 'TimeoutError') return { ok: false, retry: true, error: orderProblem('api_timeout', { origin, seconds: this.timeoutMs / 1000 }) };
      return { ok: false, retry: true, error: orderProblem('api_unreachable', { origin, why: e.cause?.code ?? e.message }) };
    }
  }

  /** 3.0 and 4.0: log in once (the token is an API session of the shop, good for an hour), then call. */
  private async sessionCall(flavor: 'session3' | 'session4', key: string, form: Array<[string, string]>, orderId: number) {
    const loginRoute = flavor === 'session3' ? 'api/login' : 'api/account/login';
    if (!this.token || Date.now() - this.token.at > 30 * 60_000) {
      const login = await this.post(loginRoute, {}, [['username', this.settings.shop_api_user], ['key', key]]);
      const token = login.json?.api_token;
      if (typeof token !== 'string' || !token) {
        const error = login.json?.error ? ShopApi.errorText(login.json.error) : `HTTP ${login.status}`;
        return { status: login.status, json: { error: `login refused: ${error}` }, text: '' };
      }
      this.token = { value: token, at: Date.now() };
    }
    if (flavor === 'session3') return this.post('api/order/history', { api_token: this.token.value, order_id: String(orderId) }, form.filter(([k]) => k !== 'order_id'));
    return this.post('api/sale/order.addHistory', { api_token: this.token.value }, form);
  }

  /** 4.1: every call carries its signature; there is no session. */
  private async signedCall(key: string, form: Array<[string, string]>) {
    const base = this.base();
    const language = (await readConfigValue(this.db, 'config_language_catalog')) ?? (await readConfigValue(this.db, 'config_language')) ?? (await defaultLanguage(this.db)).code;
    const currency = (await readConfigValue(this.db, 'config_currency')) ?? '';
    const time = String(Math.floor(Date.now() / 1000));
    const route = 'api/order';
    const callName = 'history_add';
    const posted = form.map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(cleanedLikeOpenCart(v))}`).join('&');
    const text = [route, callName, this.settings.shop_api_user, base.host, base.pathname, '0', language, currency, createHash('md5').update(posted).digest('hex'), time].join('\n') + '\n';
    const signature = createHmac('sha1', key).update(text).digest('base64');
    return this.post(route, { call: callName, username: this.settings.shop_api_user, store_id: '0', language, currency, time, signature }, form);
  }
}
