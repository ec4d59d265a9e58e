// Sync health (issue 13): the dashboard's "last successful push" of each URL is one index seek
// per URL and status, even under a million runs; and the e-mail alerts remember what they last
// said and when, so a state is mailed once (with a cool-down), never on every scheduler tick.
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const healthAlerts: Migration = {
  name: '007_health_alerts',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    await db.knex.schema.alterTable(db.own('journal_run'), (t) => {
      t.index(['kind', 'dry_run', 'status', 'id'], `${db.prefix}erpb_run_health`);
    });
    // One row per alert channel ('email'): the health state last seen and the one last mailed.
    await db.knex.schema.createTable(db.own('alert_state'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.string('channel', 16).primary();
      t.string('seen_state', 500).notNullable().defaultTo(''); // verdict and reasons, e.g. "stopped:prices.rejected"
      t.string('seen_at', 19).nullable();
      t.string('sent_state', 500).notNullable().defaultTo('');
      t.string('sent_at', 19).nullable();
      t.integer('sent_count').notNullable().defaultTo(0);
      t.string('last_error', 500).nullable(); // why the last mail could not be sent (never a password)
      t.string('last_error_at', 19).nullable();
    });
  },
  async down(db) {
    await db.knex.schema.dropTableIfExists(db.own('alert_state'));
    await db.knex.schema.alterTable(db.own('journal_run'), (t) => {
      t.dropIndex(['kind', 'dry_run', 'status', 'id'], `${db.prefix}erpb_run_health`);
    });
  },
};
