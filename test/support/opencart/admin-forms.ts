// Setup through the shop's own admin forms (the rows its admin writes, with its validation),
// for scenarios that need more than a default install: coupons so far.
import type { AdminSession } from './admin.js';

export interface CouponForm {
  name: string;
  code: string;
  /** P: percentage, F: fixed amount. */
  type: 'P' | 'F';
  discount: number;
  /** The order total the coupon needs (0 = any). */
  total?: number;
  /** Only for logged-in customers. */
  logged?: boolean;
  /** Free shipping. */
  shipping?: boolean;
  dateStart?: string;
  dateEnd?: string;
  usesTotal?: number;
  usesCustomer?: number;
  status?: boolean;
  productIds?: number[];
  categoryIds?: number[];
}

/** Saves a new coupon with Marketing > Coupons > Add; answers its coupon_id. */
export async function saveCoupon(admin: AdminSession, coupon: CouponForm): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  const form: Record<string, string | number | number[]> = {
    coupon_id: 0,
    name: coupon.name,
    code: coupon.code,
    type: coupon.type,
    discount: coupon.discount,
    total: coupon.total ?? 0,
    logged: coupon.logged ? 1 : 0,
    shipping: coupon.shipping ? 1 : 0,
    date_start: coupon.dateStart ?? today,
    date_end: coupon.dateEnd ?? `${new Date().getUTCFullYear() + 1}-12-31`,
    uses_total: coupon.usesTotal ?? 1000,
    uses_customer: coupon.usesCustomer ?? 1000,
    status: coupon.status === false ? 0 : 1,
    'coupon_product[]': coupon.productIds ?? [],
    'coupon_category[]': coupon.categoryIds ?? [],
  };
  const shop = admin.client.shop;
  if (shop.major === 3) {
    // 3.0 posts the form to marketing/coupon/add and redirects to the list when it is valid.
    const reply = await admin.post('marketing/coupon/add', form);
    if (!/route=marketing(?:%2F|\/)coupon(?:&|$)/.test(reply.url)) {
      const error = /class="(?:text-danger|alert alert-danger[^"]*)">([^<]+)/.exec(reply.body)?.[1];
      throw new Error(`the admin refused the coupon: ${error ?? `HTTP ${reply.status}`}`);
    }
  } else {
    // 4.x saves through marketing/coupon.save and answers JSON.
    const reply = await admin.post('marketing/coupon.save', form);
    const answer = JSON.parse(reply.body) as { success?: string; error?: unknown };
    if (!answer.success) throw new Error(`the admin refused the coupon: ${JSON.stringify(answer.error ?? answer)}`);
  }
  const [row] = await shop.query<Array<{ coupon_id: number }>>(
    `SELECT coupon_id FROM \`${shop.prefix}coupon\` WHERE code = ?`,
    [coupon.code],
  );
  if (!row) throw new Error(`coupon ${coupon.code} was not stored`);
  return row.coupon_id;
}
