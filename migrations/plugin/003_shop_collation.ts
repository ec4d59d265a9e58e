// Plugin tables made before they followed the shop's collation (utf8mb4_unicode_ci on every
// shop) mix collations with OpenCart 4.0's utf8mb4_general_ci in joins. Their text columns take
// the shop's collation family now; binary code columns stay binary. The journal tables are left
// as they are: they never meet a shop column, and a million runs are not worth a rebuild.
import { shopSchema } from '../../app/shop/schema.js';
import type { Migration } from '../types.js';

const ALIGNED = ['product_map', 'category_map', 'stage_prices', 'stage_promo_prices', 'outbox', 'lease', 'method_map', 'admin_user', 'journal_day'];

export const shopCollation: Migration = {
  name: '003_shop_collation',
  async up(db) {
    const collation = (await shopSchema(db)).pluginCollation;
    if (collation) await db.dialect.alignTextCollation(db.knex, ALIGNED.map((t) => db.own(t)), collation);
  },
  async down() {},
};
