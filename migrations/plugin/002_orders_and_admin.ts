// Payment/shipping method mapping for the order export, the standalone admin account, and
// the journal's daily totals.
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const ordersAndAdmin: Migration = {
  name: '002_orders_and_admin',
  async up(db) {
    // Text columns take the shop's collation family, so comparing them with shop columns never mixes collations.
    const collation = (await shopSchema(db)).pluginCollation;
    await db.knex.schema.createTable(db.own('method_map'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.string('type', 16).notNullable(); // payment, shipping
      t.string('shop_code', 128).notNullable();
      t.string('erp_code', 64).notNullable();
      t.primary(['type', 'shop_code']);
    });
    await db.knex.schema.createTable(db.own('admin_user'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.increments('id');
      t.string('username', 64).notNullable().unique(`${db.prefix}erpb_admin_name`);
      t.string('password_hash', 255).notNullable();
      t.string('updated_at', 19).notNullable();
    });
    // Per-day totals of the journal, kept as runs finish, so the dashboard's 30-day chart never
    // scans a million runs.
    await db.knex.schema.createTable(db.own('journal_day'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.string('day', 10).notNullable();
      t.string('kind', 32).notNullable();
      t.integer('runs').notNullable().defaultTo(0);
      t.integer('applied').notNullable().defaultTo(0);
      t.integer('problems').notNullable().defaultTo(0);
      t.primary(['day', 'kind']);
    });
  },
  async down(db) {
    await db.knex.schema.dropTableIfExists(db.own('journal_day'));
    await db.knex.schema.dropTableIfExists(db.own('admin_user'));
    await db.knex.schema.dropTableIfExists(db.own('method_map'));
  },
};
