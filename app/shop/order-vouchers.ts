// Gift vouchers bought in an order (`order_voucher`): OpenCart counts them in `sub_total` but
// they are no `order_product` rows, so the document needs them as lines of their own. One query
// for a batch; a shop without the table (4.1 dropped gift vouchers) has none.
import type { Database } from '../db/database.js';
import { shopSchema } from './schema.js';

export interface SoldVoucher {
  order_id: number;
  description: string;
  code: string;
  amount: number;
}

export async function readSoldVouchers(db: Database, orderIds: number[]): Promise<SoldVoucher[]> {
  if (orderIds.length === 0 || !(await shopSchema(db)).has('order_voucher')) return [];
  const rows = await db.knex(db.t('order_voucher')).whereIn('order_id', orderIds).orderBy(['order_id', 'order_voucher_id']).select('order_id', 'description', 'code', 'amount');
  return rows.map((r) => ({ order_id: Number(r.order_id), description: String(r.description ?? ''), code: String(r.code ?? ''), amount: Number(r.amount) }));
}
