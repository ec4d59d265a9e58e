// erp-bridge's place in the shop's `setting` and `extension` tables.
//
// Settings live under the code `erp_bridge`, which no OpenCart page ever deletes: OpenCart removes
// `module_<code>` rows when a module is uninstalled or when its files are missing (Extensions →
// Modules does that on every visit), so the old `module_erp_bridge` code lost the configuration.
// The `extension` row is written only by the shop's own installer, through the PHP package in
// opencart/, never by erp-bridge (a row without module files is removed by OpenCart, and on 4.x
// needs a package name).
import type { Database } from '../db/database.js';
import { readSettingMap, writeSettingRows, type SettingRow } from './setting-rows.js';

export const EXTENSION_CODE = 'erp_bridge';
export const SETTING_CODE = 'erp_bridge';
/** Where erp-bridge kept its settings before: OpenCart deletes this code on uninstall. */
export const LEGACY_SETTING_CODE = 'module_erp_bridge';
/** Written by the PHP module's install hook: the shop has (or had) the package installed. */
export const PACKAGE_MARKER_KEY = 'erp_bridge_package';

export type ModuleState = 'standalone' | 'installed' | 'uninstalled';

/**
 * standalone: the package was never installed in the shop (erp-bridge works on its own);
 * installed: the package is installed (the `extension` row exists);
 * uninstalled: the package was installed once and is not now (erp-bridge is disabled).
 */
export async function moduleState(db: Database): Promise<ModuleState> {
  const marker = await db.knex(db.t('setting')).where({ store_id: 0, code: SETTING_CODE, key: PACKAGE_MARKER_KEY }).first('setting_id');
  if (!marker) return 'standalone';
  const row = await db.knex(db.t('extension')).where({ type: 'module', code: EXTENSION_CODE }).first('extension_id');
  return row ? 'installed' : 'uninstalled';
}

/**
 * Moves settings an older erp-bridge stored under `module_erp_bridge` to `erp_bridge` (keys
 * renamed the same way; a key already stored under the new code wins), then removes the old
 * rows and the `extension` row it wrote without module files. Returns the keys moved.
 */
export async function migrateLegacySettings(db: Database): Promise<string[]> {
  const old = await readSettingMap(db, LEGACY_SETTING_CODE);
  const current = await readSettingMap(db, SETTING_CODE);
  const moved: SettingRow[] = [];
  for (const row of old.values()) {
    const key = SETTING_CODE + row.key.slice(LEGACY_SETTING_CODE.length);
    if (!row.key.startsWith(`${LEGACY_SETTING_CODE}_`) || key === `${SETTING_CODE}_status` || current.has(key)) continue;
    moved.push({ key, value: row.value, serialized: row.serialized });
  }
  await writeSettingRows(db, SETTING_CODE, moved);
  if (old.size > 0) await db.knex(db.t('setting')).where({ code: LEGACY_SETTING_CODE }).delete();
  // The old erp-bridge registered an `extension` row itself; with no package installed
  // (no marker) that row has no files behind it, so OpenCart would drop it anyway.
  if (!current.has(PACKAGE_MARKER_KEY)) await db.knex(db.t('extension')).where({ type: 'module', code: EXTENSION_CODE }).delete();
  return moved.map((r) => r.key);
}
