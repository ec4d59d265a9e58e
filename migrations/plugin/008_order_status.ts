// Order status from the ERP (issue 15): what the ERP last said about each order (state, invoice
// number, carrier, tracking number; shown on the orders page), and the queue of status changes
// for the shop's own API: a change waits here until OpenCart accepted it, so none is lost while
// the shop cannot be reached.
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

export const orderStatus: Migration = {
  name: '008_order_status',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    await db.knex.schema.createTable(db.own('order_erp_state'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.integer('order_id').primary();
      t.string('erp_state', 20).notNullable();
      t.string('invoice_number', 64).notNullable().defaultTo('');
      t.string('tracking_number', 64).notNullable().defaultTo('');
      t.string('carrier', 64).notNullable().defaultTo('');
      // The shop status the ERP state was mapped to (the order's status once OpenCart applied it).
      t.integer('shop_status_id').notNullable().defaultTo(0);
      t.bigInteger('run_id').nullable();
      t.string('updated_at', 19).notNullable();
    });
    await db.knex.schema.createTable(db.own('status_queue'), (t) => {
      db.dialect.tableOptions(t, collation);
      t.bigIncrements('id');
      t.integer('order_id').notNullable();
      t.string('erp_state', 20).notNullable();
      t.integer('order_status_id').notNullable();
      t.tinyint('notify').notNullable().defaultTo(0);
      t.tinyint('override').notNullable().defaultTo(0);
      t.text('comment').nullable();
      t.string('state', 16).notNullable(); // waiting, applied, failed
      t.integer('attempts').notNullable().defaultTo(0);
      t.string('next_attempt_at', 19).nullable();
      t.text('last_error').nullable();
      t.string('applied_via', 16).nullable(); // api, direct
      t.bigInteger('run_id').nullable();
      t.string('created_at', 19).notNullable();
      t.string('applied_at', 19).nullable();
      t.index(['state', 'id'], `${db.prefix}erpb_squeue_state`);
      t.index(['order_id', 'id'], `${db.prefix}erpb_squeue_order`);
    });
  },
  async down(db) {
    await db.knex.schema.dropTableIfExists(db.own('status_queue'));
    await db.knex.schema.dropTableIfExists(db.own('order_erp_state'));
  },
};
