// The pure pieces behind the hostile-input suite: XML-safe text, strict ack ids, flags, CSV cells, numbers.
import { describe, expect, it } from 'vitest';
import { assertWellFormedXml, hasNonXmlChars, sanitizeStrings, xmlSafe, xmlText } from '../../app/erp/xml-text.js';
import { candidateIds, readAcks } from '../../app/erp/order-ack.js';
import { parseErpNumber } from '../../app/erp/numbers.js';
import { csvCell } from '../../app/util/csv.js';
import { parseCount, parseFlag } from '../../app/util/flags.js';

describe('XML-safe text', () => {
  it('replaces C0 controls, lone surrogates and U+FFFE/U+FFFF, keeps tab, line ends and real pairs', () => {
    expect(xmlSafe('a\u0000b\u000Bc\u000Cd\u001Fe')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
    expect(xmlSafe('t\tn\nr\r')).toBe('t\tn\nr\r');
    expect(xmlSafe('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(xmlSafe('😀')).toBe('😀');
    expect(xmlSafe('\uFFFE\uFFFF')).toBe('\uFFFD\uFFFD');
    expect(hasNonXmlChars('plain')).toBe(false);
    expect(xmlText('<a href="x">&\u0001')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;\uFFFD');
  });
  it('escapes all five characters XML reserves, the apostrophe included', () => {
    expect(xmlText(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });

  it('sanitizing leaves anything that is not an object alone and reports nothing', () => {
    for (const v of [null, undefined, 5, 'x\u0000', true]) expect(sanitizeStrings(v), String(v)).toEqual([]);
  });

  it('tells well-formed XML from what an XML reader refuses (the oracle of the hostile order tests)', () => {
    expect(() => assertWellFormedXml('<?xml version="1.0"?><a b="1">x &amp; y</a>')).not.toThrow();
    expect(() => assertWellFormedXml('<a>\u000b</a>')).toThrow();
    expect(() => assertWellFormedXml('<a>\u0000</a>')).toThrow();
    expect(() => assertWellFormedXml('<a><b></a>')).toThrow();
    expect(() => assertWellFormedXml('<a>x & y</a>')).toThrow();
  });

  it('sanitizes every string of a document in place and names the paths', () => {
    const doc = { a: 'ok', b: { c: 'x\u0000', d: [{ e: '\u000B' }] }, n: 5 };
    expect(sanitizeStrings(doc)).toEqual(['b.c', 'b.d.0.e']);
    expect(doc).toEqual({ a: 'ok', b: { c: 'x\uFFFD', d: [{ e: '\uFFFD' }] }, n: 5 });
  });
});

describe('acknowledgements', () => {
  const rec = (fields: Record<string, string>) => ({ seq: 1, line: 1, fields: Object.assign(Object.create(null), fields) });
  it('takes whole-number ids only', () => {
    expect(readAcks([rec({ orderId: ' 1010 ' })])[0]!.ref).toEqual({ kind: 'id', id: 1010, text: '1010' });
    for (const bad of ['-1010', '1010.5', 'zzz 1031', '0', '01010', '99999999999']) expect(() => readAcks([rec({ orderId: bad })]), bad).toThrow(/is not an order id/);
    expect(() => readAcks([rec({})])).toThrow(/no order id/);
  });
  it('an order number stands for each trailing run of digits without a leading zero', () => {
    expect(candidateIds('DEMO-1030')).toEqual([1030, 30]);
    expect(candidateIds('INV-2026-42')).toEqual([42, 2]);
    expect(candidateIds('abc')).toEqual([]);
  });
});

describe('flags, counts, CSV cells and numbers', () => {
  it('dry_run words', () => {
    for (const t of ['1', 'TRUE', 'yes', 'On']) expect(parseFlag(t)).toBe(true);
    for (const f of ['0', 'false', 'NO', 'off', '', undefined]) expect(parseFlag(f)).toBe(false);
    for (const bad of ['1.0', 'maybe', ['1', '0']]) expect(parseFlag(bad)).toBeNull();
    expect(parseCount('-1', 100)).toBeNull();
    expect(parseCount(undefined, 100)).toBe(100);
  });
  it('neutralises formula cells, leaves numbers', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-x')).toBe("'-x");
    expect(csvCell(-250)).toBe('-250');
    expect(csvCell('a;b')).toBe('"a;b"');
  });
  it('reads grouped numbers only in threes', () => {
    expect(parseErpNumber('1 234,50')).toBe(1234.5);
    expect(parseErpNumber('1.234.567,5')).toBe(1234567.5);
    expect(parseErpNumber('1,234.5')).toBe(1234.5);
    expect(parseErpNumber('-0,5')).toBe(-0.5);
    for (const bad of ['1 2 3', '12 34', '1.2.3,4', '1,2,3', '1 234.567,8', 'abc', '']) expect(parseErpNumber(bad), bad).toBeNull();
  });
});
