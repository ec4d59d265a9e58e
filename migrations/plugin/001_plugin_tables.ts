// The plugin's own tables, all named <prefix>erp_bridge_*, InnoDB on MySQL. The shop's own
// tables are never created or altered here.
import type { Knex } from 'knex';
import type { Database } from '../../app/db/database.js';
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const STAGE_KINDS = ['prices', 'promo_prices'] as const;

function codeColumn(db: Database, t: Knex.CreateTableBuilder, name: string) {
  // ERP codes compare byte for byte (case-sensitively), whatever the server's default.
  const col = t.string(name, 64);
  if (db.dialect.binaryCollation) col.collate(db.dialect.binaryCollation);
  return col;
}

export const pluginTables: Migration = {
  name: '001_plugin_tables',
  async up(db) {
    // Text columns take the shop's collation family, so comparing them with shop columns never mixes collations.
    const collation = (await shopSchema(db)).pluginCollation;

    await db.knex.schema.createTable(db.own('journal_run'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.bigIncrements('id');
      t.string('kind', 32).notNullable(); // prices, stock, promo-prices, categories, order-export
      t.string('actor', 128).notNullable().defaultTo('');
      t.string('status', 16).notNullable(); // running, ok, partial, rejected, failed
      t.integer('http_status').nullable();
      t.boolean('dry_run').notNullable().defaultTo(false);
      t.string('started_at', 19).notNullable();
      t.string('finished_at', 19).nullable();
      t.integer('duration_ms').nullable();
      for (const c of ['received', 'updated', 'unchanged', 'created', 'unknown', 'ambiguous', 'invalid', 'ignored', 'progress'])
        t.integer(c).notNullable().defaultTo(0);
      t.text('message').nullable();
      t.index(['started_at'], `${db.prefix}erpb_run_started`);
      t.index(['kind', 'id'], `${db.prefix}erpb_run_kind`);
      t.index(['status', 'id'], `${db.prefix}erpb_run_status`);
    });
    await db.knex.schema.createTable(db.own('journal_item'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.bigIncrements('id');
      t.bigInteger('run_id').notNullable();
      t.integer('seq').notNullable();
      t.string('code', 255).notNullable().defaultTo('');
      t.string('outcome', 16).notNullable();
      t.string('reason', 500).notNullable().defaultTo('');
      t.index(['run_id', 'seq'], `${db.prefix}erpb_item_run`);
    });
    await db.knex.schema.createTable(db.own('product_map'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.integer('product_id').primary();
      codeColumn(db, t, 'erp_code').notNullable();
      t.string('unit', 32).notNullable().defaultTo('');
      t.string('image_url', 1000).nullable();
      t.string('image_status', 16).nullable(); // pending, done, failed
      t.string('image_error', 255).nullable();
      t.string('updated_at', 19).notNullable();
      t.index(['erp_code'], `${db.prefix}erpb_pmap_code`);
    });
    await db.knex.schema.createTable(db.own('category_map'), (t) => {
      db.dialect.tableOptions(t, collation);
      codeColumn(db, t, 'erp_code').primary();
      t.integer('category_id').notNullable().unique(`${db.prefix}erpb_cmap_cat`);
      t.string('updated_at', 19).notNullable();
    });
    // Staging rows of a promo-price or full-sync push, one table per URL: pushes to one URL are
    // serialised by a lease, so each table holds one run at a time and is emptied with a cheap
    // TRUNCATE. (Stock and stock-and-price pushes use a temporary table of their changes.)
    for (const kind of STAGE_KINDS) {
      await db.knex.schema.createTable(db.own(`stage_${kind}`), (t) => {
        db.dialect.tableOptions(t, collation);
        t.bigInteger('run_id').notNullable();
        t.integer('seq').notNullable();
        codeColumn(db, t, 'code').notNullable();
        t.integer('product_id').nullable();
        t.integer('match_count').notNullable().defaultTo(0);
        t.string('outcome', 16).nullable();
        t.decimal('price', 15, 4).nullable();
        t.decimal('gross', 15, 4).nullable();
        t.integer('quantity').nullable();
        t.decimal('promo', 15, 4).nullable();
        t.string('promo_start', 10).nullable();
        t.string('promo_end', 10).nullable();
        t.string('name', 255).nullable();
        t.text('description').nullable();
        t.string('unit', 32).nullable();
        t.decimal('vat', 7, 4).nullable();
        t.integer('tax_class_id').nullable();
        t.string('image', 1000).nullable();
        t.string('category_code', 64).nullable();
        t.integer('category_id').nullable();
        t.primary(['run_id', 'seq']);
        t.index(['run_id', 'code'], `${db.prefix}erpb_stage_${kind}_code`);
      });
    }
    await db.knex.schema.createTable(db.own('outbox'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.integer('order_id').primary();
      t.string('state', 20).notNullable(); // waiting, delivering, exported, failed, attention
      t.integer('attempts').notNullable().defaultTo(0);
      t.string('next_attempt_at', 19).nullable();
      t.text('last_error').nullable();
      t.string('erp_document_id', 128).nullable();
      t.text('document', 'mediumtext').nullable();
      t.decimal('total', 15, 4).notNullable().defaultTo(0);
      t.string('prepared_at', 19).notNullable();
      t.string('exported_at', 19).nullable();
      t.string('claimed_by', 64).nullable();
      t.string('claimed_until', 19).nullable();
      t.string('updated_at', 19).notNullable();
      t.index(['state', 'next_attempt_at'], `${db.prefix}erpb_outbox_state`);
    });
    // Named leases: one holder at a time per name, taken over once expired (per-URL push
    // serialisation, the scheduler's tasks).
    await db.knex.schema.createTable(db.own('lease'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.string('name', 64).primary();
      t.string('holder', 64).nullable();
      t.bigInteger('expires_at').notNullable().defaultTo(0);
    });
  },
  async down(db) {
    for (const name of ['lease', 'outbox', ...STAGE_KINDS.map((k) => `stage_${k}`), 'category_map', 'product_map', 'journal_item', 'journal_run'])
      await db.knex.schema.dropTableIfExists(db.own(name));
  },
};
