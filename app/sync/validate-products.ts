// Turns raw product records into rows to stage, or into 'invalid' / 'ignored' outcomes with a
// reason. Pure: everything it needs from the shop comes in as arguments, nothing is written.
import { echo } from '../util/echo.js';
import { parseErpNumber } from '../erp/numbers.js';
import type { StageRow } from '../shop/product-staging.js';
import type { RawRecord } from '../erp/record.js';
import type { JournalItem } from '../plugin/journal.js';
import { normalizeRate, type Settings } from '../settings/schema.js';
import { encodeLikeOpenCart } from '../util/html.js';
import { ImageDataError, parseImageData, type ImageData } from '../erp/image-data.js';
import { picturePath } from '../shop/product-pictures.js';
import { addDays, parseErpDate } from '../util/time.js';
import { reason, ReasonError, type Reason } from '../erp/reasons.js';
import { ALL_PRODUCT_FIELDS, FULL_SYNC_FIELDS, PRODUCT_KEY, ownFields, type PushKind } from './push-kinds.js';

/** A validated record, as the staging table takes it. */
export type StagedProduct = StageRow;

export interface ValidatedProducts {
  staged: StagedProduct[];
  /** Pictures sent as data in `kep`, by the image path the products will take. */
  pictures: Map<string, Buffer>;
  rejected: JournalItem[];
  ignoredFields: string[];
  unknownFields: string[];
}

/** Column widths of the product code fields in OpenCart's `product` table. */
const CODE_WIDTH: Record<string, number> = { model: 64, sku: 64, upc: 12, ean: 14, jan: 13, isbn: 17, mpn: 64 };
const MAX_PRICE = 99_999_999_999;
const MAX_QUANTITY = 2_147_483_647;

// A record refused for a reason (code + values, the English sentence kept for the ERP's answer).
const Invalid = ReasonError;

function pictureIn(value: string): ImageData | null {
  try {
    return parseImageData(value);
  } catch (err) {
    if (err instanceof ImageDataError) throw new Invalid(err.why);
    throw err;
  }
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

function money(fields: Record<string, string>, name: string): number {
  const n = parseErpNumber(fields[name]!);
  if (n === null) throw new Invalid(reason('not_number', { field: name, value: echo(fields[name]) }));
  if (n < 0) throw new Invalid(reason('negative', { field: name, value: echo(fields[name]) }));
  if (n > MAX_PRICE) throw new Invalid(reason('too_large', { field: name, value: echo(fields[name]) }));
  return round4(n);
}

function text(fields: Record<string, string>, name: string, max: number, encode = true): string {
  const raw = fields[name]!.trim();
  // The shop's 3.0 tables are utf8 (3-byte): characters outside the BMP (emoji) would be lost.
  if (/[\u{10000}-\u{10FFFF}]/u.test(raw)) throw new Invalid(reason('four_byte', { field: name }));
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(raw)) throw new Invalid(reason('control_char', { field: name }));
  const value = encode ? encodeLikeOpenCart(raw) : raw;
  if (value.length > max) throw new Invalid(reason(encode ? 'too_long_stored' : 'too_long', { field: name, max }));
  return value;
}

export interface ValidateOptions {
  /** The shop's image folder (SHOP_IMAGE_DIR); pictures sent as data need it. */
  imageDir: string | null;
}

