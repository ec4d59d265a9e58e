// The limits of the ERP's order status records (app/erp/order-status-records.ts), each at its
// exact edge: a value of the limit's length is taken, one character more is refused with its
// reason; what a refusal quotes is cut at 60 characters; which text names a refused record.
import { describe, expect, it } from 'vitest';
import { readStatusRecords, renderComment, trackingLink } from '../../app/erp/order-status-records.js';
import { emptyFields, type RawRecord } from '../../app/erp/record.js';

const record = (r: Record<string, string>): RawRecord[] => [{ seq: 1, line: 1, fields: Object.assign(emptyFields(), r) }];
const read = (r: Record<string, string>) => readStatusRecords(record({ allapot: 'szamlazva', ...r }));
const reason = (r: Record<string, string>) => read(r).refused[0]?.reason;

describe('the limits of an order status record', () => {
  it('takes an order number of 64 characters and refuses one of 65', () => {
    expect(read({ rendelesszam: 'N'.repeat(64) }).valid[0]!.ref).toEqual({ kind: 'number', number: 'N'.repeat(64), text: 'N'.repeat(64) });
    expect(reason({ rendelesszam: 'N'.repeat(65) })).toBe(`rendelesszam "${'N'.repeat(60)}…" is longer than 64 characters`);
  });

  it('takes the highest order id the shop\'s column holds (2147483647) and refuses the next', () => {
    expect(read({ order_id: '2147483647' }).valid[0]!.ref).toEqual({ kind: 'id', id: 2_147_483_647, text: '2147483647' });
    expect(reason({ order_id: '2147483648' })).toBe('order_id "2147483648" is not an order id (a whole number)');
  });

  it('takes an invoice number, tracking number and carrier of 64 characters and a note of 2,000, and refuses one more', () => {
    const at = { szamlaszam: 'S'.repeat(64), fuvarlevelszam: 'F'.repeat(64), szallito: 'C'.repeat(64), megjegyzes: 'M'.repeat(2000) };
    expect(read({ order_id: '5', ...at }).valid[0]).toMatchObject({ invoiceNumber: at.szamlaszam, trackingNumber: at.fuvarlevelszam, carrier: at.szallito, note: at.megjegyzes });
    expect(reason({ order_id: '5', szamlaszam: 'S'.repeat(65) })).toBe('szamlaszam is longer than 64 characters');
    expect(reason({ order_id: '5', fuvarlevelszam: 'F'.repeat(65) })).toBe('fuvarlevelszam is longer than 64 characters');
    expect(reason({ order_id: '5', szallito: 'C'.repeat(65) })).toBe('szallito is longer than 64 characters');
    expect(reason({ order_id: '5', megjegyzes: 'M'.repeat(2001) })).toBe('megjegyzes is longer than 2000 characters');
  });

  it('quotes a refused value whole up to 60 characters, and cut with "…" beyond', () => {
    expect(reason({ order_id: '5', allapot: 'x'.repeat(60) })).toBe(`allapot "${'x'.repeat(60)}" is not one of szamlazva, szallitas_alatt, teljesitve, sztornozva, visszakuldve`);
    expect(reason({ order_id: '5', allapot: 'x'.repeat(61) })).toBe(`allapot "${'x'.repeat(60)}…" is not one of szamlazva, szallitas_alatt, teljesitve, sztornozva, visszakuldve`);
  });

  it('names a refused record by its order number where it has one, else by its order id', () => {
    expect(read({ rendelesszam: 'WEB-7', order_id: '7', allapot: 'nem' }).refused[0]!.code).toBe('WEB-7');
    expect(read({ order_id: '7', allapot: 'nem' }).refused[0]!.code).toBe('7');
    expect(read({ rendelesszam: 'WEB-7', allapot: 'nem' }).refused[0]!.code).toBe('WEB-7');
    // The id is read from order_id, or from its Hungarian name.
    expect(read({ order_id: '8' }).valid[0]!.ref).toEqual({ kind: 'id', id: 8, text: '8' });
    expect(read({ rendelesazonosito: '9' }).valid[0]!.ref).toEqual({ kind: 'id', id: 9, text: '9' });
  });

  it('reads the optional texts trimmed, and one the record does not have as empty', () => {
    expect(read({ order_id: '5', szamlaszam: '  SZ-1 ', megjegyzes: '\tKöszönjük! ' }).valid[0]).toMatchObject({ invoiceNumber: 'SZ-1', trackingNumber: '', carrier: '', note: 'Köszönjük!' });
  });
});

describe('the comment and the tracking link', () => {
  it('finds the carrier\'s page whatever the case, accents and spaces around its name', () => {
    const links = { 'GLS Hungary': 'https://gls.example/?n={fuvarlevelszam}', 'Magyar Posta': 'https://posta.example/{fuvarlevelszam}' };
    expect(trackingLink(links, ' gls HUNGARY ', 'A1')).toBe('https://gls.example/?n=A1');
    expect(trackingLink(links, 'MAGYAR PÓSTA', 'B2')).toBe('https://posta.example/B2');
  });

  it('writes each segment trimmed, and no line for an empty segment', () => {
    const values = { szamlaszam: 'SZ-1', szallito: 'GLS', fuvarlevelszam: '', tracking_link: '' };
    expect(renderComment('Számla: {szamlaszam} | Szállító: {szallito} || ', values, '')).toBe('Számla: SZ-1\nSzállító: GLS');
  });
});
