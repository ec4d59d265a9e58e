// Places an order in a real OpenCart the way OpenCart itself does:
// - 3.0 through its API (what the admin's Sales > Orders > Add uses): api/login, cart, customer,
//   addresses, shipping and payment methods, optional currency/coupon/voucher/reward, order/add.
//   api/order/add stores the order and its history with config_order_status_id (or the spec's
//   orderStatusId), exactly as the admin's order form does.
// - 4.x through its storefront checkout with one cookie jar, as a guest: cart.add, register.save,
//   shipping_method.quote/.save, payment_method.getMethods/.save, confirm.confirm (which writes
//   the order), then the payment's own confirm route, which gives it the payment's order status.
// A default install already has cod payment and flat shipping enabled (payment_cod_*,
// shipping_flat_* settings) and config_order_status_id set; the 3.0 API needs an api_ip row
// for 127.0.0.1, which ensureApiAccess() adds like System > Users > API > IP Addresses does.
import type { OpenCartShop } from './install.js';
import { ShopClient, type Form } from './http.js';
import { shopConfig, storefrontLanguage } from './settings.js';

export interface OrderCustomer {
  firstname: string;
  lastname: string;
  email: string;
  telephone: string;
  /** 3.0: an existing customer's id (0 = guest); needed for rewards. */
  customerId?: number;
}

export interface OrderAddress {
  firstname?: string;
  lastname?: string;
  company?: string;
  address1?: string;
  address2?: string;
  city?: string;
  postcode?: string;
  /** Default: the shop's config_country_id. */
  countryId?: number;
  /** Default: the shop's config_zone_id. */
  zoneId?: number;
}

export interface OrderSpec {
  products: Array<{ productId: number; quantity: number; options?: Record<string, string | number> }>;
  coupon?: string;
  /** 3.0: gift vouchers bought in the order (the admin order form's Vouchers tab, api/voucher/add). */
  buyVouchers?: Array<{ toName: string; toEmail: string; amount: number; themeId: number }>;
  /** A gift voucher code (3.0 and 4.0; 4.1 has no voucher total). */
  voucher?: string;
  /** Reward points to use (needs a logged-in customer with points). */
  reward?: number;
  /** Currency code the order is placed in (e.g. EUR); default the shop's. */
  currency?: string;
  /** Shipping method code; default flat.flat. */
  shipping?: string;
  /** Payment method code; default cod (4.x: cod.cod). */
  payment?: string;
  customer?: Partial<OrderCustomer>;
  /** Shipping address (3.0: also the payment address). */
  address?: OrderAddress;
  comment?: string;
  /** 3.0 only: the status the admin would pick in the order form; default config_order_status_id. */
  orderStatusId?: number;
}

export interface PlacedOrder {
  orderId: number;
}

async function defaults(shop: OpenCartShop, spec: OrderSpec) {
  const cfg = await shopConfig(shop, ['config_country_id', 'config_zone_id', 'config_customer_group_id', 'config_checkout_id']);
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const customer: OrderCustomer = {
    firstname: 'Teszt',
    lastname: 'Vevő',
    email: `buyer-${unique}@example.com`,
    telephone: '+36 1 234 5678',
    customerId: 0,
    ...spec.customer,
  };
  const address: Required<OrderAddress> = {
    firstname: customer.firstname,
    lastname: customer.lastname,
    company: '',
    address1: 'Fő utca 1.',
    address2: '',
    city: 'Budapest',
    postcode: '1011',
    countryId: Number(cfg.config_country_id),
    zoneId: Number(cfg.config_zone_id),
    ...spec.address,
  };
  return { cfg, customer, address };
}

export async function placeOrder(shop: OpenCartShop, spec: OrderSpec): Promise<PlacedOrder> {
  if (!spec.products.length) throw new Error('placeOrder: no products');
  return shop.major === 3 ? placeOrderByApi(shop, spec) : placeOrderByCheckout(shop, spec);
}

function fail(step: string, answer: unknown): never {
  throw new Error(`OpenCart order step ${step} failed: ${JSON.stringify(answer).slice(0, 1000)}`);
}

