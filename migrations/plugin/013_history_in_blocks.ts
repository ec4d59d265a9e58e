// A stock or price push wrote one history row per product it changed: at 100,000 products that
// cost InnoDB as much CPU as the push's own load and UPDATE together (bench/history-cost.ts,
// round 15). Those pushes now write their history in blocks, one row per block
// (app/plugin/change-blocks.ts): at most 256 rows per 20,000 changes. The block a code is in
// follows from the code's hash (`slot`), so the product page still reads only the blocks that may
// hold its code, run by run, newest first. Full sync's prices and the promo prices, written by
// INSERT … SELECT in the database, stay one row per product in product_change. Rows written
// before this migration stay where they are and are read as before.
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const historyInBlocks: Migration = {
  name: '013_history_in_blocks',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    // The table and its index are two statements (migrations run without a transaction): a start
    // that died between them finds the table, empty (nothing writes it before this migration
    // ends), and makes it again.
    await db.knex.schema.dropTableIfExists(db.own('product_change_block'));
    await db.knex.schema.createTable(db.own('product_change_block'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.bigIncrements('id');
      t.bigInteger('run_id').notNullable();
      t.string('field', 16).notNullable(); // price, quantity
      t.integer('slot').notNullable();
      t.integer('entries').notNullable();
      // JSON of the block's changes; binary collation, so the product page's INSTR finds a code's
      // bytes exactly (a case-insensitive collation would also match other codes).
      const data = t.text('data', 'mediumtext').notNullable();
      if (db.dialect.binaryCollation) data.collate(db.dialect.binaryCollation);
      t.index(['run_id', 'slot'], `${db.prefix}erpb_change_block_slot`);
    });
  },
  async down(db) {
    await db.knex.schema.dropTableIfExists(db.own('product_change_block'));
  },
};
