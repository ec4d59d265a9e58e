import type { Database } from '../app/db/database.js';

export interface Migration {
  name: string;
  up(db: Database): Promise<void>;
  down(db: Database): Promise<void>;
}
