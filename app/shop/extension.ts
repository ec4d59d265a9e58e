import type { Database } from '../db/database.js';

export const EXTENSION_CODE = 'erp_bridge';
export const SETTING_CODE = 'module_erp_bridge';

/** Registers the module in the shop's `extension` table, once. */
export async function registerExtension(db: Database): Promise<boolean> {
  const table = db.t('extension');
  const existing = await db.knex(table).where({ type: 'module', code: EXTENSION_CODE }).first('extension_id');
  if (existing) return false;
  await db.knex(table).insert({ type: 'module', code: EXTENSION_CODE });
  return true;
}
