// The ERP's order status document (POST /integration/order-status): one record per order,
// naming the order by the number its exported document carried (rendelesszam) or by its id,
// and the state the ERP reached (invoiced, shipped, completed, cancelled, returned), with the
// invoice number, carrier and tracking number. Pure: records in, checked records out.
import type { RawRecord } from './record.js';
import { parseFlag } from '../util/flags.js';

export const ERP_STATES = ['szamlazva', 'szallitas_alatt', 'teljesitve', 'sztornozva', 'visszakuldve'] as const;
export type ErpState = (typeof ERP_STATES)[number];
export const isErpState = (s: string): s is ErpState => (ERP_STATES as readonly string[]).includes(s);

/** The fields this URL reads; any other is reported as unknown. */
export const STATUS_FIELDS = ['rendelesszam', 'order_id', 'rendelesazonosito', 'allapot', 'szamlaszam', 'fuvarlevelszam', 'szallito', 'megjegyzes', 'ertesites', 'force'] as const;

export type OrderRef = { kind: 'id'; id: number; text: string } | { kind: 'number'; number: string; text: string };

export interface StatusRecord {
  seq: number;
  ref: OrderRef;
  state: ErpState;
  invoiceNumber: string;
  trackingNumber: string;
  carrier: string;
  /** For the customer (megjegyzes): the first line of the history comment. */
  note: string;
  /** ertesites: null = the setting's default. */
  notify: boolean | null;
  force: boolean;
}

export interface RefusedRecord {
  seq: number;
  code: string;
  outcome: 'invalid';
  reason: string;
}

const ID = /^[1-9]\d{0,9}$/;
const cut = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);
// Control characters other than tab and newline never reach a customer's e-mail.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function limited(fields: Record<string, string>, name: string, max: number, multiline = false): string {
  const v = (Object.hasOwn(fields, name) ? fields[name]! : '').trim();
  if (v.length > max) throw new Error(`${name} is longer than ${max} characters`);
  if (CONTROL.test(v) || (!multiline && /[\r\n\t]/.test(v))) throw new Error(`${name} holds control characters`);
  return v;
}

/**
 * Checks every record; a record that cannot be applied is refused with its reason (outcome
 * invalid), the others go on. Fields no record of this URL knows are listed once.
 */
export function readStatusRecords(records: RawRecord[]): { valid: StatusRecord[]; refused: RefusedRecord[]; unknownFields: string[] } {
  const valid: StatusRecord[] = [];
  const refused: RefusedRecord[] = [];
  const unknown = new Set<string>();
  const known = new Set<string>(STATUS_FIELDS);
  for (const r of records) {
    const f = r.fields;
    for (const k of Object.keys(f)) if (!known.has(k)) unknown.add(k);
    const pick = (...names: string[]) => names.map((n) => (Object.hasOwn(f, n) ? f[n]!.trim() : '')).find((v) => v !== '') ?? '';
    const idText = pick('order_id', 'rendelesazonosito');
    const numberText = pick('rendelesszam');
    const code = numberText || idText;
    const refuse = (reason: string) => refused.push({ seq: r.seq, code: cut(code, 255), outcome: 'invalid', reason });
    let ref: OrderRef;
    if (idText) {
      if (!ID.test(idText) || Number(idText) > 2_147_483_647) {
        refuse(`order_id "${cut(idText)}" is not an order id (a whole number)`);
        continue;
      }
      ref = { kind: 'id', id: Number(idText), text: idText };
    } else if (numberText) {
      if (numberText.length > 64) {
        refuse(`rendelesszam "${cut(numberText)}" is longer than 64 characters`);
        continue;
      }
      ref = { kind: 'number', number: numberText, text: numberText };
    } else {
      refuse('no rendelesszam (the order number of the exported document) or order_id');
      continue;
    }
    const stateText = pick('allapot').toLowerCase();
    if (!isErpState(stateText)) {
      refuse(stateText ? `allapot "${cut(stateText)}" is not one of ${ERP_STATES.join(', ')}` : `allapot is missing (one of ${ERP_STATES.join(', ')})`);
      continue;
    }
    const notifyText = pick('ertesites');
    const notify = notifyText === '' ? undefined : parseFlag(notifyText);
    const force = parseFlag(pick('force'), false);
    if (notify === null) {
      refuse(`ertesites "${cut(notifyText)}" is not 1 or 0`);
      continue;
    }
    if (force === null) {
      refuse(`force "${cut(pick('force'))}" is not 1 or 0`);
      continue;
    }
    try {
      valid.push({
        seq: r.seq,
        ref,
        state: stateText,
        invoiceNumber: limited(f, 'szamlaszam', 64),
        trackingNumber: limited(f, 'fuvarlevelszam', 64),
        carrier: limited(f, 'szallito', 64),
        note: limited(f, 'megjegyzes', 2000, true),
        notify: notify === undefined ? null : notify,
        force,
      });
    } catch (err) {
      refuse((err as Error).message);
    }
  }
  return { valid, refused, unknownFields: [...unknown] };
}

/** Values a comment template may use. */
export interface CommentValues {
  szamlaszam: string;
  szallito: string;
  fuvarlevelszam: string;
  tracking_link: string;
}

/**
 * The carrier's tracking page for a tracking number: the carrier's URL template (matched by name,
 * case and accents aside) with {fuvarlevelszam} filled in, URL-encoded. '' when either is unknown.
 */
export function trackingLink(links: Record<string, string>, carrier: string, trackingNumber: string): string {
  if (!carrier || !trackingNumber) return '';
  const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
  const key = Object.keys(links).find((k) => norm(k) === norm(carrier));
  if (!key) return '';
  return links[key]!.replace(/\{fuvarlevelszam\}/g, encodeURIComponent(trackingNumber));
}

/**
 * The history comment: the ERP's note first, then the template's segments (separated by "|"),
 * each left out when every placeholder in it is empty, one per line.
 */
export function renderComment(template: string, values: CommentValues, note: string): string {
  const lines: string[] = [];
  if (note) lines.push(note);
  for (const segment of template.split('|')) {
    // Only the known placeholders count; an unknown one stays as written, so a typo shows.
    const names = [...segment.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((n) => Object.hasOwn(values, n));
    const filled = names.filter((n) => (values as unknown as Record<string, string>)[n]);
    if (names.length > 0 && filled.length === 0) continue;
    const text = segment.replace(/\{(\w+)\}/g, (whole, n: string) => (Object.hasOwn(values, n) ? (values as unknown as Record<string, string>)[n]! : whole)).trim();
    if (text) lines.push(text);
  }
  return lines.join('\n');
}
