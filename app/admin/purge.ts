// `erp-bridge purge`: removes erp-bridge's own tables and settings from the shop's database,
// on purpose. The shop's own tables and rows are not touched, nor the module files or the
// `extension` row the shop's installer manages (uninstall the module in the shop for those).
import type { Database } from '../db/database.js';
import { LEGACY_SETTING_CODE, SETTING_CODE } from '../shop/extension.js';

export interface PurgeReport {
  tablesDropped: string[];
  settingsDeleted: number;
}

/** erp-bridge's own tables (`<prefix>erp_bridge_*`, its migration tables included). */
export async function ownTables(db: Database): Promise<string[]> {
  const mine = db.own('');
  return (await db.dialect.listTables(db.knex)).filter((t) => t.startsWith(mine)).sort();
}

export async function purge(db: Database): Promise<PurgeReport> {
  const tables = await ownTables(db);
  for (const t of tables) await db.knex.schema.dropTableIfExists(t);
  const settingsDeleted = await db.knex(db.t('setting')).whereIn('code', [SETTING_CODE, LEGACY_SETTING_CODE]).delete();
  return { tablesDropped: tables, settingsDeleted };
}
