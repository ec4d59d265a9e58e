// The check of a pushed product document before anything is written (docs/integration.md,
// "Fields" and "Rules"): which records are staged with which values, which are refused as
// `invalid` or left `ignored` with which reason, and which field names are reported as ignored
// or unknown. Pure: no database; the push service hands the staged rows to the shop writers.
import { describe, expect, it } from 'vitest';
import { emptyFields, type RawRecord } from '../../app/erp/record.js';
import type { JournalItem } from '../../app/plugin/journal.js';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import { ProductValidator, settleTwins, TwinCodes, twinReason, validateProducts, type Checked } from '../../app/sync/validate-products.js';

type Kind = 'prices' | 'stock' | 'promo-prices';

const settings = (over: Partial<Settings> = {}): Settings => ({ ...DEFAULTS, ...over });
const full = (over: Partial<Settings> = {}) => settings({ sync_type: 'full', vat_map: { '27': 9, '5': 10, '5.5': 11, '0': 12, '100': 13 }, ...over });

let seq = 0;
const rec = (fields: Record<string, string>, at = ++seq): RawRecord => ({ seq: at, line: at * 10, fields: Object.assign(emptyFields(), fields) });
const check = (kind: Kind, fields: Record<string, string>, s: Settings = settings(), imageDir: string | null = null): Checked =>
  new ProductValidator(kind, s, { imageDir }).check(rec(fields));
/** The reason code and values a record was refused with, and its outcome. */
const refusedAs = (c: Checked) => {
  expect(c.row).toBeUndefined();
  return [c.rejected!.outcome, c.rejected!.reasonCode, c.rejected!.reasonVars];
};
const rowOf = (c: Checked) => {
  expect(c.rejected).toBeUndefined();
  return c.row!;
};

// A PNG is recognised by its 8-byte signature; the rest of the bytes are not looked at.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const pngUri = (extra = 0) => `data:image/png;base64,${Buffer.concat([PNG, Buffer.from([extra])]).toString('base64')}`;

describe('the product code (termekkod)', () => {
  it('a record without a code, or with only white space, is invalid, naming its record and line, and is refused before the twin check', () => {
    for (const fields of [{ ar: '5' }, { termekkod: '', ar: '5' }, { termekkod: ' \t ', ar: '5' }]) {
      const c = new ProductValidator('prices', settings()).check({ seq: 4, line: 17, fields: Object.assign(emptyFields(), fields) });
      expect(c.code).toBe('');
      expect(c.early).toBe(true);
      expect(c.rejected).toEqual({
        seq: 4, code: '', outcome: 'invalid', reason: 'record 4 (line 17) has no termekkod', reasonCode: 'no_code', reasonVars: { record: 4, line: 17, field: 'termekkod' },
      });
    }
  });

  it('is trimmed on both sides, and kept as the ERP sent it (not encoded) in the staged row', () => {
    const c = check('prices', { termekkod: '  KV&1 ', ar: '5' });
    expect(c.code).toBe('KV&1');
    expect(rowOf(c)).toEqual({ seq: expect.any(Number), code: 'KV&1', price: 5 });
    expect(c.early).toBeUndefined();
  });

  it("is refused when longer than the shop's code column as the shop stores it (HTML special characters encoded), per code field", () => {
    const widths = { model: 64, sku: 64, upc: 12, ean: 14, jan: 13, isbn: 17, mpn: 64 } as const;
    for (const [field, max] of Object.entries(widths)) {
      const s = settings({ product_code_field: field as Settings['product_code_field'] });
      expect(rowOf(check('prices', { termekkod: 'C'.repeat(max), ar: '1' }, s)).code).toHaveLength(max);
      const long = check('prices', { termekkod: 'C'.repeat(max + 1), ar: '1' }, s);
      expect(long.early).toBe(true);
      expect(refusedAs(long)).toEqual(['invalid', 'code_too_long_shop', { field: 'termekkod', codeField: field, max }]);
      expect(long.rejected!.reason).toBe(`termekkod is longer than the shop's ${field} column (${max} characters, as the shop stores it)`);
      // '&' is stored as '&amp;' (5 characters): 9 raw characters that take 13 in the column.
      if (max === 12) expect(refusedAs(check('prices', { termekkod: 'KV&123456', ar: '1' }, s))[1]).toBe('code_too_long_shop');
      if (max === 12) expect(rowOf(check('prices', { termekkod: 'KV&12345', ar: '1' }, s)).code).toBe('KV&12345');
    }
  });
});

