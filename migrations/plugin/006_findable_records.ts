// Every record findable: a journal item keeps its reason as a code and values (the admin renders
// it in the owner's language), is found by outcome within a run and by product code across runs;
// and what each push changed on a product (price, stock, promo price) is kept per product, so a
// product's page shows its history. Rows journaled before this migration keep their English
// reason and simply have no code.
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const findableRecords: Migration = {
  name: '006_findable_records',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    await db.knex.schema.alterTable(db.own('journal_item'), (t) => {
      t.string('reason_code', 48).nullable();
      t.string('reason_vars', 500).nullable();
      // A run's records of one outcome, in record order (the run page's filter and paging).
      t.index(['run_id', 'outcome', 'seq'], `${db.prefix}erpb_item_outcome`);
      // One product code across runs, newest first (the journal's code search).
      t.index(['code', 'run_id'], `${db.prefix}erpb_item_code`);
    });
    await db.knex.schema.createTable(db.own('product_change'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.bigIncrements('id');
      t.bigInteger('run_id').notNullable();
      t.integer('product_id').notNullable();
      // The code as the shop stores it (HTML-encoded like OpenCart's admin).
      const code = t.string('code', 64).notNullable();
      if (db.dialect.binaryCollation) code.collate(db.dialect.binaryCollation);
      t.string('field', 16).notNullable(); // price, quantity, promo
      t.decimal('old_value', 15, 4).nullable(); // null where the push did not read it first
      t.decimal('new_value', 15, 4).nullable();
      t.string('promo_start', 10).nullable();
      t.string('promo_end', 10).nullable();
      t.index(['code', 'run_id'], `${db.prefix}erpb_change_code`);
      t.index(['product_id', 'run_id'], `${db.prefix}erpb_change_product`);
      t.index(['run_id'], `${db.prefix}erpb_change_run`);
    });
  },
  async down(db) {
    await db.knex.schema.dropTableIfExists(db.own('product_change'));
    await db.knex.schema.alterTable(db.own('journal_item'), (t) => {
      t.dropIndex(['code', 'run_id'], `${db.prefix}erpb_item_code`);
      t.dropIndex(['run_id', 'outcome', 'seq'], `${db.prefix}erpb_item_outcome`);
      t.dropColumn('reason_vars');
      t.dropColumn('reason_code');
    });
  },
};