/** 3.0: the API user of config_api_id may call from 127.0.0.1 (an api_ip row, as the admin adds it). */
export async function ensureApiAccess(shop: OpenCartShop): Promise<{ username: string; key: string }> {
  const p = shop.prefix;
  const [api] = await shop.query<Array<{ api_id: number; username: string; key: string }>>(
    `SELECT a.api_id, a.username, a.\`key\` FROM \`${p}api\` a JOIN \`${p}setting\` s
      ON s.\`key\` = 'config_api_id' AND s.store_id = 0 AND s.value = a.api_id WHERE a.status = 1`,
  );
  if (!api) throw new Error('the shop has no enabled API user in config_api_id');
  const [ip] = await shop.query<unknown[]>(`SELECT 1 FROM \`${p}api_ip\` WHERE api_id = ? AND ip = '127.0.0.1'`, [api.api_id]);
  if (!ip) await shop.query(`INSERT INTO \`${p}api_ip\` (api_id, ip) VALUES (?, '127.0.0.1')`, [api.api_id]);
  return { username: api.username, key: api.key };
}

async function placeOrderByApi(shop: OpenCartShop, spec: OrderSpec): Promise<PlacedOrder> {
  const { cfg, customer, address } = await defaults(shop, spec);
  const credentials = await ensureApiAccess(shop);
  const client = new ShopClient(shop);
  const login = await client.json('index.php?route=api/login', credentials);
  if (!login.api_token) fail('api/login', login);
  const call = async (route: string, form?: Form) => {
    const answer = await client.json(`index.php?route=${route}&api_token=${encodeURIComponent(login.api_token)}`, form);
    if (answer.error) fail(route, answer.error);
    return answer;
  };

  if (spec.currency) await call('api/currency', { currency: spec.currency });
  // The customer first, as the admin's order form does: logging in a customer (api/customer with
  // customer_id) switches the cart to theirs, so products added before would be lost.
  await call('api/customer', {
    customer_id: customer.customerId ?? 0,
    customer_group_id: cfg.config_customer_group_id!,
    firstname: customer.firstname,
    lastname: customer.lastname,
    email: customer.email,
    telephone: customer.telephone,
  });
  for (const item of spec.products) {
    const form: Record<string, string | number> = { product_id: item.productId, quantity: item.quantity };
    for (const [id, value] of Object.entries(item.options ?? {})) form[`option[${id}]`] = value;
    await call('api/cart/add', form);
  }
  // Part of the cart, as in the admin's order form: before the methods (adding one resets them).
  for (const v of spec.buyVouchers ?? []) {
    await call('api/voucher/add', { from_name: customer.firstname, from_email: customer.email, to_name: v.toName, to_email: v.toEmail, voucher_theme_id: v.themeId, message: '', amount: v.amount });
  }
  const addressForm = {
    firstname: address.firstname,
    lastname: address.lastname,
    company: address.company,
    address_1: address.address1,
    address_2: address.address2,
    city: address.city,
    postcode: address.postcode,
    country_id: address.countryId,
    zone_id: address.zoneId,
  };
  await call('api/payment/address', addressForm);
  await call('api/shipping/address', addressForm);
  await call('api/shipping/methods');
  await call('api/shipping/method', { shipping_method: spec.shipping ?? 'flat.flat' });
  await call('api/payment/methods');
  await call('api/payment/method', { payment_method: spec.payment ?? 'cod' });
  if (spec.coupon) await call('api/coupon', { coupon: spec.coupon });
  if (spec.voucher) await call('api/voucher', { voucher: spec.voucher });
  if (spec.reward) await call('api/reward', { reward: spec.reward });
  const order: Record<string, string | number> = {
    shipping_method: spec.shipping ?? 'flat.flat',
    payment_method: spec.payment ?? 'cod',
    comment: spec.comment ?? '',
  };
  if (spec.orderStatusId !== undefined) order.order_status_id = spec.orderStatusId;
  const added = await call('api/order/add', order);
  const orderId = Number(added.order_id);
  if (!orderId) fail('api/order/add', added);
  return { orderId };
}