describe('prices', () => {
  it('stages the net price as price, or the gross price as gross, per setting price_basis', () => {
    expect(rowOf(check('prices', { termekkod: 'A', ar: '1 234,50' }))).toEqual({ seq: expect.any(Number), code: 'A', price: 1234.5 });
    expect(rowOf(check('prices', { termekkod: 'A', ar: '1234.5' }, settings({ price_basis: 'gross' })))).toEqual({ seq: expect.any(Number), code: 'A', gross: 1234.5 });
  });

  it('keeps four decimals, rounded', () => {
    expect(rowOf(check('prices', { termekkod: 'A', ar: '1.23456' })).price).toBe(1.2346);
    expect(rowOf(check('prices', { termekkod: 'A', ar: '1.23454' })).price).toBe(1.2345);
  });

  it('takes 0 and the largest price the shop column holds, and refuses what is not a number, negative or larger', () => {
    expect(rowOf(check('prices', { termekkod: 'A', ar: '0' })).price).toBe(0);
    expect(rowOf(check('prices', { termekkod: 'A', ar: '99999999999' })).price).toBe(99_999_999_999);
    expect(refusedAs(check('prices', { termekkod: 'A', ar: '100000000000' }))).toEqual(['invalid', 'too_large', { field: 'ar', value: '100000000000' }]);
    expect(refusedAs(check('prices', { termekkod: 'A', ar: '99999999999.01' }))).toEqual(['invalid', 'too_large', { field: 'ar', value: '99999999999.01' }]);
    expect(refusedAs(check('prices', { termekkod: 'A', ar: '-5' }))).toEqual(['invalid', 'negative', { field: 'ar', value: '-5' }]);
    expect(refusedAs(check('prices', { termekkod: 'A', ar: '-0.0001' }))).toEqual(['invalid', 'negative', { field: 'ar', value: '-0.0001' }]);
    const nan = check('prices', { termekkod: 'A', ar: '1 2 3' });
    expect(refusedAs(nan)).toEqual(['invalid', 'not_number', { field: 'ar', value: '1 2 3' }]);
    expect(nan.rejected!.reason).toBe('ar "1 2 3" is not a number');
  });

  it('quotes at most 60 characters of a refused value', () => {
    const c = check('prices', { termekkod: 'A', ar: '9x'.repeat(50) });
    expect(c.rejected!.reasonVars!.value).toBe(`${'9x'.repeat(30)}… (100 characters)`);
  });

  it('a record without ar (or with only white space) is ignored in stock-and-price sync: nothing to apply', () => {
    for (const fields of [{ termekkod: 'A' }, { termekkod: 'A', ar: '  ' }, { termekkod: 'A', nev: 'Kés', szabadraktar: '5' }] as Array<Record<string, string>>) {
      const c = check('prices', fields);
      expect(refusedAs(c)).toEqual(['ignored', 'nothing_to_apply', { field: 'ar' }]);
      expect(c.early).toBe(false);
      expect(c.rejected!.reason).toBe('no ar: nothing to apply');
    }
  });

  it('full-sync fields are not applied in stock-and-price sync', () => {
    expect(rowOf(check('prices', { termekkod: 'A', ar: '5', nev: 'Kés', mee: 'db', afakulcs: '27', kat: 'K1', kep: 'catalog/a.jpg', tmegjegyzes: 'x' }))).toEqual({ seq: expect.any(Number), code: 'A', price: 5 });
  });
});

