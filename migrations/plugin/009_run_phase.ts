// A running push reports what it is doing, not only how many records it has: the phase
// (reading, matching, writing) and how far along it is, in percent.
import type { Migration } from '../types.js';

export const runPhase: Migration = {
  name: '009_run_phase',
  async up(db) {
    await db.knex.schema.alterTable(db.own('journal_run'), (t) => {
      t.string('phase', 16).nullable();
      t.smallint('percent').nullable();
    });
  },
  async down(db) {
    await db.knex.schema.alterTable(db.own('journal_run'), (t) => {
      t.dropColumn('phase');
      t.dropColumn('percent');
    });
  },
};