async function placeOrderByCheckout(shop: OpenCartShop, spec: OrderSpec): Promise<PlacedOrder> {
  if (spec.orderStatusId !== undefined) throw new Error('placeOrder: orderStatusId is for 3.0 (the storefront sets the payment\'s status)');
  const { cfg, customer, address } = await defaults(shop, spec);
  const language = (await storefrontLanguage(shop)).code;
  const client = new ShopClient(shop);
  // Every storefront request carries &language=, as 4.x's own pages and scripts send it.
  const call = async (route: string, form?: Form) => {
    const answer = await client.json(`index.php?route=${route}&language=${encodeURIComponent(language)}`, form);
    if (answer.error) fail(route, answer.error);
    return answer;
  };
  const is40 = shop.release.startsWith('4.0');

  if (spec.currency) {
    // common/currency.save answers with a redirect, not JSON.
    await client.request(`index.php?route=common/currency.save&language=${language}`, { code: spec.currency, redirect: '' });
  }
  for (const item of spec.products) {
    const form: Record<string, string | number> = { product_id: item.productId, quantity: item.quantity };
    for (const [id, value] of Object.entries(item.options ?? {})) form[`option[${id}]`] = value;
    await call('checkout/cart.add', form);
  }
  // The cart page's total modules: 4.0 under extension/opencart/total/, 4.1 under .../checkout/.
  const totals = is40 ? 'extension/opencart/total' : 'extension/opencart/checkout';
  if (spec.coupon) await call(`${totals}/coupon.save`, { coupon: spec.coupon });
  if (spec.voucher) {
    if (!is40) throw new Error(`placeOrder: OpenCart ${shop.release} has no gift voucher total`);
    await call(`${totals}/voucher.save`, { voucher: spec.voucher });
  }
  if (spec.reward) await call(`${totals}/reward.save`, { reward: spec.reward });

  // Guest checkout; the shipping address is entered separately (address_match 0), and the
  // payment address only when the shop asks for it (config_checkout_payment_address).
  await call('checkout/register.save', {
    account: 0,
    customer_group_id: cfg.config_customer_group_id!,
    firstname: customer.firstname,
    lastname: customer.lastname,
    email: customer.email,
    telephone: customer.telephone,
    payment_company: address.company,
    payment_address_1: address.address1,
    payment_address_2: address.address2,
    payment_city: address.city,
    payment_postcode: address.postcode,
    payment_country_id: address.countryId,
    payment_zone_id: address.zoneId,
    address_match: 0,
    shipping_firstname: address.firstname,
    shipping_lastname: address.lastname,
    shipping_company: address.company,
    shipping_address_1: address.address1,
    shipping_address_2: address.address2,
    shipping_city: address.city,
    shipping_postcode: address.postcode,
    shipping_country_id: address.countryId,
    shipping_zone_id: address.zoneId,
  });
  const shipping = spec.shipping ?? 'flat.flat';
  await call('checkout/shipping_method.quote');
  await call('checkout/shipping_method.save', { shipping_method: shipping });
  const payment = spec.payment ?? 'cod';
  const paymentCode = payment.includes('.') ? payment : `${payment}.${payment}`;
  await call('checkout/payment_method.getMethods');
  await call('checkout/payment_method.save', { payment_method: paymentCode });
  if (spec.comment) await call('checkout/payment_method.comment', { comment: spec.comment });
  // The terms checkbox exists only when config_checkout_id names an information page.
  if (Number(cfg.config_checkout_id ?? 0)) await call('checkout/payment_method.agree', { agree: 1 });

  // confirm.confirm renders the confirm step and writes the order (status 0 until paid).
  const confirm = await client.request(`index.php?route=checkout/confirm.confirm&language=${language}`);
  if (confirm.status !== 200) fail('checkout/confirm.confirm', confirm.body.slice(0, 500));
  const orderId = await sessionOrderId(shop, client);
  if (!orderId) fail('checkout/confirm.confirm (no order in the session)', confirm.body.slice(0, 500));
  const paid = await call(`extension/opencart/payment/${paymentCode.split('.')[0]}.confirm`);
  if (!paid.redirect) fail('payment confirm', paid);
  // The browser then opens checkout/success, which empties the cart and ends the order's session part.
  await client.request(paid.redirect.replace(/&amp;/g, '&'));
  return { orderId };
}

/** The order id confirm.confirm put into the storefront session (OpenCart's database session). */
async function sessionOrderId(shop: OpenCartShop, client: ShopClient): Promise<number | undefined> {
  const sessionId = client.jar.get('OCSESSID');
  if (!sessionId) return undefined;
  const [row] = await shop.query<Array<{ data: string }>>(`SELECT data FROM \`${shop.prefix}session\` WHERE session_id = ?`, [sessionId]);
  if (!row) return undefined;
  const data = JSON.parse(row.data) as { order_id?: number | string };
  return data.order_id ? Number(data.order_id) : undefined;
}