describe('full sync product data', () => {
  it('a record with neither ar nor any product data is ignored; product data alone is staged without a price', () => {
    expect(refusedAs(check('prices', { termekkod: 'A', nev: ' ', szabadraktar: '3' }, full()))).toEqual(['ignored', 'no_price_or_data', {}]);
    for (const [f, v] of [['nev', 'Kés'], ['mee', 'db'], ['afakulcs', '27'], ['kep', 'catalog/a.jpg'], ['kat', 'K1'], ['tmegjegyzes', 'Leírás']] as const) {
      const row = rowOf(check('prices', { termekkod: 'A', [f]: v }, full()));
      expect(row.price).toBeUndefined();
      expect(row.gross).toBeUndefined();
    }
  });

  it('stages every field: the name and description encoded as OpenCart stores them, the unit and category as sent', () => {
    const row = rowOf(check('prices', { termekkod: 'A', ar: '10', nev: ' Kés & "villa" <b> ', tmegjegyzes: 'Egy & kettő', mee: ' m&m ', kat: ' K&1 ', afakulcs: '27', kep: ' https://x.hu/a b.jpg '.replace(' b', 'b') }, full()));
    expect(row).toEqual({
      seq: expect.any(Number), code: 'A', price: 10, name: 'Kés &amp; &quot;villa&quot; &lt;b&gt;', description: 'Egy &amp; kettő', unit: 'm&m', category_code: 'K&1',
      vat: 27, tax_class_id: 9, image: 'https://x.hu/ab.jpg',
    });
  });

  it('nev fits 255 characters as stored; tmegjegyzes 60000; mee 32 and kat 64 as sent', () => {
    const s = full();
    expect(rowOf(check('prices', { termekkod: 'A', nev: 'n'.repeat(255) }, s)).name).toHaveLength(255);
    expect(refusedAs(check('prices', { termekkod: 'A', nev: 'n'.repeat(256) }, s))).toEqual(['invalid', 'too_long_stored', { field: 'nev', max: 255 }]);
    // 252 characters, one of them '&': 256 stored; one fewer fits exactly.
    expect(refusedAs(check('prices', { termekkod: 'A', nev: `${'n'.repeat(251)}&` }, s))).toEqual(['invalid', 'too_long_stored', { field: 'nev', max: 255 }]);
    expect(rowOf(check('prices', { termekkod: 'A', nev: `${'n'.repeat(250)}&` }, s)).name).toBe(`${'n'.repeat(250)}&amp;`);
    expect(rowOf(check('prices', { termekkod: 'A', tmegjegyzes: 'd'.repeat(60_000) }, s)).description).toHaveLength(60_000);
    expect(refusedAs(check('prices', { termekkod: 'A', tmegjegyzes: 'd'.repeat(60_001) }, s))).toEqual(['invalid', 'too_long_stored', { field: 'tmegjegyzes', max: 60_000 }]);
    expect(rowOf(check('prices', { termekkod: 'A', mee: `${'u'.repeat(31)}&` }, s)).unit).toHaveLength(32);
    const unit = check('prices', { termekkod: 'A', mee: 'u'.repeat(33) }, s);
    expect(refusedAs(unit)).toEqual(['invalid', 'too_long', { field: 'mee', max: 32 }]);
    expect(unit.rejected!.reason).toBe('mee is longer than 32 characters');
    expect(rowOf(check('prices', { termekkod: 'A', kat: `${'k'.repeat(63)}&` }, s)).category_code).toHaveLength(64);
    expect(refusedAs(check('prices', { termekkod: 'A', kat: 'k'.repeat(65) }, s))).toEqual(['invalid', 'too_long', { field: 'kat', max: 64 }]);
  });

  it("refuses a 4-byte character (the 3.0 tables are utf8) and a control character, but keeps tabs, line breaks and every character of the BMP", () => {
    const s = full();
    for (const bad of ['Kés 😀', 'a\u{10000}', 'a\u{10FFFF}']) expect(refusedAs(check('prices', { termekkod: 'A', nev: bad }, s))).toEqual(['invalid', 'four_byte', { field: 'nev' }]);
    for (const c of ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f']) {
      const r = check('prices', { termekkod: 'A', tmegjegyzes: `a${c}b` }, s);
      expect(refusedAs(r)).toEqual(['invalid', 'control_char', { field: 'tmegjegyzes' }]);
      expect(r.rejected!.reason).toBe('tmegjegyzes holds a control character');
    }
    for (const ok of ['a\tb', 'a\nb', 'a\r\nb', 'a b', 'ő\uFFFD\u00A0\uFFFF', 'a\u007Fb']) expect(rowOf(check('prices', { termekkod: 'A', tmegjegyzes: ok }, s)).description).toBe(ok);
    // The unit is checked the same way, though it is not encoded.
    expect(refusedAs(check('prices', { termekkod: 'A', mee: 'd😀' }, s))).toEqual(['invalid', 'four_byte', { field: 'mee' }]);
    expect(refusedAs(check('prices', { termekkod: 'A', kat: 'k\u0002' }, s))).toEqual(['invalid', 'control_char', { field: 'kat' }]);
  });

  it('afakulcs is mapped to its tax class through vat_map, written as 27, 27%, 27,0 or 5,5', () => {
    const s = full();
    for (const [v, vat, cls] of [['27', 27, 9], ['27%', 27, 9], [' 27 % ', 27, 9], ['27,0', 27, 9], ['5', 5, 10], ['5,5', 5.5, 11], ['0', 0, 12], ['100', 100, 13]] as const) {
      const row = rowOf(check('prices', { termekkod: 'A', afakulcs: v }, s));
      expect([row.vat, row.tax_class_id]).toEqual([vat, cls]);
    }
  });

  it('refuses an afakulcs that is no rate between 0 and 100, and a rate vat_map does not map', () => {
    const s = full();
    for (const v of ['-1', '100.01', '101', 'huszonhét', '27%%']) {
      const c = check('prices', { termekkod: 'A', afakulcs: v }, s);
      expect(refusedAs(c)).toEqual(['invalid', 'not_vat_rate', { value: v }]);
    }
    const c = check('prices', { termekkod: 'A', ar: '5', afakulcs: '18' }, s);
    expect(refusedAs(c)).toEqual(['invalid', 'vat_unmapped', { rate: '18' }]);
    expect(c.rejected!.reason).toBe('VAT rate 18% has no tax class in the VAT mapping (setting vat_map)');
    expect(refusedAs(check('prices', { termekkod: 'A', afakulcs: '5.50' }, full({ vat_map: { '5': 10 } })))).toEqual(['invalid', 'vat_unmapped', { rate: '5.5' }]);
  });

  it('kep as an http(s) URL or as a picture path under the image folder is stored as sent', () => {
    const s = full();
    for (const ok of ['http://x.hu/a.jpg', 'HTTPS://X.HU/kép?id=1', 'catalog/termek/a.jpg', 'catalog/a b/c.JPEG', 'a.png', 'data/x-1.gif', '_x.webp', 'catalog/a.jpg'.padStart(255, 'c')]) {
      expect(rowOf(check('prices', { termekkod: 'A', kep: ` ${ok} ` }, s)).image).toBe(ok);
    }
    // A URL may be longer than the 255 characters of product.image: it is downloaded, not stored.
    for (const longUrl of [`https://x.hu/${'a'.repeat(300)}.jpg`, `http://x.hu/${'a'.repeat(300)}.jpg`, `HTTP://x.hu/${'a'.repeat(300)}`]) {
      expect(rowOf(check('prices', { termekkod: 'A', kep: longUrl }, s)).image).toBe(longUrl);
    }
  });

  it('refuses a kep that is neither: another scheme, a URL with a space, an absolute or dotted path, another file type, a path over 255', () => {
    const s = full();
    for (const bad of ['ftp://x.hu/a.jpg', 'http://x.hu/a b.jpg', 'http://', '/var/www/a.jpg', '../a.jpg', 'catalog/../../x.jpg', 'catalog/..', 'a/../b.png', 'catalog/a.txt', 'catalog/a.jpg.php', 'a.jpg x', 'catalog\\a.jpg', 'xhttp://a.jpg']) {
      const c = check('prices', { termekkod: 'A', kep: bad }, s);
      expect(refusedAs(c)).toEqual(['invalid', 'picture_reference', { value: bad }]);
    }
    const c = check('prices', { termekkod: 'A', kep: `ftp://${'x'.repeat(100)}` }, s);
    expect(c.rejected!.reasonVars!.value).toBe(`ftp://${'x'.repeat(74)}`);
    expect(refusedAs(check('prices', { termekkod: 'A', kep: 'catalog/a.jpg'.padStart(256, 'c') }, s))).toEqual(['invalid', 'too_long', { field: 'kep', max: 255 }]);
  });

  it('a picture sent as data is kept under its content hash when SHOP_IMAGE_DIR is set, and refused when it is not', () => {
    const v = new ProductValidator('prices', full(), { imageDir: '/srv/image' });
    const row = rowOf(v.check(rec({ termekkod: 'A', kep: ` ${pngUri()} ` })));
    expect(row.image).toMatch(/^catalog\/erp-bridge\/[0-9a-f]{24}\.png$/);
    expect([...v.pictures.keys()]).toEqual([row.image]);
    expect(v.pictures.get(row.image!)).toEqual(Buffer.concat([PNG, Buffer.from([0])]));
    const none = check('prices', { termekkod: 'A', kep: pngUri() }, full(), null);
    expect(refusedAs(none)).toEqual(['invalid', 'picture_no_folder', {}]);
    // Without SHOP_IMAGE_DIR the default options apply.
    expect(refusedAs(new ProductValidator('prices', full()).check(rec({ termekkod: 'A', kep: pngUri() })))[1]).toBe('picture_no_folder');
  });

  it('picture data that is no accepted picture is invalid with the reason of the picture check', () => {
    const s = full();
    expect(refusedAs(check('prices', { termekkod: 'A', kep: 'data:image/png;base64,!!!!' }, s, '/srv/image'))).toEqual(['invalid', 'picture_not_base64', {}]);
    expect(refusedAs(check('prices', { termekkod: 'A', kep: `data:image/png;base64,${Buffer.from('plain text here').toString('base64')}` }, s, '/srv/image'))).toEqual(['invalid', 'picture_not_image', {}]);
  });
});

