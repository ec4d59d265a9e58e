// A small Hungarian demo shop, so a newcomer sees erp-bridge work in one command.
import type { Database } from '../../app/db/database.js';
import type { Migration } from '../types.js';

const ADDED = '2026-01-05 09:00:00';

const PRODUCTS: Array<[model: string, hu: string, en: string, price: number, qty: number, taxClass: number, category: number]> = [
  ['KV-001', 'Kés & villa készlet (24 db)', 'Knife & fork set (24 pcs)', 11811.0236, 25, 9, 2],
  ['KV-002', 'Öntöttvas serpenyő 28 cm', 'Cast iron pan 28 cm', 14960.6299, 8, 9, 2],
  ['KV-003', 'Kávéfőző kotyogós, 6 személyes', 'Moka pot, 6 cups', 7086.6142, 14, 9, 1],
  ['KV-004', 'Fűszertartó állvány', 'Spice rack', 4716.5354, 0, 9, 1],
  ['KE-101', 'Kerti locsolótömlő 25 m', 'Garden hose 25 m', 9370.0787, 12, 9, 3],
  ['KE-102', 'Fűnyíró olló', 'Grass shears', 5110.2362, 6, 9, 3],
  ['KE-103', 'Virágföld 50 l', 'Potting soil 50 l', 2360.6299, 40, 9, 3],
  ['KO-201', 'Szakácskönyv: Magyar ízek', 'Cookbook: Hungarian flavours', 5619.0476, 30, 10, 1],
  ['KO-202', 'Ünnepi sütemények (e-könyv)', 'Festive cakes (e-book)', 2857.1429, 999, 10, 1],
  ['KV-005', 'Rozsdamentes fazék 5 l', 'Stainless pot 5 l', 10944.8819, 5, 9, 2],
];

