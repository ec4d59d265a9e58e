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
import { CodeTable } from '../shop/code-table.js';
import { ALL_PRODUCT_FIELDS, FULL_SYNC_FIELDS, PRODUCT_KEY, ownFields, type PushKind } from './push-kinds.js';
import { round4 } from '../util/decimals.js';

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

/** A record checked on its own: its row to stage, or why it is not applied. */
export interface Checked {
  /** The trimmed code ('' when it has none). */
  code: string;
  row?: StagedProduct;
  rejected?: JournalItem;
  /** Refused before the twin check (no code, code too long): a twin code does not change its reason. */
  early?: boolean;
}

/** A record's refusal: its code, outcome and reason. */
function refusal(r: RawRecord, code: string, outcome: 'invalid' | 'ignored', why: Reason, early = false): Checked {
  return { code, rejected: { seq: r.seq, code, outcome, ...why }, early };
}

/** Whether the record has the field with something other than white space in it. */
function hasValue(r: RawRecord, f: string): boolean {
  const v = r.fields[f];
  return v !== undefined && v.trim() !== '';
}

export const twinReason = (seqs: number[]): Reason => reason('twins', { n: seqs.length, records: seqs.join(', ') });

/**
 * Checks records one at a time (a streamed document is never held whole). Field names are
 * classified once; codes that stand twice are found by the caller across the whole document
 * (see `TwinCodes`), and `settleTwins` turns their records into rejections at the end.
 */
export class ProductValidator {
  readonly pictures = new Map<string, Buffer>();
  private readonly full: boolean;
  private readonly own: Set<string>;
  private readonly ignored = new Set<string>();
  private readonly unknown = new Set<string>();
  private readonly width: number;
  private readonly fieldClass = new Map<string, 'own' | 'ignored' | 'unknown'>();

  constructor(
    private readonly kind: Exclude<PushKind, 'categories'>,
    private readonly settings: Settings,
    private readonly opts: ValidateOptions = { imageDir: null },
  ) {
    this.full = settings.sync_type === 'full';
    this.own = new Set(ownFields(kind, this.full));
    this.width = CODE_WIDTH[settings.product_code_field] ?? 64;
  }

  get ignoredFields(): string[] {
    return [...this.ignored].sort();
  }

  get unknownFields(): string[] {
    return [...this.unknown].sort();
  }

  private classify(f: string): void {
    if (this.fieldClass.has(f)) return;
    const c = f === PRODUCT_KEY || this.own.has(f) ? 'own' : ALL_PRODUCT_FIELDS.has(f) ? 'ignored' : 'unknown';
    this.fieldClass.set(f, c);
    if (c === 'ignored') this.ignored.add(f);
    else if (c === 'unknown') this.unknown.add(f);
  }

