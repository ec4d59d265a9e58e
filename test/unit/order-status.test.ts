// The order status document read record by record, the history comment, the tracking link,
// and the ERP state → shop status mapping: pure functions, no database.
import { describe, expect, it } from 'vitest';
import { readStatusRecords, renderComment, trackingLink } from '../../app/erp/order-status-records.js';
import { emptyFields, type RawRecord } from '../../app/erp/record.js';
import { DEFAULTS, formatSetting, parseSetting, type Settings } from '../../app/settings/schema.js';
import { finalStatuses, resolveStatusMap } from '../../app/sync/order-status-map.js';

const records = (...rows: Array<Record<string, string>>): RawRecord[] =>
  rows.map((r, i) => ({ seq: i + 1, line: i + 1, fields: Object.assign(emptyFields(), r) }));

describe('reading order status records', () => {
  it('reads an order by its number or its id, the state, and the optional fields', () => {
    const { valid, refused, unknownFields } = readStatusRecords(records(
      { rendelesszam: ' INV-2026-42 ', allapot: 'SZALLITAS_ALATT', szallito: 'GLS', fuvarlevelszam: 'GLS1', szamlaszam: 'SZ/1', megjegyzes: 'Első sor\nmásodik', ertesites: '0' },
      { order_id: '42', allapot: 'teljesitve', force: 'igen' === 'igen' ? '1' : '0', szinkod: 'x' },
    ));
    expect(refused).toEqual([]);
    expect(unknownFields).toEqual(['szinkod']);
    expect(valid[0]).toEqual({
      seq: 1, ref: { kind: 'number', number: 'INV-2026-42', text: 'INV-2026-42' }, state: 'szallitas_alatt', invoiceNumber: 'SZ/1', trackingNumber: 'GLS1', carrier: 'GLS',
      note: 'Első sor\nmásodik', notify: false, force: false,
    });
    expect(valid[1]).toMatchObject({ ref: { kind: 'id', id: 42 }, state: 'teljesitve', notify: null, force: true });
  });

  it('prefers order_id over rendelesszam when both are sent', () => {
    expect(readStatusRecords(records({ order_id: '7', rendelesszam: 'X-9', allapot: 'szamlazva' })).valid[0]!.ref).toEqual({ kind: 'id', id: 7, text: '7' });
  });

  it('refuses each bad record with its reason and keeps the others', () => {
    const { valid, refused } = readStatusRecords(records(
      { allapot: 'szamlazva' },
      { order_id: '-3', allapot: 'szamlazva' },
      { order_id: '99999999999', allapot: 'szamlazva' },
      { rendelesszam: 'A'.repeat(65), allapot: 'szamlazva' },
      { rendelesszam: 'A-1', allapot: 'kiszallitva' },
      { rendelesszam: 'A-2' },
      { rendelesszam: 'A-3', allapot: 'szamlazva', ertesites: 'talán' },
      { rendelesszam: 'A-4', allapot: 'szamlazva', force: '2' },
      { rendelesszam: 'A-5', allapot: 'szamlazva', fuvarlevelszam: 'x'.repeat(65) },
      { rendelesszam: 'A-6', allapot: 'szamlazva', szallito: 'GLS\nDPD' },
      { rendelesszam: 'A-7', allapot: 'szamlazva', megjegyzes: 'bell\u0007' },
      { rendelesszam: 'A-8', allapot: 'sztornozva' },
    ));
    expect(valid.map((v) => v.seq)).toEqual([12]);
    expect(refused.map((r) => [r.seq, r.outcome, r.reason])).toEqual([
      [1, 'invalid', 'no rendelesszam (the order number of the exported document) or order_id'],
      [2, 'invalid', 'order_id "-3" is not an order id (a whole number)'],
      [3, 'invalid', 'order_id "99999999999" is not an order id (a whole number)'],
      [4, 'invalid', `rendelesszam "${'A'.repeat(60)}…" is longer than 64 characters`],
      [5, 'invalid', 'allapot "kiszallitva" is not one of szamlazva, szallitas_alatt, teljesitve, sztornozva, visszakuldve'],
      [6, 'invalid', 'allapot is missing (one of szamlazva, szallitas_alatt, teljesitve, sztornozva, visszakuldve)'],
      [7, 'invalid', 'ertesites "talán" is not 1 or 0'],
      [8, 'invalid', 'force "2" is not 1 or 0'],
      [9, 'invalid', 'fuvarlevelszam is longer than 64 characters'],
      [10, 'invalid', 'szallito holds control characters'],
      [11, 'invalid', 'megjegyzes holds control characters'],
    ]);
  });
});

