// A tiny cookie-keeping HTTP client over Node's fetch: one jar per session, redirects followed
// by hand so every Set-Cookie along the way lands in the jar. Every body read is handed to the
// shop so its phpProblems() sees what was served.
import type { OpenCartShop } from './install.js';

export interface Reply {
  status: number;
  /** Final URL after redirects. */
  url: string;
  headers: Headers;
  body: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const pathAttr = attrs.map((a) => a.trim()).find((a) => /^path=/i.test(a));
      const p = pathAttr ? pathAttr.slice(5) : '/';
      const expired = attrs.some((a) => /^max-age=0$/i.test(a.trim()) || /^expires=.*1970/i.test(a.trim())) || value === 'deleted';
      // OpenCart 4 sets OCSESSID with the admin folder's path: keep one per name+path.
      if (expired) this.cookies.delete(`${name}@${p}`);
      else this.cookies.set(`${name}@${p}`, { value, path: p });
    }
  }

  header(url: string): string {
    const pathname = new URL(url).pathname;
    const byName = new Map<string, { value: string; len: number }>();
    for (const [key, c] of this.cookies) {
      if (!pathname.startsWith(c.path)) continue;
      const name = key.slice(0, key.lastIndexOf('@'));
      const prev = byName.get(name);
      if (!prev || c.path.length > prev.len) byName.set(name, { value: c.value, len: c.path.length });
    }
    return [...byName].map(([n, c]) => `${n}=${c.value}`).join('; ');
  }

  get(name: string): string | undefined {
    for (const [key, c] of this.cookies) if (key.startsWith(name + '@')) return c.value;
    return undefined;
  }
}

export type Form = Record<string, string | number | Array<string | number>> | URLSearchParams;

export function formBody(form: Form): URLSearchParams {
  if (form instanceof URLSearchParams) return form;
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    if (Array.isArray(v)) for (const item of v) body.append(k, String(item));
    else body.append(k, String(v));
  }
  return body;
}

export class ShopClient {
  readonly jar = new CookieJar();
  constructor(readonly shop: OpenCartShop) {}

  /** GET or POST (form) a path relative to the shop's URL (or an absolute URL on it). */
  async request(pathOrUrl: string, form?: Form, opts: { follow?: boolean; headers?: Record<string, string> } = {}): Promise<Reply> {
    let url = new URL(pathOrUrl, this.shop.url).toString();
    let method = form ? 'POST' : 'GET';
    let body: URLSearchParams | undefined = form ? formBody(form) : undefined;
    for (let hops = 0; ; hops++) {
      const res = await fetch(url, {
        method,
        body,
        redirect: 'manual',
        headers: { cookie: this.jar.header(url), ...(opts.headers ?? {}) },
      });
      this.jar.store(res);
      const location = res.headers.get('location');
      if (location && res.status >= 300 && res.status < 400 && (opts.follow ?? true) && hops < 10) {
        await res.arrayBuffer();
        url = new URL(location.replace(/&amp;/g, '&'), url).toString();
        method = 'GET';
        body = undefined;
        continue;
      }
      const text = await res.text();
      this.shop.noteBody(`${method} ${url}`, text);
      return { status: res.status, url, headers: res.headers, body: text };
    }
  }

  async json<T = any>(pathOrUrl: string, form?: Form): Promise<T> {
    const reply = await this.request(pathOrUrl, form);
    try {
      return JSON.parse(reply.body) as T;
    } catch {
      throw new Error(`expected JSON from ${reply.url} (HTTP ${reply.status}), got: ${reply.body.slice(0, 500)}`);
    }
  }
}
