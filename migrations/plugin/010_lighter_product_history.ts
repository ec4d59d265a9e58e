// The products' history is written by every stock and price push (up to one row per product),
// so each index on it is paid for on every push. The product-history page finds a product's
// changes by code (`erpb_change_code`) and retention deletes by run (`erpb_change_run`); nothing
// reads it by product id, and that index cost about a third of a 100,000-row history write.
import type { Migration } from '../types.js';

export const lighterProductHistory: Migration = {
  name: '010_lighter_product_history',
  async up(db) {
    await db.knex.schema.alterTable(db.own('product_change'), (t) => {
      t.dropIndex(['product_id', 'run_id'], `${db.prefix}erpb_change_product`);
    });
  },
  async down(db) {
    await db.knex.schema.alterTable(db.own('product_change'), (t) => {
      t.index(['product_id', 'run_id'], `${db.prefix}erpb_change_product`);
    });
  },
};