export const demoShopSeed: Migration = {
  name: '002_demo_shop_seed',
  async up(db: Database) {
    const k = db.knex;
    const ins = (table: string, rows: object[]) => k(db.t(table)).insert(rows);
    await ins('language', [
      { language_id: 1, name: 'Magyar', code: 'hu-hu', locale: 'hu_HU.UTF-8,hu_HU,hu-hu,hungarian', image: 'hu.png', directory: 'hungarian', sort_order: 1, status: 1 },
      { language_id: 2, name: 'English', code: 'en-gb', locale: 'en-US,en_US.UTF-8,en_US,en-gb,english', image: 'gb.png', directory: 'english', sort_order: 2, status: 1 },
    ]);
    await ins('setting', [
      ['config_name', 'Demó Konyha-Kert Webáruház'],
      ['config_url', 'http://localhost/'],
      ['config_language', 'hu-hu'],
      ['config_admin_language', 'hu-hu'],
      ['config_customer_group_id', '1'],
      ['config_order_status_id', '1'],
      ['config_processing_status', '["2","3"]', 1],
      ['config_complete_status', '["5"]', 1],
      ['config_stock_status_id', '5'],
      ['config_weight_class_id', '1'],
      ['config_length_class_id', '1'],
      ['config_tax', '1'],
      ['config_currency', 'HUF'],
    ].map(([key, value, serialized]) => ({ store_id: 0, code: 'config', key, value, serialized: serialized ?? 0 })));
    await ins('extension', [
      { type: 'payment', code: 'cod' }, { type: 'payment', code: 'bank_transfer' }, { type: 'shipping', code: 'flat' }, { type: 'shipping', code: 'pickup' },
    ]);
    await ins('customer_group', [
      { customer_group_id: 1, approval: 0, sort_order: 1 },
      { customer_group_id: 2, approval: 1, sort_order: 2 },
    ]);
    await ins('customer_group_description', [
      { customer_group_id: 1, language_id: 1, name: 'Alapértelmezett', description: '' },
      { customer_group_id: 1, language_id: 2, name: 'Default', description: '' },
      { customer_group_id: 2, language_id: 1, name: 'Viszonteladó', description: '' },
      { customer_group_id: 2, language_id: 2, name: 'Reseller', description: '' },
    ]);
    await ins('tax_class', [
      { tax_class_id: 9, title: 'Áfa 27%', description: 'Általános kulcs', date_added: ADDED, date_modified: ADDED },
      { tax_class_id: 10, title: 'Áfa 5%', description: 'Kedvezményes kulcs', date_added: ADDED, date_modified: ADDED },
    ]);
    await ins('tax_rate', [
      { tax_rate_id: 1, geo_zone_id: 1, name: 'ÁFA (27%)', rate: 27, type: 'P', date_added: ADDED, date_modified: ADDED },
      { tax_rate_id: 2, geo_zone_id: 1, name: 'ÁFA (5%)', rate: 5, type: 'P', date_added: ADDED, date_modified: ADDED },
    ]);
    await ins('tax_rule', [
      { tax_rule_id: 1, tax_class_id: 9, tax_rate_id: 1, based: 'shipping', priority: 1 },
      { tax_rule_id: 2, tax_class_id: 10, tax_rate_id: 2, based: 'shipping', priority: 1 },
    ]);
    await ins('stock_status', [
      { stock_status_id: 5, language_id: 1, name: 'Nincs készleten' },
      { stock_status_id: 5, language_id: 2, name: 'Out Of Stock' },
      { stock_status_id: 7, language_id: 1, name: 'Raktáron' },
      { stock_status_id: 7, language_id: 2, name: 'In Stock' },
    ]);
    const statuses: Array<[number, string, string]> = [
      [1, 'Függőben', 'Pending'], [2, 'Feldolgozás alatt', 'Processing'], [3, 'Szállítva', 'Shipped'],
      [5, 'Teljesítve', 'Complete'], [7, 'Törölve', 'Canceled'],
    ];
    await ins('order_status', statuses.flatMap(([id, hu, en]) => [
      { order_status_id: id, language_id: 1, name: hu },
      { order_status_id: id, language_id: 2, name: en },
    ]));
    const categories: Array<[number, number, string, string, number]> = [
      [1, 0, 'Konyha', 'Kitchen', 1], [2, 1, 'Edények & evőeszközök', 'Cookware & cutlery', 1], [3, 0, 'Kert', 'Garden', 2],
    ];
    await ins('category', categories.map(([id, parent, , , sort]) => ({
      category_id: id, image: '', parent_id: parent, top: parent === 0 ? 1 : 0, column: 1, sort_order: sort, status: 1, date_added: ADDED, date_modified: ADDED,
    })));
    await ins('category_description', categories.flatMap(([id, , hu, en]) => [
      { category_id: id, language_id: 1, name: hu.replace(/&/g, '&amp;'), description: '', meta_title: hu.replace(/&/g, '&amp;'), meta_description: '', meta_keyword: '' },
      { category_id: id, language_id: 2, name: en.replace(/&/g, '&amp;'), description: '', meta_title: en.replace(/&/g, '&amp;'), meta_description: '', meta_keyword: '' },
    ]));
    await ins('category_path', [
      { category_id: 1, path_id: 1, level: 0 }, { category_id: 2, path_id: 1, level: 0 }, { category_id: 2, path_id: 2, level: 1 }, { category_id: 3, path_id: 3, level: 0 },
    ]);
    await ins('category_to_store', categories.map(([id]) => ({ category_id: id, store_id: 0 })));
    await ins('product', PRODUCTS.map(([model, , , price, qty, taxClass], i) => ({
      product_id: 50 + i, model, sku: '', upc: '', ean: '', jan: '', isbn: '', mpn: '', location: '', quantity: qty,
      stock_status_id: 5, image: '', manufacturer_id: 0, shipping: 1, price, points: 0, tax_class_id: taxClass,
      date_available: '2026-01-05', weight: 0, weight_class_id: 1, length: 0, width: 0, height: 0, length_class_id: 1,
      subtract: 1, minimum: 1, sort_order: 0, status: 1, viewed: 0, date_added: ADDED, date_modified: ADDED,
    })));
    const enc = (s: string) => s.replace(/&/g, '&amp;');
    await ins('product_description', PRODUCTS.flatMap(([, hu, en], i) => [
      { product_id: 50 + i, language_id: 1, name: enc(hu), description: '', tag: '', meta_title: enc(hu), meta_description: '', meta_keyword: '' },
      { product_id: 50 + i, language_id: 2, name: enc(en), description: '', tag: '', meta_title: enc(en), meta_description: '', meta_keyword: '' },
    ]));
    await ins('product_to_store', PRODUCTS.map((_, i) => ({ product_id: 50 + i, store_id: 0 })));
    await ins('product_to_category', PRODUCTS.map(([, , , , , , cat], i) => ({ product_id: 50 + i, category_id: cat })));
    // The owner's own special (priority 1): erp-bridge must never touch it.
    await ins('product_special', [
      { product_id: 51, customer_group_id: 1, priority: 1, price: 12992.126, date_start: '0000-00-00', date_end: '0000-00-00' },
    ]);
    // Three checkouts: one abandoned (status 0, never exported) and two paid, for the export.
    const orders: Array<[number, number, string, string, string, Array<[number, number]>]> = [
      [1, 0, 'Nagy', 'Péter', 'peter@example.hu', [[52, 1]]],
      [2, 2, 'Kovács', 'Éva', 'eva@example.hu', [[50, 2], [56, 3]]],
      [3, 2, 'Szabó', 'Anna', 'anna@example.hu', [[57, 1]]],
    ];
    for (const [id, status, last, first, email, lines] of orders) {
      const sub = lines.reduce((a, [pid, q]) => a + PRODUCTS[pid - 50]![3] * q, 0);
      const shipping = 1181.1024;
      const tax = lines.reduce((a, [pid, q]) => a + PRODUCTS[pid - 50]![3] * q * (PRODUCTS[pid - 50]![5] === 9 ? 0.27 : 0.05), 0) + shipping * 0.27;
      const total = Math.round((sub + shipping + tax) * 10000) / 10000;
      const addr = (p: string) => ({ [`${p}_firstname`]: first, [`${p}_lastname`]: last, [`${p}_company`]: '', [`${p}_address_1`]: 'Fő utca 1.', [`${p}_address_2`]: '', [`${p}_city`]: 'Budapest', [`${p}_postcode`]: '1011', [`${p}_country`]: 'Magyarország', [`${p}_country_id`]: 97, [`${p}_zone`]: 'Budapest', [`${p}_zone_id`]: 1, [`${p}_address_format`]: '', [`${p}_custom_field`]: '[]' });
      await ins('order', [{
        order_id: id, invoice_no: 0, invoice_prefix: 'DEMO-', store_id: 0, store_name: 'Demó Konyha-Kert Webáruház', store_url: 'http://localhost/', customer_id: 0, customer_group_id: 1,
        firstname: first, lastname: last, email, telephone: '+36 1 234 5678', fax: '', custom_field: '[]', ...addr('payment'), payment_method: 'Utánvét', payment_code: 'cod',
        ...addr('shipping'), shipping_method: 'Futárszolgálat', shipping_code: 'flat.flat', comment: '', total, order_status_id: status, affiliate_id: 0, commission: 0,
        marketing_id: 0, tracking: '', language_id: 1, currency_id: 1, currency_code: 'HUF', currency_value: 1, ip: '127.0.0.1', forwarded_ip: '', user_agent: 'demo',
        accept_language: 'hu', date_added: `2026-01-0${5 + id} 10:00:00`, date_modified: `2026-01-0${5 + id} 10:00:00`,
      }]);
      await ins('order_product', lines.map(([pid, q]) => {
        const [model, name, , price, , cls] = PRODUCTS[pid - 50]!;
        return { order_id: id, product_id: pid, name: name.replace(/&/g, '&amp;'), model, quantity: q, price, total: price * q, tax: price * (cls === 9 ? 0.27 : 0.05), reward: 0 };
      }));
      await ins('order_total', [
        { order_id: id, code: 'sub_total', title: 'Részösszeg', value: sub, sort_order: 1 },
        { order_id: id, code: 'shipping', title: 'Futárszolgálat', value: shipping, sort_order: 3 },
        { order_id: id, code: 'tax', title: 'ÁFA', value: tax, sort_order: 5 },
        { order_id: id, code: 'total', title: 'Összesen', value: total, sort_order: 9 },
      ]);
      if (status) await ins('order_history', [{ order_id: id, order_status_id: status, notify: 0, comment: '', date_added: `2026-01-0${5 + id} 10:05:00` }]);
    }
  },
  async down(db) {
    for (const t of ['extension', 'order_total', 'order_product', 'order_history', 'order', 'product_special', 'product_to_category', 'product_to_store', 'product_description', 'product', 'category_to_store', 'category_path', 'category_description', 'category', 'order_status', 'stock_status', 'tax_rule', 'tax_rate', 'tax_class', 'customer_group_description', 'customer_group', 'setting', 'language'])
      await db.knex(db.t(t)).delete();
  },
};