export function validateProducts(records: RawRecord[], kind: Exclude<PushKind, 'categories'>, settings: Settings, opts: ValidateOptions = { imageDir: null }): ValidatedProducts {
  const pictures = new Map<string, Buffer>();
  const full = settings.sync_type === 'full';
  const own = new Set(ownFields(kind, full));
  const ignoredFields = new Set<string>();
  const unknownFields = new Set<string>();
  const rejected: JournalItem[] = [];
  const staged: StagedProduct[] = [];
  const width = CODE_WIDTH[settings.product_code_field] ?? 64;

  // A code that stands twice in one document is ambiguous about which value wins: neither applies.
  const seen = new Map<string, number>();
  const twinsOf = new Map<string, number[]>();
  for (const r of records) {
    const code = (r.fields[PRODUCT_KEY] ?? '').trim();
    if (!code) continue;
    const first = seen.get(code);
    if (first === undefined) seen.set(code, r.seq);
    else twinsOf.set(code, [...(twinsOf.get(code) ?? [first]), r.seq]);
  }
  // Field names repeat in every record: classify each name once.
  const fieldClass = new Map<string, 'own' | 'ignored' | 'unknown'>();
  const classify = (f: string) => {
    let c = fieldClass.get(f);
    if (!c) {
      c = f === PRODUCT_KEY || own.has(f) ? 'own' : ALL_PRODUCT_FIELDS.has(f) ? 'ignored' : 'unknown';
      fieldClass.set(f, c);
      if (c === 'ignored') ignoredFields.add(f);
      else if (c === 'unknown') unknownFields.add(f);
    }
  };

  for (const r of records) {
    const code = (r.fields[PRODUCT_KEY] ?? '').trim();
    for (const f in r.fields) classify(f);
    const reject = (outcome: 'invalid' | 'ignored', why: Reason) => rejected.push({ seq: r.seq, code, outcome, ...why });
    if (!code) {
      reject('invalid', reason('no_code', { record: r.seq, line: r.line, field: PRODUCT_KEY }));
      continue;
    }
    if (encodeLikeOpenCart(code).length > width) {
      reject('invalid', reason('code_too_long_shop', { field: PRODUCT_KEY, codeField: settings.product_code_field, max: width }));
      continue;
    }
    const twins = twinsOf.get(code);
    if (twins) {
      reject('invalid', reason('twins', { n: twins.length, records: twins.join(', ') }));
      continue;
    }
    const has = (f: string) => f in r.fields && (r.fields[f] ?? '').trim() !== '';
    try {
      const row: StagedProduct = { seq: r.seq, code };
      if (kind === 'prices') {
        const fullFields = full && FULL_SYNC_FIELDS.some(has);
        if (!has('ar') && !fullFields) {
          reject('ignored', full ? reason('no_price_or_data') : reason('nothing_to_apply', { field: 'ar' }));
          continue;
        }
        if (has('ar')) {
          const value = money(r.fields, 'ar');
          if (settings.price_basis === 'gross') row.gross = value;
          else row.price = value;
        }
        if (full) {
          if (has('nev')) row.name = text(r.fields, 'nev', 255);
          if (has('tmegjegyzes')) row.description = text(r.fields, 'tmegjegyzes', 60_000);
          if (has('mee')) row.unit = text(r.fields, 'mee', 32, false);
          if (has('kep')) {
            const img = r.fields.kep!.trim();
            const picture = pictureIn(img);
            if (picture) {
              if (!opts.imageDir) throw new Invalid(reason('picture_no_folder'));
              row.image = picturePath(picture.hash, picture.ext);
              pictures.set(row.image, picture.data);
            } else if (!/^https?:\/\/\S+$/i.test(img) && !/^[\w][\w./ -]*\.(jpe?g|png|gif|webp)$/i.test(img))
              throw new Invalid(reason('picture_reference', { value: img.slice(0, 80) }));
            else {
              if (img.length > 255 && !/^https?:/i.test(img)) throw new Invalid(reason('too_long', { field: 'kep', max: 255 }));
              row.image = img;
            }
          }
          if (has('kat')) row.category_code = text(r.fields, 'kat', 64, false);
          if (has('afakulcs')) {
            const n = parseErpNumber(r.fields.afakulcs!.replace('%', ''));
            if (n === null || n < 0 || n > 100) throw new Invalid(reason('not_vat_rate', { value: echo(r.fields.afakulcs) }));
            const rate = normalizeRate(String(n));
            const taxClass = settings.vat_map[rate];
            if (taxClass === undefined) throw new Invalid(reason('vat_unmapped', { rate }));
            row.vat = n;
            row.tax_class_id = taxClass;
          }
        }
      } else if (kind === 'stock') {
        if (!has('szabadraktar')) {
          reject('ignored', reason('nothing_to_apply', { field: 'szabadraktar' }));
          continue;
        }
        const n = parseErpNumber(r.fields.szabadraktar!);
        if (n === null) throw new Invalid(reason('not_number', { field: 'szabadraktar', value: echo(r.fields.szabadraktar) }));
        if (n < 0) throw new Invalid(reason('negative', { field: 'szabadraktar', value: echo(r.fields.szabadraktar) }));
        if (n > MAX_QUANTITY) throw new Invalid(reason('too_large', { field: 'szabadraktar', value: echo(r.fields.szabadraktar) }));
        // OpenCart keeps whole units: 2.5 m free means 2 can be sold.
        row.quantity = Math.floor(n + 1e-9);
      } else {
        if (!has('arakcios')) {
          reject('ignored', reason('no_promo'));
          continue;
        }
        const value = money(r.fields, 'arakcios');
        if (settings.price_basis === 'gross') row.gross = value;
        else row.promo = value;
        const start = has('akcio_kezdete') ? parseErpDate(r.fields.akcio_kezdete!) : null;
        if (has('akcio_kezdete') && !start) throw new Invalid(reason('not_date', { field: 'akcio_kezdete', value: echo(r.fields.akcio_kezdete) }));
        const end = has('akcio_vege') ? parseErpDate(r.fields.akcio_vege!) : null;
        if (has('akcio_vege') && !end) throw new Invalid(reason('not_date', { field: 'akcio_vege', value: echo(r.fields.akcio_vege) }));
        if (start && end && end < start) throw new Invalid(reason('promo_end_before_start', { end, start }));
        row.promo_start = start;
        // The ERP's end date is inclusive, OpenCart's date_end exclusive.
        row.promo_end = end ? addDays(end, 1) : '0000-00-00';
      }
      staged.push(row);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      reject('invalid', err.why);
    }
  }
  // Only the pictures of records that are staged: a record refused for another field stores nothing.
  const used = new Set(staged.map((r) => r.image));
  for (const p of pictures.keys()) if (!used.has(p)) pictures.delete(p);
  return { staged, pictures, rejected, ignoredFields: [...ignoredFields].sort(), unknownFields: [...unknownFields].sort() };
}
