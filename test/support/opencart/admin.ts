// Logs into a real OpenCart admin the way its login page does and keeps the session's
// user_token and cookies for further admin requests.
import type { OpenCartShop } from './install.js';
import { ShopClient, type Form, type Reply } from './http.js';

export interface AdminSession {
  userToken: string;
  client: ShopClient;
  /** GET admin/index.php?route=…&user_token=… (+ query). */
  get(route: string, query?: Record<string, string | number>): Promise<Reply>;
  /** POST a form to admin/index.php?route=…&user_token=… (+ query). */
  post(route: string, form: Form, query?: Record<string, string | number>): Promise<Reply>;
}

export async function adminLogin(shop: OpenCartShop, credentials = shop.admin): Promise<AdminSession> {
  const client = new ShopClient(shop);
  let userToken: string | undefined;
  if (shop.major === 3) {
    // 3.0: the form posts to common/login and redirects to the dashboard with user_token.
    const reply = await client.request('admin/index.php?route=common/login', {
      username: credentials.username,
      password: credentials.password,
    });
    userToken = /[?&]user_token=([A-Za-z0-9]+)/.exec(reply.url)?.[1];
    if (!userToken) throw new Error(`OpenCart ${shop.release} admin login failed (HTTP ${reply.status} at ${reply.url})`);
  } else {
    // 4.x: the login page's form action carries a login_token bound to the session; it answers JSON.
    const page = await client.request('admin/index.php?route=common/login');
    const action = /<form id="form-login" action="([^"]+)"/.exec(page.body)?.[1];
    if (!action) throw new Error(`OpenCart ${shop.release} admin login form not found`);
    const answer = await client.json<{ redirect?: string; error?: Record<string, string> | string }>(action.replace(/&amp;/g, '&'), {
      username: credentials.username,
      password: credentials.password,
      redirect: '',
    });
    userToken = answer.redirect ? /[?&](?:amp;)?user_token=([A-Za-z0-9]+)/.exec(answer.redirect)?.[1] : undefined;
    if (!userToken) throw new Error(`OpenCart ${shop.release} admin login failed: ${JSON.stringify(answer.error ?? answer)}`);
  }
  const token = userToken;
  const target = (route: string, query: Record<string, string | number> = {}) => {
    const q = new URLSearchParams({ route, user_token: token });
    for (const [k, v] of Object.entries(query)) q.set(k, String(v));
    return `admin/index.php?${q.toString()}`;
  };
  return {
    userToken: token,
    client,
    get: (route, query) => client.request(target(route, query)),
    post: (route, form, query) => client.request(target(route, query), form),
  };
}
