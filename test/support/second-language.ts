// A second language on every database the suites use, added as OpenCart's admin adds one
// (admin/model/localisation/language.php addLanguage: the language row, then a copy of every
// translated row of the default language), so that multi-language assertions bite on MariaDB and
// on the real releases too, not only on the SQLite demo shop (Hungarian and English).
import mysql from 'mysql2/promise';

/** The tables OpenCart's addLanguage copies (3.0; 4.x adds the subscription and article ones). */
const TRANSLATED = [
  'attribute_description', 'attribute_group_description', 'banner_image', 'category_description', 'customer_group_description',
  'custom_field_description', 'custom_field_value_description', 'download_description', 'filter_description', 'filter_group_description',
  'information_description', 'length_class_description', 'option_description', 'option_value_description', 'order_status',
  'product_description', 'product_attribute', 'return_action', 'return_reason', 'return_status', 'stock_status',
  'voucher_theme_description', 'weight_class_description', 'recurring_description', 'subscription_plan_description', 'subscription_status',
];

export const SECOND_LANGUAGE = { name: 'Magyar', code: 'hu-hu', locale: 'hu_HU.UTF-8,hu_HU,hu-hu,hungarian' };

/**
 * Adds Hungarian beside the shop's default language (English in OpenCart's own install); returns
 * its id. `enabled: false` on a real install: a disabled language is still one the admin writes
 * every description for, but the storefront (which picks a language from the browser's
 * Accept-Language among the enabled ones) keeps serving the default one, whose files exist.
 */
export async function addSecondLanguage(databaseUrl: string, prefix: string, opts: { enabled?: boolean } = {}): Promise<number> {
  const conn = await mysql.createConnection({ uri: databaseUrl, charset: 'utf8mb4' });
  try {
    await conn.query("SET SESSION sql_mode = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'");
    const [langCols] = await conn.query(`SHOW COLUMNS FROM \`${prefix}language\``);
    const has = new Set((langCols as Array<{ Field: string }>).map((c) => c.Field));
    const row: Record<string, string | number> = { name: SECOND_LANGUAGE.name, code: SECOND_LANGUAGE.code, locale: SECOND_LANGUAGE.locale, sort_order: 2, status: opts.enabled === false ? 0 : 1 };
    if (has.has('image')) row.image = 'hu.png';
    if (has.has('directory')) row.directory = 'hungarian';
    if (has.has('extension')) row.extension = '';
    const [res] = await conn.query(`INSERT INTO \`${prefix}language\` SET ?`, [row]);
    const languageId = (res as { insertId: number }).insertId;
    const [[first]] = (await conn.query(`SELECT MIN(language_id) AS id FROM \`${prefix}language\` WHERE language_id <> ?`, [languageId])) as unknown as [[{ id: number }]];
    for (const table of TRANSLATED) {
      const [cols] = await conn.query('SELECT COLUMN_NAME AS c, EXTRA AS extra FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [`${prefix}${table}`]);
      // As OpenCart's addLanguage(): where language_id is part of the primary key (order_status,
      // stock_status, return_status…), the row keeps its id, so a status is the same id in every
      // language; a table with its own id per row (banner_image) gets a new one.
      const [keys] = await conn.query(`SHOW KEYS FROM \`${prefix}${table}\` WHERE Key_name = 'PRIMARY'`).catch(() => [[]]);
      const perLanguageKey = (keys as Array<{ Column_name: string }>).some((k) => k.Column_name === 'language_id');
      const columns = (cols as Array<{ c: string; extra: string }>).filter((c) => perLanguageKey || !/auto_increment/i.test(c.extra)).map((c) => c.c);
      if (!columns.includes('language_id')) continue; // not in this release
      const list = columns.map((c) => `\`${c}\``).join(', ');
      const select = columns.map((c) => (c === 'language_id' ? '?' : `\`${c}\``)).join(', ');
      await conn.query(`INSERT INTO \`${prefix}${table}\` (${list}) SELECT ${select} FROM \`${prefix}${table}\` WHERE language_id = ?`, [languageId, first.id]);
    }
    return languageId;
  } finally {
    await conn.end();
  }
}
