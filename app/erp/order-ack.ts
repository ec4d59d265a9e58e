// The ERP's acknowledgement of downloaded orders, read strictly: an order id is a whole number
// and nothing else ("-1010", "1010.5" or "zzz 1031" are refused, never read as 1010, 5 or 1031);
// an order number is compared whole with the numbers of the documents the feed served.
import { DocumentError } from './errors.js';
import type { RawRecord } from './record.js';

export type AckRef = { kind: 'id'; id: number; text: string } | { kind: 'number'; number: string; text: string };

export interface AckRecord {
  seq: number;
  ref: AckRef;
  erpDocumentId: string | null;
}

const ID = /^[1-9]\d{0,9}$/;
const cut = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

export function readAcks(records: RawRecord[]): AckRecord[] {
  return records.map((r) => {
    const f = r.fields;
    const pick = (...names: string[]) => names.map((n) => (Object.hasOwn(f, n) ? f[n]!.trim() : '')).find((v) => v !== '') ?? '';
    const idText = pick('orderId', 'rendelesazonosito');
    const numberText = pick('orderNumber', 'rendelesszam');
    const erpDocumentId = pick('erpDocumentId', 'bizonylatszam').slice(0, 128) || null;
    if (idText) {
      if (!ID.test(idText) || Number(idText) > 2_147_483_647)
        throw new DocumentError(400, `record ${r.seq}: order id "${cut(idText)}" is not an order id (a whole number, as in the feed's orderId)`);
      return { seq: r.seq, ref: { kind: 'id', id: Number(idText), text: idText }, erpDocumentId };
    }
    if (numberText) {
      if (numberText.length > 64) throw new DocumentError(400, `record ${r.seq}: order number "${cut(numberText)}" is too long`);
      return { seq: r.seq, ref: { kind: 'number', number: numberText, text: numberText }, erpDocumentId };
    }
    throw new DocumentError(400, `record ${r.seq}: no order id (orderId / rendelesazonosito) or order number (orderNumber / rendelesszam)`);
  });
}

/**
 * The order ids an order number can stand for: the number is the shop's invoice prefix followed
 * by the id, so every run of trailing digits (without a leading zero) is a candidate. "DEMO-1030"
 * → 1030 and 30; which one it is (if either) is decided by the stored documents.
 */
export function candidateIds(orderNumber: string): number[] {
  const digits = /(\d+)$/.exec(orderNumber)?.[1] ?? '';
  const out: number[] = [];
  for (let i = 0; i < digits.length; i++) {
    const tail = digits.slice(i);
    if (tail[0] !== '0' && tail.length <= 10 && Number(tail) <= 2_147_483_647) out.push(Number(tail));
  }
  return out;
}
