// Order problems (app/erp/order-problems.ts) are made as English sentences from templates, stored
// so, and read back into their code and values for the admin (app/web/i18n/order-errors.ts):
// every template round-trips, joined problems come apart, a value holding "; " stays whole, an
// unknown text is kept, and the Hungarian words have no English word in them.
import { describe, expect, it } from 'vitest';
import { ORDER_PROBLEM_TEXT, orderProblem, readOrderProblems, type OrderProblemCode } from '../../app/erp/order-problems.js';
import { orderErrorText } from '../../app/web/i18n/order-errors.js';
import { translator } from '../../app/web/i18n/messages.js';
import { englishIn } from '../browser/hungarian.js';

const SAMPLE: Record<OrderProblemCode, Record<string, string | number>> = {
  code_missing: { setting: 'coupon_code', line: 'coupon' },
  total_differs: { gross: '12345.00', total: '12245.00', diff: '100.00' },
  tax_unmatched: { name: 'Kés & villa (24 db)', tax: 12.5 },
  tax_unexplained: { title: 'ÁFA 18%', amount: '180.00' },
  tax_differs: { name: 'ÁFA 27%', exact: '270.00', row: '269.99', diff: '0.01' },
  net_differs: { exact: '1000.00', total: '999.99', diff: '0.01' },
  replaced: { fields: 'customer.name, lines[0].name' },
  http_status: { status: 503, body: 'Karbantartás' },
  timeout: { host: 'erp.example.hu:8080', seconds: 30 },
  unreachable: { host: 'erp.example.hu', reason: 'connect ECONNREFUSED 127.0.0.1:9' },
  unwritable: { dir: '/srv/erp/be', code: 'EACCES' },
  unreadable: {},
  unservable: { detail: 'Unexpected token' },
  api_no_shop_url: {},
  api_no_user_set: {},
  api_tables_unreadable: { detail: 'SQLITE_ERROR' },
  api_no_tables: {},
  api_no_user: { user: 'erp-bridge' },
  api_answered: { error: 'Figyelem: nincs jogosultság' },
  api_no_result: { status: 302, text: '<html>' },
  api_timeout: { origin: 'https://bolt.example.hu', seconds: 10 },
  api_unreachable: { origin: 'https://bolt.example.hu', why: 'ECONNREFUSED' },
  written_directly: {},
};
const hu = translator('hu');
const en = translator('en');

describe('order problems', () => {
  it('reads every template back into its code and values, after "http: " or "file: " too', () => {
    for (const code of Object.keys(ORDER_PROBLEM_TEXT) as OrderProblemCode[]) {
      const vars = Object.fromEntries(Object.entries(SAMPLE[code]).map(([k, v]) => [k, String(v)]));
      expect(readOrderProblems(orderProblem(code, SAMPLE[code])), code).toEqual([{ code, vars }]);
      expect(readOrderProblems(`http: ${orderProblem(code, SAMPLE[code])}`), code).toEqual([{ via: 'http', code, vars }]);
    }
  });

  it('takes joined problems apart, keeps a value holding "; " whole, and keeps a text no template makes', () => {
    const joined = [orderProblem('code_missing', { setting: 'coupon_code', line: 'coupon' }), orderProblem('tax_unmatched', { name: 'Só; bors', tax: 5 }), 'something else'].join('; ');
    expect(readOrderProblems(joined)).toEqual([
      { code: 'code_missing', vars: { setting: 'coupon_code', line: 'coupon' } },
      { code: 'tax_unmatched', vars: { name: 'Só; bors', tax: '5' } },
      { text: 'something else' },
    ]);
    // The stored-document sentence holds "; " itself.
    expect(readOrderProblems(orderProblem('unreadable'))).toEqual([{ code: 'unreadable', vars: {} }]);
  });

  it('says each problem in Hungarian with no English word, the settings and lines by their names', () => {
    for (const code of Object.keys(ORDER_PROBLEM_TEXT) as OrderProblemCode[]) {
      const text = orderErrorText(hu, `file: ${orderProblem(code, SAMPLE[code])}`);
      expect(text, code).not.toBe(`file: ${orderProblem(code, SAMPLE[code])}`);
      // The values (an address, a system error, the document's field paths) are data, not words of the UI.
      const words = Object.values(SAMPLE[code]).reduce<string>((s, v) => s.split(String(v)).join(' '), text);
      expect(englishIn(words), `${code}: ${text}`).toEqual([]);
    }
    expect(orderErrorText(hu, orderProblem('code_missing', { setting: 'coupon_code', line: 'coupon' }))).toBe('„Kupon cikkszáma az ERP-ben” nincs beállítva, pedig a rendelés egyik sora (kupon) ezt kéri');
    expect(orderErrorText(hu, `http: ${orderProblem('http_status', { status: 503, body: 'Karbantartás' })}`)).toBe('HTTP-küldés: az ERP HTTP 503 hibával válaszolt: Karbantartás');
    expect(orderErrorText(hu, 'an older row')).toBe('an older row');
    // English shows the sentence as stored (the one the CLI and the log print).
    expect(orderErrorText(en, orderProblem('total_differs', SAMPLE.total_differs))).toBe(orderProblem('total_differs', SAMPLE.total_differs));
  });
});

describe('order problems in the page\'s number format', () => {
  it('shows amounts as the owner reads numbers: "12 345" and "0,01" in Hungarian, "12,345" in English', async () => {
    const { formatter } = await import('../../app/web/i18n/format.js');
    const stored = orderProblem('total_differs', { gross: '12345.00', total: '12245.50', diff: '-99.50' });
    const shownHu = orderErrorText(hu, stored, formatter('hu'));
    expect(shownHu).toContain('(12\u00a0345)');
    expect(shownHu).toContain('(12\u00a0245,5)');
    expect(shownHu).toMatch(/−99,5|-99,5/);
    expect(shownHu).not.toMatch(/\d\.\d/);
    expect(orderErrorText(en, stored, formatter('en'))).toContain('12,345');
    // Not every value is an amount: a tax class name with digits and an HTTP status stay as they were.
    expect(orderErrorText(hu, orderProblem('http_status', { status: 503, body: 'v1.5' }), formatter('hu'))).toContain('503');
    expect(orderErrorText(hu, orderProblem('http_status', { status: 503, body: 'v1.5' }), formatter('hu'))).toContain('v1.5');
  });
});