  check(r: RawRecord): Checked {
    const { kind, settings, full, opts, pictures } = this;
    const code = (r.fields[PRODUCT_KEY] ?? '').trim();
    for (const f in r.fields) if (!this.fieldClass.has(f)) this.classify(f);
    // No closures here: made once per record (and named by tsx), they cost a fifth of a 100k-record check.
    if (!code) return refusal(r, code, 'invalid', reason('no_code', { record: r.seq, line: r.line, field: PRODUCT_KEY }), true);
    if (encodeLikeOpenCart(code).length > this.width)
      return refusal(r, code, 'invalid', reason('code_too_long_shop', { field: PRODUCT_KEY, codeField: settings.product_code_field, max: this.width }), true);
    try {
      const row: StagedProduct = { seq: r.seq, code };
      if (kind === 'prices') {
        const fullFields = full && FULL_SYNC_FIELDS.some((f) => hasValue(r, f));
        if (!hasValue(r, 'ar') && !fullFields) return refusal(r, code, 'ignored', full ? reason('no_price_or_data') : reason('nothing_to_apply', { field: 'ar' }));
        if (hasValue(r, 'ar')) {
          const value = money(r.fields, 'ar');
          if (settings.price_basis === 'gross') row.gross = value;
          else row.price = value;
        }
        if (full) {
          if (hasValue(r, 'nev')) row.name = text(r.fields, 'nev', 255);
          if (hasValue(r, 'tmegjegyzes')) row.description = text(r.fields, 'tmegjegyzes', 60_000);
          if (hasValue(r, 'mee')) row.unit = text(r.fields, 'mee', 32, false);
          if (hasValue(r, 'kep')) {
            const img = r.fields.kep!.trim();
            const picture = pictureIn(img);
            if (picture) {
              if (!opts.imageDir) throw new Invalid(reason('picture_no_folder'));
              row.image = picturePath(picture.hash, picture.ext);
              pictures.set(row.image, picture.data);
            } else if (!/^https?:\/\/\S+$/i.test(img) && (!/^[\w][\w./ -]*\.(jpe?g|png|gif|webp)$/i.test(img) || img.split('/').includes('..')))
              // A path is stored as the product's image, which the storefront serves from the
              // shop's image folder: `..` would point out of it.
              throw new Invalid(reason('picture_reference', { value: img.slice(0, 80) }));
            else {
              if (img.length > 255 && !/^https?:/i.test(img)) throw new Invalid(reason('too_long', { field: 'kep', max: 255 }));
              row.image = img;
            }
          }
          if (hasValue(r, 'kat')) row.category_code = text(r.fields, 'kat', 64, false);
          if (hasValue(r, 'afakulcs')) {
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
        if (!hasValue(r, 'szabadraktar')) return refusal(r, code, 'ignored', reason('nothing_to_apply', { field: 'szabadraktar' }));
        const n = parseErpNumber(r.fields.szabadraktar!);
        if (n === null) throw new Invalid(reason('not_number', { field: 'szabadraktar', value: echo(r.fields.szabadraktar) }));
        if (n < 0) throw new Invalid(reason('negative', { field: 'szabadraktar', value: echo(r.fields.szabadraktar) }));
        if (n > MAX_QUANTITY) throw new Invalid(reason('too_large', { field: 'szabadraktar', value: echo(r.fields.szabadraktar) }));
        // OpenCart keeps whole units: 2.5 m free means 2 can be sold.
        row.quantity = Math.floor(n + 1e-9);
      } else {
        if (!hasValue(r, 'arakcios')) return refusal(r, code, 'ignored', reason('no_promo'));
        const value = money(r.fields, 'arakcios');
        if (settings.price_basis === 'gross') row.gross = value;
        else row.promo = value;
        const start = hasValue(r, 'akcio_kezdete') ? parseErpDate(r.fields.akcio_kezdete!) : null;
        if (hasValue(r, 'akcio_kezdete') && !start) throw new Invalid(reason('not_date', { field: 'akcio_kezdete', value: echo(r.fields.akcio_kezdete) }));
        const end = hasValue(r, 'akcio_vege') ? parseErpDate(r.fields.akcio_vege!) : null;
        if (hasValue(r, 'akcio_vege') && !end) throw new Invalid(reason('not_date', { field: 'akcio_vege', value: echo(r.fields.akcio_vege) }));
        if (start && end && end < start) throw new Invalid(reason('promo_end_before_start', { end, start }));
        row.promo_start = start;
        // The ERP's end date is inclusive, OpenCart's date_end exclusive.
        row.promo_end = end ? addDays(end, 1) : '0000-00-00';
      }
      return { code, row };
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      return refusal(r, code, 'invalid', err.why);
    }
  }
}

/** Takes out of `pictures` those no staged record uses (a record refused for another field stores nothing). */
export function keepPicturesOf(pictures: Map<string, Buffer>, staged: StagedProduct[]): void {
  if (pictures.size === 0) return;
  const used = new Set(staged.map((r) => r.image));
  for (const p of pictures.keys()) if (!used.has(p)) pictures.delete(p);
}

/**
 * Codes seen in a document, and every record of those that stand more than once. The codes sit in
 * a CodeTable (their units in one array, no string or Map entry per code): a Map of 100,000 codes
 * took the reading thread about 0.1 s of a promo push (its profile), and held every code (a code
 * of 13 characters or more is a slice of its chunk of the document: that chunk with it).
 */
export class TwinCodes {
  private readonly codes = new CodeTable(4096);
  /** Per code entry: the seq of its first record. */
  private first = new Int32Array(4096);
  readonly twins = new Map<string, number[]>();

  see(code: string, seq: number): void {
    if (!code) return;
    const known = this.codes.size;
    const e = this.codes.add(code);
    if (e === known) {
      if (e === this.first.length) {
        const grown = new Int32Array(this.first.length * 2);
        grown.set(this.first);
        this.first = grown;
      }
      this.first[e] = seq;
      return;
    }
    const list = this.twins.get(code);
    if (list) list.push(seq);
    else this.twins.set(code, [this.first[e]!, seq]);
  }
}

/**
 * Every record of a twin code is refused, naming all of them: records already refused for a
 * field get the twin reason instead (not those refused for having no code or too long a one),
 * the others a new rejection. Returns the staged rows left.
 */
export function settleTwins<T extends { seq: number; code: string }>(twins: Map<string, number[]>, staged: T[], rejected: Array<JournalItem & { early?: boolean }>): T[] {
  if (twins.size === 0) return staged;
  const refused = new Map<number, JournalItem & { early?: boolean }>();
  for (const j of rejected) if (twins.has(j.code)) refused.set(j.seq, j);
  for (const [code, seqs] of twins) {
    for (const seq of seqs) {
      const j = refused.get(seq);
      if (!j) rejected.push({ seq, code, outcome: 'invalid', ...twinReason(seqs) });
      else if (!j.early) {
        j.outcome = 'invalid';
        Object.assign(j, twinReason(seqs));
      }
    }
  }
  return staged.filter((s) => !twins.has(s.code));
}

export function validateProducts(records: RawRecord[], kind: Exclude<PushKind, 'categories'>, settings: Settings, opts: ValidateOptions = { imageDir: null }): ValidatedProducts {
  const v = new ProductValidator(kind, settings, opts);
  const twins = new TwinCodes();
  let staged: StagedProduct[] = [];
  const rejected: Array<JournalItem & { early?: boolean }> = [];
  for (const r of records) {
    const c = v.check(r);
    twins.see(c.code, r.seq);
    if (c.row) staged.push(c.row);
    else rejected.push({ ...c.rejected!, early: c.early });
  }
  staged = settleTwins(twins.twins, staged, rejected);
  keepPicturesOf(v.pictures, staged);
  return { staged, pictures: v.pictures, rejected: rejected.map(({ early: _, ...j }) => j), ignoredFields: v.ignoredFields, unknownFields: v.unknownFields };
}
