// Launches from the shop's admin are single-use: each nonce is stored until it expires, and a
// second use of the same nonce is refused by the primary key (also across app instances).
import type { Migration } from '../types.js';

export const launchNonces: Migration = {
  name: '004_launch_nonces',
  async up(db) {
    await db.knex.schema.createTable(db.own('launch_nonce'), (t) => {
      db.dialect.tableOptions(t);
      t.string('nonce', 64).notNullable().primary();
      t.bigInteger('expires_at').notNullable(); // Unix seconds: no time zone involved
      t.index(['expires_at'], `${db.prefix}erpb_nonce_exp`);
    });
  },
  async down(db) {
    await db.knex.schema.dropTableIfExists(db.own('launch_nonce'));
  },
};
