// The promo prices' staging table is loaded with every record of a promo push, so each index on
// it is paid for on every such push. Its (run_id, code) index served matching codes in SQL; promo
// prices are matched in memory now (the product index) and looked up by run and seq only, so the
// index only slowed the load: a 100,000-row load took about a quarter longer with it (MariaDB,
// bench/probe runs). Full sync's table keeps it: it matches the products it creates by code.
import type { Migration } from '../types.js';

export const lighterPromoStage: Migration = {
  name: '011_lighter_promo_stage',
  async up(db) {
    await db.knex.schema.alterTable(db.own('stage_promo_prices'), (t) => {
      t.dropIndex(['run_id', 'code'], `${db.prefix}erpb_stage_promo_prices_code`);
    });
  },
  async down(db) {
    await db.knex.schema.alterTable(db.own('stage_promo_prices'), (t) => {
      t.index(['run_id', 'code'], `${db.prefix}erpb_stage_promo_prices_code`);
    });
  },
};
