// The promo prices' staging table is loaded with every record of a promo push (100,000 rows for a
// 100,000-record document) and emptied after it: it needs no transaction and no crash recovery,
// and on InnoDB its load was the longest step before the shop is written. On MySQL/MariaDB it
// moves to MyISAM (`useScratchEngine`); a server without MyISAM keeps InnoDB, and SQLite has one
// engine. Measured (round 24, `--only push --cases promo --repeat 6`, 100,000 products on
// 3.0.4.1): the first promo push 1.44–1.77 s, against 1.56–2.36 s on InnoDB.
//
// Full sync's stage stays InnoDB: on MyISAM the same bench's full sync took 9.5–9.8 s against
// 6.1–6.6 s (its three lanes and its SQL classification over the stage; not looked into further).
// Running this again moves a table already moved, harmlessly (it is empty between pushes).
import type { Migration } from '../types.js';

export const scratchStage: Migration = {
  name: '015_scratch_stage',
  async up(db) {
    await db.dialect.useScratchEngine(db.knex, db.own('stage_promo_prices'));
  },
  async down() {
    // Nothing to undo: the code before this migration reads and writes the stage on either engine.
  },
};