describe('the history comment', () => {
  const links = DEFAULTS.tracking_links;

  it('fills the template, leaving out segments whose placeholders are all empty, the ERP note first', () => {
    const values = { szamlaszam: 'SZ-1', szallito: '', fuvarlevelszam: '', tracking_link: '' };
    expect(renderComment(DEFAULTS.status_comment, values, 'Köszönjük!')).toBe('Köszönjük!\nSzámlaszám: SZ-1');
    const shipped = { szamlaszam: '', szallito: 'GLS', fuvarlevelszam: 'A 1/2', tracking_link: trackingLink(links, 'gls', 'A 1/2') };
    expect(renderComment(DEFAULTS.status_comment, shipped, '')).toBe('Szállító: GLS\nCsomagszám: A 1/2\nNyomkövetés: https://gls-group.com/HU/hu/csomagkovetes?match=A%201%2F2');
    expect(renderComment('Fix text|{unknown}', shipped, '')).toBe('Fix text\n{unknown}');
    expect(renderComment(DEFAULTS.status_comment, { szamlaszam: '', szallito: '', fuvarlevelszam: '', tracking_link: '' }, '')).toBe('');
  });

  it('links a tracking number only for a carrier with a tracking page, matched without case or accents', () => {
    expect(trackingLink(links, 'MAGYAR POSTA', 'RL1')).toBe('https://www.posta.hu/nyomkovetes/nyitooldal?searchvalue=RL1');
    expect(trackingLink({ 'Csomagküldő': 'https://x.hu/{fuvarlevelszam}' }, 'csomagkuldo', 'Z9')).toBe('https://x.hu/Z9');
    expect(trackingLink(links, 'Ismeretlen Futár', 'X1')).toBe('');
    expect(trackingLink(links, 'GLS', '')).toBe('');
  });
});

describe('ERP state → shop status', () => {
  const oc3 = [
    [1, 'Pending'], [2, 'Processing'], [3, 'Shipped'], [5, 'Complete'], [7, 'Canceled'], [11, 'Refunded'], [15, 'Processed'],
  ].map(([id, name]) => ({ orderStatusId: id as number, name: name as string }));
  const hu = [[1, 'Függőben'], [2, 'Feldolgozás alatt'], [3, 'Szállítva'], [5, 'Teljesítve'], [7, 'Törölve']].map(([id, name]) => ({ orderStatusId: id as number, name: name as string }));
  const settings = (over: Partial<Settings> = {}): Settings => ({ ...structuredClone(DEFAULTS), ...over });

  it('matches the shop\'s statuses by name (English and Hungarian) when the owner chose none', () => {
    const m = resolveStatusMap(settings(), oc3);
    expect(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.id]))).toEqual({ szamlazva: 15, szallitas_alatt: 3, teljesitve: 5, sztornozva: 7, visszakuldve: 11 });
    const h = resolveStatusMap(settings(), hu);
    expect(Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.name]))).toEqual({ szamlazva: 'Feldolgozás alatt', szallitas_alatt: 'Szállítva', teljesitve: 'Teljesítve', sztornozva: 'Törölve', visszakuldve: null });
  });

  it('takes the owner\'s choice over the name, and ignores a choice the shop no longer has', () => {
    expect(resolveStatusMap(settings({ status_map_szamlazva: '2' }), oc3).szamlazva).toEqual({ id: 2, name: 'Processing', source: 'setting' });
    expect(resolveStatusMap(settings({ status_map_szamlazva: '99' }), oc3).szamlazva).toMatchObject({ id: 15, source: 'name' });
  });

  it('counts the completed and cancelled statuses as final, not Shipped', () => {
    expect([...finalStatuses(resolveStatusMap(settings(), oc3))].sort()).toEqual([5, 7]);
  });

  it('parses the settings: tracking pages as CARRIER=URL; …, status ids', () => {
    expect(parseSetting('tracking_links', 'GLS=https://gls.hu/t?m={fuvarlevelszam}; Magyar Posta = https://posta.hu/{fuvarlevelszam}')).toEqual({
      GLS: 'https://gls.hu/t?m={fuvarlevelszam}', 'Magyar Posta': 'https://posta.hu/{fuvarlevelszam}',
    });
    expect(formatSetting('tracking_links', { GLS: 'https://a/{fuvarlevelszam}', DPD: 'https://b/' })).toBe('GLS=https://a/{fuvarlevelszam}; DPD=https://b/');
    expect(() => parseSetting('tracking_links', 'GLS')).toThrow(/is not CARRIER=URL/);
    expect(() => parseSetting('tracking_links', 'GLS=ftp://x')).toThrow(/is not CARRIER=URL/);
    expect(parseSetting('status_map_teljesitve', ' 5 ')).toBe('5');
    expect(parseSetting('status_map_teljesitve', '')).toBe('');
    expect(() => parseSetting('status_map_teljesitve', 'Complete')).toThrow(/order status id/);
    expect(() => parseSetting('shop_url', 'shop.example.hu')).toThrow(/http/);
  });
});
