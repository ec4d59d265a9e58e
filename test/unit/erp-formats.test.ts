import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../app/erp/charset.js';
import { parseDocument } from '../../app/erp/document.js';
import { DocumentError } from '../../app/erp/errors.js';
import { parseErpNumber, simpleNumber } from '../../app/erp/numbers.js';
import { encodeLikeOpenCart, decodeLikeOpenCart } from '../../app/util/html.js';

describe('ERP numbers', () => {
  it.each([
    ['1234.5', 1234.5], ['1234,5', 1234.5], ['1 234,50', 1234.5], ['1.234,50', 1234.5], ['1,234.50', 1234.5],
    ['-3', -3], ['0', 0], ['12\u00a0000', 12000], ['abc', null], ['', null], ['1,2,3', null], ['1.2.3', null], ['12e3', null],
  ])('%s → %s', (raw, want) => expect(parseErpNumber(raw)).toBe(want));
});

describe('ERP numbers in their plain forms (read without patterns)', () => {
  // What the plain forms gave before they were read character by character: Number() of the
  // text (its comma a point), for exactly the texts the two patterns take.
  const reference = (s: string): number | undefined =>
    /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : /^-?\d+,\d+$/.test(s) ? Number(s.replace(',', '.')) : undefined;

  it('gives the same double as Number() for every plain text, up to 15 digits and past them', () => {
    let seed = 12345;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const texts = ['0', '-0', '00012', '0,5', '-0.0', '1001,50', '999999999999999', '9999999999999999', '12345678901234567890',
      '0.000000000000001', '0,0000000000000001', '123456789012345.6', '4503599627370496.5', '0.1', '0.7', '1.005', '2.675', '-12,5'];
    for (let k = 0; k < 20_000; k++) {
      const int = Array.from({ length: 1 + next(17) }, () => next(10)).join('');
      const frac = next(3) === 0 ? '' : (next(2) ? '.' : ',') + Array.from({ length: 1 + next(17) }, () => next(10)).join('');
      texts.push(`${next(4) === 0 ? '-' : ''}${int}${frac}`);
    }
    let compared = 0;
    for (const t of texts) {
      const want = reference(t);
      expect(want).not.toBeUndefined();
      expect(Object.is(parseErpNumber(t), want), `${t}: ${parseErpNumber(t)} against ${want}`).toBe(true);
      compared++;
    }
    expect(compared).toBe(20_018);
  });

  it('reads those of at most 15 digits itself (the patterns are not asked) and leaves longer ones to them', () => {
    let seed = 777;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    let read = 0;
    let left = 0;
    for (let k = 0; k < 5_000; k++) {
      const int = Array.from({ length: 1 + next(12) }, () => next(10)).join('');
      const frac = next(3) === 0 ? '' : (next(2) ? '.' : ',') + Array.from({ length: 1 + next(12) }, () => next(10)).join('');
      const t = `${next(4) === 0 ? '-' : ''}${int}${frac}`;
      const digits = t.replace(/[^0-9]/g, '').length;
      if (digits <= 15) {
        expect(Object.is(simpleNumber(t), reference(t)), t).toBe(true);
        read++;
      } else {
        expect(simpleNumber(t), t).toBeUndefined();
        left++;
      }
    }
    expect(read).toBeGreaterThan(2_000);
    expect(left).toBeGreaterThan(500);
    for (const t of ['0', '9', '-7', '09,5', '999999999999999', '-0', '0.00000000000009']) expect(Object.is(simpleNumber(t), reference(t)), t).toBe(true);
    for (const t of ['', '-', '12.', '.5', '1..5', '1.,5', '1,.5', '1.2.3', '1,2', '1e5', ' 1', '1 ', '+1', '9999999999999999', '/', ':']) expect(simpleNumber(t), t).toBe(t === '1,2' ? 1.2 : undefined);
  });

  it('reads a plain text past 64 characters as before (the length limit is for the trimmed, grouped forms)', () => {
    expect(parseErpNumber(`12.5${'0'.repeat(62)}`)).toBe(12.5);
    expect(parseErpNumber(`0,${'0'.repeat(62)}125`)).toBe(1.25e-63);
    expect(parseErpNumber('9'.repeat(400))).toBe(Infinity);
    expect(parseErpNumber(` 12.5${'0'.repeat(62)}`)).toBeNull();
  });

  it('leaves every other text to the patterns: separators at an end or twice, signs, spaces', () => {
    expect(['12.', ',5', '-', '', '1.2.3', '1,2,3', '--1', '+1', '1-', '12,', '1 234', '1e5', '٣'].map(parseErpNumber))
      .toEqual([null, 0.5, null, null, null, null, null, null, null, null, 1234, null, null]);
  });
});

