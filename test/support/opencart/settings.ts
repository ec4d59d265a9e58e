// Reads the shop's own settings (store 0), the way OpenCart's config holds them.
import type { OpenCartShop } from './install.js';

/** Values of `config_*` settings of store 0 (absent keys are missing from the answer). */
export async function shopConfig(shop: OpenCartShop, keys: string[]): Promise<Record<string, string>> {
  const rows = await shop.query<Array<{ key: string; value: string }>>(
    `SELECT \`key\`, \`value\` FROM \`${shop.prefix}setting\` WHERE store_id = 0 AND \`key\` IN (?)`,
    [keys],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** The storefront's default language code: 4.1 keeps it in config_language_catalog, older releases in config_language. */
export async function storefrontLanguage(shop: OpenCartShop): Promise<{ code: string; languageId: number }> {
  const cfg = await shopConfig(shop, ['config_language', 'config_language_catalog']);
  const code = cfg.config_language_catalog ?? cfg.config_language;
  const [row] = code
    ? await shop.query<Array<{ language_id: number }>>(`SELECT language_id FROM \`${shop.prefix}language\` WHERE code = ?`, [code])
    : [];
  if (!code || !row) throw new Error(`the shop has no default storefront language (${code ?? 'unset'})`);
  return { code, languageId: row.language_id };
}