describe('stock', () => {
  it('stages the free stock in whole units, rounded down', () => {
    for (const [v, q] of [['5', 5], ['0', 0], ['2,5', 2], ['2.999', 2], ['3', 3], ['1 000', 1000], ['2147483647', 2_147_483_647]] as const) {
      expect(rowOf(check('stock', { termekkod: 'A', szabadraktar: v }))).toEqual({ seq: expect.any(Number), code: 'A', quantity: q });
    }
    // A value meant as whole but a hair below it in binary (0.7 + 0.1 + 0.1 + 0.1) still counts whole.
    expect(String(0.7 + 0.1 + 0.1 + 0.1)).toBe('0.9999999999999999');
    expect(rowOf(check('stock', { termekkod: 'A', szabadraktar: String(0.7 + 0.1 + 0.1 + 0.1) })).quantity).toBe(1);
  });

  it('refuses what is not a number, negative, or over the column', () => {
    expect(refusedAs(check('stock', { termekkod: 'A', szabadraktar: 'sok' }))).toEqual(['invalid', 'not_number', { field: 'szabadraktar', value: 'sok' }]);
    expect(refusedAs(check('stock', { termekkod: 'A', szabadraktar: '-1' }))).toEqual(['invalid', 'negative', { field: 'szabadraktar', value: '-1' }]);
    expect(refusedAs(check('stock', { termekkod: 'A', szabadraktar: '-0.5' }))).toEqual(['invalid', 'negative', { field: 'szabadraktar', value: '-0.5' }]);
    expect(refusedAs(check('stock', { termekkod: 'A', szabadraktar: '2147483648' }))).toEqual(['invalid', 'too_large', { field: 'szabadraktar', value: '2147483648' }]);
    expect(check('stock', { termekkod: 'A', szabadraktar: 'x'.repeat(70) }).rejected!.reasonVars!.value).toBe(`${'x'.repeat(60)}… (70 characters)`);
  });

  it('a record without szabadraktar is ignored: nothing to apply', () => {
    for (const fields of [{ termekkod: 'A', ar: '5' }, { termekkod: 'A', szabadraktar: ' ' }] as Array<Record<string, string>>) {
      const c = check('stock', fields);
      expect(refusedAs(c)).toEqual(['ignored', 'nothing_to_apply', { field: 'szabadraktar' }]);
      expect(c.rejected!.reason).toBe('no szabadraktar: nothing to apply');
    }
  });
});

