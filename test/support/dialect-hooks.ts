// The same database seen through a dialect with some of its helpers replaced: a test makes one
// step fail as the database would (a refused insert, a failing statement), or records the calls,
// while every other helper and the connection stay the real ones.
import type { Database } from '../../app/db/database.js';

type Dialect = Database['dialect'];

export function withDialect(db: Database, replace: (real: Dialect) => Partial<Dialect>): Database {
  const dialect = Object.assign(Object.create(db.dialect) as Dialect, replace(db.dialect));
  return { ...db, dialect };
}
