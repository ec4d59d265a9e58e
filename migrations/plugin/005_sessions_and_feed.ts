// Admin sessions kept on the server (so logout and a password change end them), and
// when the feed last served each waiting order (an acknowledgement counts only for an order the
// ERP actually received).
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const sessionsAndFeed: Migration = {
  name: '005_sessions_and_feed',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    await db.knex.schema.createTable(db.own('admin_session'), (t) => {
      db.dialect.tableOptions(t, collation);
      // SHA-256 of the cookie's random id: a copy of this table does not log anyone in.
      t.string('id_hash', 64).primary();
      t.string('username', 64).notNullable();
      t.string('csrf', 64).notNullable();
      t.bigInteger('expires_at').notNullable();
      t.string('created_at', 19).notNullable();
      // How the user came in: the standalone login, or a signed launch from the shop's admin
      // (whose shop user is checked on every request).
      t.string('via', 16).notNullable().defaultTo('standalone');
      t.tinyint('can_modify').notNullable().defaultTo(1);
      t.string('language', 16).nullable();
      t.integer('shop_user_id').nullable();
      t.index(['username'], `${db.prefix}erpb_session_user`);
    });
    await db.knex.schema.alterTable(db.own('outbox'), (t) => {
      t.string('fed_at', 19).nullable();
    });
  },
  async down(db) {
    await db.knex.schema.alterTable(db.own('outbox'), (t) => {
      t.dropColumn('fed_at');
    });
    await db.knex.schema.dropTableIfExists(db.own('admin_session'));
  },
};