describe('promo prices', () => {
  it('stages the promo price (net as promo, gross as gross) with no start and no end by default', () => {
    expect(rowOf(check('promo-prices', { termekkod: 'A', arakcios: '990,5' }))).toEqual({ seq: expect.any(Number), code: 'A', promo: 990.5, promo_start: null, promo_end: '0000-00-00' });
    expect(rowOf(check('promo-prices', { termekkod: 'A', arakcios: '990', akcio_kezdete: ' ', akcio_vege: '' }, settings({ price_basis: 'gross' })))).toEqual({
      seq: expect.any(Number), code: 'A', gross: 990, promo_start: null, promo_end: '0000-00-00',
    });
    expect(rowOf(check('promo-prices', { termekkod: 'A', arakcios: '0' })).promo).toBe(0);
  });

  it("stores the ERP's inclusive end as OpenCart's exclusive date_end, the day after", () => {
    expect(rowOf(check('promo-prices', { termekkod: 'A', arakcios: '5', akcio_kezdete: '2026.11.30.', akcio_vege: '2026/12/31' }))).toMatchObject({ promo_start: '2026-11-30', promo_end: '2027-01-01' });
    // A one-day promo: the end on the start's day.
    expect(rowOf(check('promo-prices', { termekkod: 'A', arakcios: '5', akcio_kezdete: '2026-02-28', akcio_vege: '2026-02-28' }))).toMatchObject({ promo_start: '2026-02-28', promo_end: '2026-03-01' });
    expect(rowOf(check('promo-prices', { termekkod: 'A', arakcios: '5', akcio_vege: '2026-02-28' }))).toMatchObject({ promo_start: null, promo_end: '2026-03-01' });
  });

  it('refuses a date that is no date, an end before the start, and a promo price as a price', () => {
    expect(refusedAs(check('promo-prices', { termekkod: 'A', arakcios: '5', akcio_kezdete: '2026-02-30' }))).toEqual(['invalid', 'not_date', { field: 'akcio_kezdete', value: '2026-02-30' }]);
    expect(refusedAs(check('promo-prices', { termekkod: 'A', arakcios: '5', akcio_vege: 'holnap' }))).toEqual(['invalid', 'not_date', { field: 'akcio_vege', value: 'holnap' }]);
    const c = check('promo-prices', { termekkod: 'A', arakcios: '5', akcio_kezdete: '2026-03-02', akcio_vege: '2026-03-01' });
    expect(refusedAs(c)).toEqual(['invalid', 'promo_end_before_start', { end: '2026-03-01', start: '2026-03-02' }]);
    expect(c.rejected!.reason).toBe('akcio_vege 2026-03-01 is before akcio_kezdete 2026-03-02');
    expect(refusedAs(check('promo-prices', { termekkod: 'A', arakcios: '-1' }))).toEqual(['invalid', 'negative', { field: 'arakcios', value: '-1' }]);
    expect(refusedAs(check('promo-prices', { termekkod: 'A', arakcios: 'olcsó' }))).toEqual(['invalid', 'not_number', { field: 'arakcios', value: 'olcsó' }]);
  });

  it('a record without arakcios leaves specials alone (ignored)', () => {
    const c = check('promo-prices', { termekkod: 'A', ar: '5', akcio_vege: '2026-01-01' });
    expect(refusedAs(c)).toEqual(['ignored', 'no_promo', {}]);
    expect(c.rejected!.reason).toBe('no arakcios: specials left alone');
  });
});

