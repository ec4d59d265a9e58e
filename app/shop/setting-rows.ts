// The shop's `setting` table, store 0, as OpenCart extensions use it: one row per key, keys
// prefixed with the extension code, arrays as JSON with serialized = 1.
import type { Database } from '../db/database.js';

export interface SettingRow {
  key: string;
  value: string;
  serialized: number;
}

export async function readSettingRows(db: Database, code: string, storeId = 0): Promise<SettingRow[]> {
  return db.knex(db.t('setting')).where({ store_id: storeId, code }).select('key', 'value', 'serialized');
}

export async function readConfigValue(db: Database, key: string): Promise<string | undefined> {
  const row = await db.knex(db.t('setting')).where({ store_id: 0, code: 'config', key }).first('value');
  return row?.value as string | undefined;
}

/** Writes the given keys of one code: each key's row is replaced, others are left alone. */
export async function writeSettingRows(db: Database, code: string, rows: SettingRow[], storeId = 0): Promise<void> {
  if (rows.length === 0) return;
  const table = db.t('setting');
  // No transactions on MyISAM: insert the new rows first, then delete older rows of the same
  // keys, so a crash in between leaves duplicates (the newest wins on read) but never a gap.
  const before = await db.knex(table).max({ max: 'setting_id' }).first();
  const maxId = Number(before?.max ?? 0);
  await db.knex(table).insert(rows.map((r) => ({ store_id: storeId, code, key: r.key, value: r.value, serialized: r.serialized })));
  await db.knex(table)
    .where({ store_id: storeId, code })
    .whereIn('key', rows.map((r) => r.key))
    .andWhere('setting_id', '<=', maxId)
    .delete();
}

/** Reads rows so that, if duplicates exist after a crash, the newest row of a key wins. */
export async function readSettingMap(db: Database, code: string): Promise<Map<string, SettingRow>> {
  const rows = await db.knex(db.t('setting')).where({ store_id: 0, code }).orderBy('setting_id').select('key', 'value', 'serialized');
  const map = new Map<string, SettingRow>();
  for (const r of rows as SettingRow[]) map.set(r.key, r);
  return map;
}
