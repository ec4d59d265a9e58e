import type { Database } from '../db/database.js';
import { shopSchema } from './schema.js';

export const EXTENSION_CODE = 'erp_bridge';
export const SETTING_CODE = 'module_erp_bridge';

/**
 * Registers the module in the shop's `extension` table, once. OpenCart 4 also names the
 * package (`extension` column: NOT NULL on 4.0, and a NULL there makes 4.1 print a PHP
 * deprecation into every page); the schema profile fills it where it exists.
 */
export async function registerExtension(db: Database): Promise<boolean> {
  const table = db.t('extension');
  const existing = await db.knex(table).where({ type: 'module', code: EXTENSION_CODE }).first('extension_id');
  if (existing) return false;
  const schema = await shopSchema(db);
  await db.knex(table).insert(schema.completeRow('extension', { extension: EXTENSION_CODE, type: 'module', code: EXTENSION_CODE }));
  return true;
}
