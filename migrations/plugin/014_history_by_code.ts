// The admin's product page walked every stock, price and promo run newest first, three statements
// per 1,000 runs, looking the code up in each: with 1,000,000 journal runs a code with little
// history took 2.2–2.6 s (round 22's bench), against 30–47 ms when it was measured in round 4.
// It now goes to the code's history directly:
// - blocks (stock and price pushes) by their slot: a code's blocks are all in the slot of its hash,
//   so (slot, run_id) gives them newest first, whatever the runs without them;
// - rows (full sync's prices, promos, and stock pushes before migration 013) keep their
//   (run_id, code) index (a code index costs every push's write: migration 012), and the page walks
//   only the runs that wrote such rows, listed here once per run (`product_change_run`).
import type { Migration } from '../types.js';
import { shopSchema } from '../../app/shop/schema.js';

export const historyByCode: Migration = {
  name: '014_history_by_code',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    const runs = db.own('product_change_run');
    // Migrations run without a transaction: a start that died part-way makes the table again and
    // fills it from the rows (nothing else writes it before this migration ends), and finds the
    // index if it was made (on a big table the ALTER may outlast the start that asked for it).
    await db.knex.schema.dropTableIfExists(runs);
    await db.knex.schema.createTable(runs, (t) => {
      db.dialect.tableOptions(t, collation);
      t.bigInteger('run_id').primary();
    });
    await db.knex.raw(`INSERT INTO ${runs} (run_id) SELECT DISTINCT run_id FROM ${db.own('product_change')}`);
    const blocks = db.own('product_change_block');
    const index = `${db.prefix}erpb_change_block_code`;
    if (!(await db.dialect.hasIndex(db.knex, blocks, index))) {
      await db.knex.schema.alterTable(blocks, (t) => {
        t.index(['slot', 'run_id'], index);
      });
    }
  },
  async down(db) {
    await db.knex.schema.alterTable(db.own('product_change_block'), (t) => {
      t.dropIndex(['slot', 'run_id'], `${db.prefix}erpb_change_block_code`);
    });
    await db.knex.schema.dropTableIfExists(db.own('product_change_run'));
  },
};