describe('field names', () => {
  const fieldsOf = (kind: Kind, s: Settings) => {
    const v = new ProductValidator(kind, s);
    v.check(rec({ termekkod: 'A', ar: '1', szinkod: 'x', szabadraktar: '1', nev: 'N' }));
    v.check(rec({ termekkod: 'B', arakcios: '1', akcio_kezdete: '2026-01-01', akcio_vege: '2026-01-02', kep: 'a.jpg', mee: 'db', afakulcs: '27', kat: 'K', tmegjegyzes: 'x', aaa: '', constructor: 'c' }));
    return [v.ignoredFields, v.unknownFields];
  };

  it("each URL lists the other URLs' fields as ignored and fields no URL knows as unknown, sorted, whatever the records' outcome", () => {
    const unknown = ['aaa', 'constructor', 'szinkod'];
    expect(fieldsOf('prices', settings())).toEqual([['afakulcs', 'akcio_kezdete', 'akcio_vege', 'arakcios', 'kat', 'kep', 'mee', 'nev', 'szabadraktar', 'tmegjegyzes'], unknown]);
    expect(fieldsOf('prices', full())).toEqual([['akcio_kezdete', 'akcio_vege', 'arakcios', 'szabadraktar'], unknown]);
    expect(fieldsOf('stock', full())).toEqual([['afakulcs', 'akcio_kezdete', 'akcio_vege', 'ar', 'arakcios', 'kat', 'kep', 'mee', 'nev', 'tmegjegyzes'], unknown]);
    expect(fieldsOf('promo-prices', settings())).toEqual([['afakulcs', 'ar', 'kat', 'kep', 'mee', 'nev', 'szabadraktar', 'tmegjegyzes'], unknown]);
  });

  it('a field is listed once however many records carry it, and fields of refused records count too', () => {
    const v = new ProductValidator('stock', settings());
    v.check(rec({ ar: '1', foo: '1' }));
    v.check(rec({ termekkod: 'A', ar: '2', foo: '2' }));
    v.check(rec({ termekkod: 'B', szabadraktar: '1', ar: '3', foo: '3', bar: '' }));
    expect([v.ignoredFields, v.unknownFields]).toEqual([['ar'], ['bar', 'foo']]);
    expect(new ProductValidator('stock', settings()).ignoredFields).toEqual([]);
  });
});