describe('ERP numbers as exporters write them', () => {
  it('reads a number with white space around it, and a fraction without its leading zero', () => {
    expect([' 1234 ', '\t12,5 ', ' 12.5', ',5', '.5', '-,5', '-.25', ' 1 234,5 ']. map(parseErpNumber)).toEqual([1234, 12.5, 12.5, 0.5, 0.5, -0.5, -0.25, 1234.5]);
  });

  it('refuses a grouped number longer than 64 characters (and takes one of 64)', () => {
    const of64 = `12${' 000'.repeat(15)},5`;
    expect(of64.length).toBe(64);
    expect(parseErpNumber(of64)).toBe(12e45 + 0.5);
    expect(parseErpNumber(`1${of64}`)).toBeNull();
    expect(parseErpNumber(' ')).toBeNull();
  });
});

describe('documents', () => {
  it('reads XML records with their fields, attributes and CDATA', () => {
    const doc = parseDocument(Buffer.from('<?xml version="1.0"?>\n<termekek>\n <termek kod="x"><termekkod>A</termekkod><nev><![CDATA[Kés & villa]]></nev></termek>\n</termekek>'), 'text/xml');
    expect(doc.records).toEqual([{ seq: 1, line: 3, fields: { kod: 'x', termekkod: 'A', nev: 'Kés & villa' } }]);
  });

  it('sniffs XML and JSON when the content type says nothing useful', () => {
    expect(parseDocument(Buffer.from(' [{"termekkod":"A"}]'), 'application/octet-stream').format).toBe('json');
    expect(parseDocument(Buffer.from('<termekek/>'), undefined).format).toBe('xml');
  });

  it('reads CSV with ; or , and a BOM', () => {
    expect(parseDocument(Buffer.from('\uFEFFtermekkod,ar\nA,"1,5"\n'), 'text/csv').records[0]!.fields).toEqual({ termekkod: 'A', ar: '1,5' });
    expect(parseDocument(Buffer.from('termekkod;ar\r\nB;2\r\n'), 'text/csv').records[0]!.fields).toEqual({ termekkod: 'B', ar: '2' });
  });

  it('refuses a field given twice in one XML record', () => {
    expect(() => parseDocument(Buffer.from('<t><termek><ar>1</ar><ar>2</ar></termek></t>'), 'application/xml')).toThrow(/appears twice/);
  });

  it('reports an empty body', () => {
    expect(() => parseDocument(Buffer.alloc(0), 'application/xml')).toThrow(DocumentError);
  });
});

describe('charsets', () => {
  it('decodes ő and ű from ISO-8859-2 and Windows-1250 exactly', () => {
    for (const cs of ['iso-8859-2', 'windows-1250', 'latin2', 'cp1250'])
      expect(decodeBody(iconv.encode('Árvíztűrő tükörfúrógép', cs.startsWith('cp') ? 'windows-1250' : cs.replace('latin2', 'iso-8859-2')), cs).text).toBe('Árvíztűrő tükörfúrógép');
  });
  it('takes the XML declaration when the Content-Type has no charset', () => {
    const body = iconv.encode('<?xml version="1.0" encoding="ISO-8859-2"?><t><termek><nev>ő</nev></termek></t>', 'iso-8859-2');
    expect(parseDocument(body, 'application/xml').records[0]!.fields.nev).toBe('ő');
  });
  it('refuses bytes Windows-1250 does not define', () => {
    expect(() => decodeBody(Buffer.from([0x41, 0x98]), 'windows-1250')).toThrow(/does not define/);
  });
});

describe('OpenCart text encoding', () => {
  it('encodes as htmlspecialchars(ENT_COMPAT) and decodes back', () => {
    const typed = `Kés & villa "Luxus" <b> it's`;
    expect(encodeLikeOpenCart(typed)).toBe('Kés &amp; villa &quot;Luxus&quot; &lt;b&gt; it\'s');
    expect(decodeLikeOpenCart(encodeLikeOpenCart(typed))).toBe(typed);
  });
});
