// The fast XML reader takes every flat document an ERP writes (it is three times quicker than
// the general parser, so a document it needlessly hands over is a slow push), and hands over
// exactly what it cannot read. Each case checks which reader read it, and what it read.
import { describe, expect, it } from 'vitest';
import { FlatXmlScanner, readFlatXml } from '../../app/erp/xml-fast.js';
import { readXmlGeneral, readXmlRecords, XmlRecordStream } from '../../app/erp/xml-reader.js';

const one = (fields: Record<string, string>, line = 1) => [{ seq: 1, line, fields }];

describe('documents the fast reader reads itself', () => {
  it.each([
    ['tabs and CRs between elements', '<t>\t<r>\t<c>x</c>\t</r>\r\n</t>', one({ c: 'x' })],
    ['white space before the > of an end tag', '<t><r><c>x</c \t\r\n></r ></t >', one({ c: 'x' })],
    ['an empty field and a record without fields', '<t><r><c></c></r><r></r></t>', [{ seq: 1, line: 1, fields: { c: '' } }, { seq: 2, line: 1, fields: {} }]],
    ['names with dots, dashes, digits and underscores', '<_t><r.1><c-2_x>v</c-2_x></r.1></_t>', one({ 'c-2_x': 'v' })],
    ['character references, decimal and hexadecimal', '<t><r><c>&#337;&#x171;&#x151;&#65;&#x1F600;</c></r></t>', one({ c: 'őűőA😀' })],
    ['the five entities', '<t><r><c>&amp;&lt;&gt;&quot;&apos;</c></r></t>', one({ c: '&<>"\'' })],
    ['a byte order mark, a declaration and white space first', '\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n \n<t><r><c>x</c></r></t>\n', one({ c: 'x' }, 3)],
    ['an empty root written as a start and an end tag', '<t></t>', []],
    ['a CR LF and a lone CR in a value', '<t><r><c>a\r\nb\rc</c></r></t>', one({ c: 'a\nb\nc' })],
    ['a > and a ] in text', '<t><r><c>a > b ]] c</c></r></t>', one({ c: 'a > b ]] c' })],
    ['white space after the root', '<t><r><c>x</c></r></t>\n\t \r\n', one({ c: 'x' })],
    ['lines counted across CR LF, LF and lone CR', '<t>\r\n<r><c>1</c></r>\n<r><c>2</c></r>\r<r><c>3</c></r></t>', [{ seq: 1, line: 2, fields: { c: '1' } }, { seq: 2, line: 3, fields: { c: '2' } }, { seq: 3, line: 4, fields: { c: '3' } }]],
  ])('%s', (_what, doc, want) => {
    expect(readFlatXml(doc)).toEqual(want);
    expect(readXmlGeneral(doc)).toEqual(want);
  });

  it('reads a document fed a character at a time, records out as soon as they end', () => {
    const doc = '<?xml version="1.0"?>\n<t>\n<r><c>a&amp;b</c></r>\n<r><c>&#337;</c></r>\n</t>\n';
    const s = new FlatXmlScanner();
    const out: Array<{ at: number; seq: number }> = [];
    [...doc].forEach((ch, at) => s.write(ch)!.forEach((r) => out.push({ at, seq: r.seq })));
    expect(s.end()).toEqual([]);
    expect(s.gaveUp).toBe(false);
    expect(out).toEqual([{ at: doc.indexOf('</r>') + 3, seq: 1 }, { at: doc.lastIndexOf('</r>') + 3, seq: 2 }]);
  });
});

describe('documents the fast reader hands over', () => {
  it.each([
    ['a reference to code point 0', '<t><r><c>&#0;</c></r></t>', /malformed XML/],
    ['a reference to a surrogate', '<t><r><c>&#xD800;</c></r></t>', /malformed XML/],
    ['a reference beyond Unicode', '<t><r><c>&#x110000;</c></r></t>', /malformed XML/],
    ['a reference that is no number', '<t><r><c>&#xZZ;</c></r></t>', /malformed XML/],
    ['an entity without its ;', '<t><r><c>a &amp b</c></r></t>', /malformed XML/],
    ['an undefined entity', '<t><r><c>&nbsp;</c></r></t>', /undefined entity/],
    ['text after the root', '<t><r><c>x</c></r></t> x', /malformed XML/],
    ['a second root', '<t></t><t></t>', /malformed XML/],
    ['a record left open', '<t><r><c>x</c>', /malformed XML/],
    ['an end tag that is not the field\'s', '<t><r><c>x</c2></r></t>', /malformed XML/],
    ['an end tag that only starts like the field\'s', '<t><r><c>x</cc></r></t>', /malformed XML/],
    ['a document that is only a declaration', '<?xml version="1.0"?>', /malformed XML/],
  ])('%s: the general parser refuses it', (_what, doc, message) => {
    expect(readFlatXml(doc)).toBeNull();
    expect(() => readXmlRecords(doc)).toThrow(message);
  });

  it.each([
    ['a processing instruction inside', '<t><?pi x?><r><c>x</c></r></t>', one({ c: 'x' })],
    ['a name with a colon', '<t><r><a:c>x</a:c></r></t>', one({ 'a:c': 'x' })],
  ])('%s: the general parser reads it', (_what, doc, want) => {
    expect(readFlatXml(doc)).toBeNull();
    expect(readXmlRecords(doc)).toEqual(want);
  });

  it('hands over from the record it could not read, keeping the records, numbers and lines before it', () => {
    const doc = '<t>\n<r><c>1</c></r>\n<r><c>2</c></r>\n  <r id="3"><c>3</c></r>\n<r><c>4</c></r>\n</t>';
    const s = new FlatXmlScanner();
    expect(s.write(doc)).toBeNull();
    expect(s.pending.map((r) => r.seq)).toEqual([1, 2]);
    // From the end of the last record read: line 3, column 16.
    expect(s.rest()).toEqual({ text: '\n  <r id="3"><c>3</c></r>\n<r><c>4</c></r>\n</t>', line: 3, column: 16, root: 't', seq: 2 });
    const stream = new XmlRecordStream();
    const got = [...stream.write(doc), ...stream.end()];
    expect(got).toEqual([
      { seq: 1, line: 2, fields: { c: '1' } }, { seq: 2, line: 3, fields: { c: '2' } },
      { seq: 3, line: 4, fields: { id: '3', c: '3' } }, { seq: 4, line: 5, fields: { c: '4' } },
    ]);
  });

  it('an error after the hand-over names its line and column in the whole document', () => {
    const doc = '<t>\n<r><c>1</c></r>\n<r><!-- x --><c>2</d></r>\n</t>';
    expect(() => readXmlRecords(doc)).toThrow(/^malformed XML at line 3, column \d+: /);
    const first = '<t><r><c>1</c></r><r x="1"><c>2</d></r></t>';
    expect(() => readXmlRecords(first)).toThrow(/^malformed XML at line 1, column 3[0-9]: 1:3[0-9]: /);
  });
});