describe('codes that stand twice in one document', () => {
  it('TwinCodes keeps every record of a code seen more than once, and nothing for codes seen once or for no code', () => {
    const t = new TwinCodes();
    t.see('A', 1);
    t.see('B', 2);
    t.see('A', 3);
    t.see('', 4);
    t.see('', 5);
    t.see('A', 6);
    t.see('C', 7);
    t.see('C', 8);
    expect([...t.twins]).toEqual([['A', [1, 3, 6]], ['C', [7, 8]]]);
  });

  it('TwinCodes tells codes apart by every unit (case, prefixes, wide characters, HTML-encoded forms) across more codes than it first has room for', () => {
    const t = new TwinCodes();
    const codes = ['a', 'A', 'AB', 'ABC', 'kód', 'KÓD', 'Ő-1', '😀', '😀x', 'A&B', 'A&amp;B', ' A'];
    // 10,000 more codes: the table grows past its first 4,096 entries; each is seen again later.
    const many = Array.from({ length: 10_000 }, (_, i) => `BENCH-${String(i).padStart(7, '0')}`);
    const all = [...codes, ...many];
    all.forEach((c, i) => t.see(c, i + 1));
    expect(t.twins.size).toBe(0);
    all.forEach((c, i) => t.see(c, all.length + i + 1));
    expect(t.twins.size).toBe(all.length);
    all.forEach((c, i) => expect(t.twins.get(c)).toEqual([i + 1, all.length + i + 1]));
  });

  it('every record of a twin code is invalid, naming all of them; a record refused for a field takes the twin reason, one refused for its code keeps its own', () => {
    const twins = new Map([['A', [1, 3, 4]], ['LONG', [6, 7]]]);
    const staged = [{ seq: 1, code: 'A' }, { seq: 2, code: 'B' }, { seq: 4, code: 'A' }, { seq: 5, code: 'C' }];
    const rejected: Array<JournalItem & { early?: boolean }> = [
      { seq: 3, code: 'A', outcome: 'ignored', reason: 'no ar: nothing to apply', reasonCode: 'nothing_to_apply', reasonVars: { field: 'ar' } },
      { seq: 6, code: 'LONG', outcome: 'invalid', reason: 'too long', reasonCode: 'code_too_long_shop', reasonVars: {}, early: true },
      { seq: 7, code: 'LONG', outcome: 'invalid', reason: 'too long', reasonCode: 'code_too_long_shop', reasonVars: {}, early: true },
      { seq: 8, code: 'D', outcome: 'invalid', reason: 'x', reasonCode: 'negative', reasonVars: {} },
    ];
    const left = settleTwins(twins, staged, rejected);
    expect(left).toEqual([{ seq: 2, code: 'B' }, { seq: 5, code: 'C' }]);
    const twin = { outcome: 'invalid', reason: 'the code stands 3 times in the document (records 1, 3, 4): none of them is applied', reasonCode: 'twins', reasonVars: { n: 3, records: '1, 3, 4' } };
    expect(rejected).toEqual([
      { seq: 3, code: 'A', ...twin },
      { seq: 6, code: 'LONG', outcome: 'invalid', reason: 'too long', reasonCode: 'code_too_long_shop', reasonVars: {}, early: true },
      { seq: 7, code: 'LONG', outcome: 'invalid', reason: 'too long', reasonCode: 'code_too_long_shop', reasonVars: {}, early: true },
      { seq: 8, code: 'D', outcome: 'invalid', reason: 'x', reasonCode: 'negative', reasonVars: {} },
      { seq: 1, code: 'A', ...twin },
      { seq: 4, code: 'A', ...twin },
    ]);
    expect(twinReason([2, 9])).toEqual({ reason: 'the code stands 2 times in the document (records 2, 9): none of them is applied', reasonCode: 'twins', reasonVars: { n: 2, records: '2, 9' } });
  });

  it('with no twin the staged rows and refusals are left as they are', () => {
    const staged = [{ seq: 1, code: 'A' }];
    const rejected: JournalItem[] = [{ seq: 2, code: 'A', outcome: 'ignored', reason: 'r', reasonCode: 'no_promo', reasonVars: {} }];
    expect(settleTwins(new Map(), staged, rejected)).toBe(staged);
    expect(rejected).toEqual([{ seq: 2, code: 'A', outcome: 'ignored', reason: 'r', reasonCode: 'no_promo', reasonVars: {} }]);
  });
});

