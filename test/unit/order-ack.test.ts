// The ERP's acknowledgement records: which field names count, the limits of an id and a number,
// and the refusals the ERP reads back.
import { describe, expect, it } from 'vitest';
import { DocumentError } from '../../app/erp/errors.js';
import { candidateIds, readAcks } from '../../app/erp/order-ack.js';
import { emptyFields } from '../../app/erp/record.js';
import { thrown } from '../support/thrown.js';

const rec = (fields: Record<string, string>, seq = 1) => ({ seq, line: seq, fields: Object.assign(emptyFields(), fields) });
const refusal = (fields: Record<string, string>, seq = 3) => {
  const e = thrown(() => readAcks([rec(fields, seq)]), DocumentError);
  expect(e.status).toBe(400);
  return e.message;
};

describe('acknowledgement records', () => {
  it('reads the English or Hungarian names, the first non-blank one winning, and the ERP document id', () => {
    expect(readAcks([rec({ rendelesazonosito: '12', bizonylatszam: ' SZ-1 ' })])[0]).toEqual({ seq: 1, ref: { kind: 'id', id: 12, text: '12' }, erpDocumentId: 'SZ-1' });
    expect(readAcks([rec({ orderId: '  ', rendelesazonosito: '13' })])[0]!.ref).toEqual({ kind: 'id', id: 13, text: '13' });
    expect(readAcks([rec({ orderNumber: ' INV-7 ', erpDocumentId: 'E1', bizonylatszam: 'E2' })])[0]).toEqual({ seq: 1, ref: { kind: 'number', number: 'INV-7', text: 'INV-7' }, erpDocumentId: 'E1' });
    expect(readAcks([rec({ rendelesszam: 'INV-8' })])[0]!.ref).toEqual({ kind: 'number', number: 'INV-8', text: 'INV-8' });
  });

  it('an id wins over a number; no ERP document id is null, a long one is cut to 128 characters', () => {
    expect(readAcks([rec({ orderId: '5', orderNumber: 'INV-7' })])[0]).toEqual({ seq: 1, ref: { kind: 'id', id: 5, text: '5' }, erpDocumentId: null });
    expect(readAcks([rec({ orderId: '5', erpDocumentId: 'x'.repeat(200) })])[0]!.erpDocumentId).toBe('x'.repeat(128));
  });

  it('takes ids up to 2147483647 (OpenCart\'s int) and refuses the next one, naming the record', () => {
    expect(readAcks([rec({ orderId: '2147483647' })])[0]!.ref).toMatchObject({ id: 2147483647 });
    expect(refusal({ orderId: '2147483648' })).toBe('record 3: order id "2147483648" is not an order id (a whole number, as in the feed\'s orderId)');
    expect(readAcks([rec({ orderId: '9' })])[0]!.ref).toMatchObject({ id: 9 });
  });

  it('quotes at most 60 characters of a refused value', () => {
    expect(refusal({ orderId: 'x'.repeat(60) })).toBe(`record 3: order id "${'x'.repeat(60)}" is not an order id (a whole number, as in the feed's orderId)`);
    expect(refusal({ orderId: 'x'.repeat(61) })).toBe(`record 3: order id "${'x'.repeat(60)}…" is not an order id (a whole number, as in the feed's orderId)`);
  });

  it('takes order numbers up to 64 characters', () => {
    expect(readAcks([rec({ orderNumber: 'N'.repeat(64) })])[0]!.ref).toMatchObject({ number: 'N'.repeat(64) });
    expect(refusal({ orderNumber: 'N'.repeat(65) })).toBe(`record 3: order number "${'N'.repeat(60)}…" is too long`);
    expect(refusal({ orderNumber: ' ', erpDocumentId: 'E1' })).toBe('record 3: no order id (orderId / rendelesazonosito) or order number (orderNumber / rendelesszam)');
  });
});

describe('the order ids an order number can stand for', () => {
  it('each trailing run of at most 10 digits, within OpenCart\'s int, without a leading zero', () => {
    expect(candidateIds('A-2147483647')).toEqual([2147483647, 147483647, 47483647, 7483647, 483647, 83647, 3647, 647, 47, 7]);
    expect(candidateIds('A-2147483648')).toEqual([147483648, 47483648, 7483648, 483648, 83648, 3648, 648, 48, 8]);
    expect(candidateIds('12345678901')).toEqual([345678901, 45678901, 5678901, 678901, 78901, 8901, 901, 1]);
    expect(candidateIds('INV-105')).toEqual([105, 5]);
    expect(candidateIds('INV-0')).toEqual([]);
  });
});
