// OpenCart 4.x checkout as a logged-in customer (the harness's placeOrder checks out as a guest,
// and reward points need an account): account/login.login with the login page's token, cart,
// the reward points form, checkout/shipping_address.save (the account's address book), the
// shipping and payment method steps, confirm.confirm, the payment's confirm, the success page.
import { createHash } from 'node:crypto';
import type { OpenCartShop } from './install.js';
import { ShopClient, type Form } from './http.js';
import { shopConfig } from './settings.js';

export interface StorefrontCustomer {
  customerId: number;
  email: string;
  password: string;
}

/**
 * A customer account with reward points and store credit, as the admin's Customers form and its
 * Reward Points and Transactions tabs store them. The password is stored the legacy (md5) way, which every 4.x login still accepts
 * and rehashes, so no PHP is needed to hash it.
 */
export async function addStorefrontCustomer(shop: OpenCartShop, customerGroupId: number, { points = 0, credit = 0 } = {}): Promise<StorefrontCustomer> {
  const p = shop.prefix;
  const email = `pontok-${Date.now().toString(36)}@example.com`;
  const password = 'Jelszo-123';
  const have = new Set((await shop.query<Array<{ Field: string }>>(`SHOW COLUMNS FROM \`${p}customer\``)).map((c) => c.Field));
  const row: Record<string, unknown> = {
    customer_group_id: customerGroupId, store_id: 0, language_id: 1, firstname: 'Pont', lastname: 'Vevő', email, telephone: '+36 1 111 1111',
    custom_field: '', password: createHash('md5').update(password).digest('hex'), newsletter: 0, ip: '127.0.0.1', status: 1, safe: 0, token: '', code: '',
    commenter: 0, fax: '', salt: '', cart: '', wishlist: '', address_id: 0,
  };
  const cols = Object.keys(row).filter((k) => have.has(k));
  const res = await shop.query<{ insertId: number }>(
    `INSERT INTO \`${p}customer\` (${cols.map((c) => `\`${c}\``).join(', ')}, date_added) VALUES (${cols.map(() => '?').join(', ')}, NOW())`,
    cols.map((c) => row[c]),
  );
  const customerId = Number(res.insertId);
  if (points) await shop.query(`INSERT INTO \`${p}customer_reward\` (customer_id, order_id, description, points, date_added) VALUES (?, 0, 'Nyitó pontok', ?, NOW())`, [customerId, points]);
  if (credit) await shop.query(`INSERT INTO \`${p}customer_transaction\` (customer_id, order_id, description, amount, date_added) VALUES (?, 0, 'Jóváírás', ?, NOW())`, [customerId, credit]);
  return { customerId, email, password };
}

export async function placeOrderAsCustomer(
  shop: OpenCartShop,
  customer: StorefrontCustomer,
  spec: { products: Array<{ productId: number; quantity: number }>; reward?: number },
): Promise<{ orderId: number }> {
  if (shop.major !== 4) throw new Error('placeOrderAsCustomer is the 4.x storefront checkout');
  const cfg = await shopConfig(shop, ['config_country_id', 'config_zone_id', 'config_language', 'config_checkout_id']);
  const language = cfg.config_language ?? 'en-gb';
  const client = new ShopClient(shop);
  const call = async (route: string, form?: Form) => {
    const answer = await client.json(`index.php?route=${route}&language=${encodeURIComponent(language)}`, form);
    if (answer.error) throw new Error(`OpenCart ${route} failed: ${JSON.stringify(answer.error).slice(0, 500)}`);
    return answer;
  };

  const page = await client.request(`index.php?route=account/login&language=${language}`);
  const action = /<form id="form-login" action="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
  if (!action) throw new Error('the login form was not found');
  const login = await client.json(action, { email: customer.email, password: customer.password });
  if (login.error) throw new Error(`login failed: ${JSON.stringify(login.error)}`);

  for (const item of spec.products) await call('checkout/cart.add', { product_id: item.productId, quantity: item.quantity });
  const totals = shop.release.startsWith('4.0') ? 'extension/opencart/total' : 'extension/opencart/checkout';
  if (spec.reward) await call(`${totals}/reward.save`, { reward: spec.reward });

  await call('checkout/shipping_address.save', {
    firstname: 'Pont', lastname: 'Vevő', company: '', address_1: 'Fő utca 1.', address_2: '', city: 'Budapest', postcode: '1011',
    country_id: Number(cfg.config_country_id), zone_id: Number(cfg.config_zone_id ?? 0),
  });
  await call('checkout/shipping_method.quote');
  await call('checkout/shipping_method.save', { shipping_method: 'flat.flat' });
  await call('checkout/payment_method.getMethods');
  await call('checkout/payment_method.save', { payment_method: 'cod.cod' });
  if (Number(cfg.config_checkout_id ?? 0)) await call('checkout/payment_method.agree', { agree: 1 });
  const confirm = await client.request(`index.php?route=checkout/confirm.confirm&language=${language}`);
  if (confirm.status !== 200) throw new Error(`confirm failed: HTTP ${confirm.status}`);
  const sessionId = client.jar.get('OCSESSID');
  const [row] = await shop.query<Array<{ data: string }>>(`SELECT data FROM \`${shop.prefix}session\` WHERE session_id = ?`, [sessionId]);
  const orderId = Number((JSON.parse(row?.data ?? '{}') as { order_id?: number }).order_id ?? 0);
  if (!orderId) throw new Error(`confirm.confirm wrote no order: ${confirm.body.slice(0, 500)}`);
  const paid = await call('extension/opencart/payment/cod.confirm');
  if (!paid.redirect) throw new Error(`payment confirm: ${JSON.stringify(paid)}`);
  await client.request(String(paid.redirect).replace(/&amp;/g, '&'));
  return { orderId };
}