describe('a whole document', () => {
  const doc = (...rows: Array<Record<string, string>>) => rows.map((r, i) => rec(r, i + 1));

  it('stages the good records, refuses the others with their reason, and settles twin codes across the document', () => {
    const out = validateProducts(doc(
      { termekkod: 'A', ar: '1', foo: 'x' },
      { termekkod: 'B', ar: '-1' },
      { termekkod: 'C', szabadraktar: '4' },
      { termekkod: 'A', ar: '2' },
      { ar: '3' },
      { termekkod: 'D', ar: '4' },
    ), 'prices', settings());
    expect(out.staged).toEqual([{ seq: 6, code: 'D', price: 4 }]);
    expect(out.rejected.map((j) => [j.seq, j.code, j.outcome, j.reasonCode])).toEqual([
      [2, 'B', 'invalid', 'negative'],
      [3, 'C', 'ignored', 'nothing_to_apply'],
      [5, '', 'invalid', 'no_code'],
      [1, 'A', 'invalid', 'twins'],
      [4, 'A', 'invalid', 'twins'],
    ]);
    // The internal "refused before the twin check" mark does not reach the journal.
    for (const j of out.rejected) expect(Object.keys(j)).not.toContain('early');
    expect([out.ignoredFields, out.unknownFields]).toEqual([['szabadraktar'], ['foo']]);
    expect(out.pictures.size).toBe(0);
  });

  it('keeps only the pictures of staged records: a record refused for another field, or a twin, stores no picture', () => {
    const out = validateProducts(doc(
      { termekkod: 'A', nev: 'a', kep: pngUri(1) },
      { termekkod: 'B', nev: 'b', kep: pngUri(2), afakulcs: '18' },
      { termekkod: 'C', nev: 'c', kep: pngUri(3) },
      { termekkod: 'C', nev: 'c', kep: pngUri(4) },
    ), 'prices', full(), { imageDir: '/srv/image' });
    expect(out.staged.map((s) => s.code)).toEqual(['A']);
    expect([...out.pictures.keys()]).toEqual([out.staged[0]!.image]);
    expect(out.rejected.map((j) => [j.seq, j.reasonCode])).toEqual([[2, 'vat_unmapped'], [3, 'twins'], [4, 'twins']]);
    // Without options a picture has nowhere to go.
    expect(validateProducts(doc({ termekkod: 'A', kep: pngUri() }), 'prices', full()).rejected[0]!.reasonCode).toBe('picture_no_folder');
  });
});

describe('what is not a refusal', () => {
  it('an unexpected error (a bug, not a bad value) is thrown, not turned into an invalid record', () => {
    // Readers give text only; a value of another type stands for a programming error here.
    const r: RawRecord = { seq: 1, line: 1, fields: Object.assign(emptyFields(), { termekkod: 'A', ar: 5 as unknown as string }) };
    expect(() => new ProductValidator('prices', settings()).check(r)).toThrow(TypeError);
  });
});
