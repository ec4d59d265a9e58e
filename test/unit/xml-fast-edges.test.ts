// The fast XML reader at the edges of what it takes: every document it reads must read as the
// general parser reads it, and every document the general parser refuses must be handed to it
// (so the ERP gets the general parser's 400 with line and column, never a quiet acceptance).
// Cases found by mutation testing (issue 16), and two bugs found with them: character references
// to characters XML does not allow, and XML declarations saxes refuses, were read by the scanner.
import { describe, expect, it } from 'vitest';
import { FlatXmlScanner, readFlatXml } from '../../app/erp/xml-fast.js';
import { readXmlGeneral, XmlRecordStream } from '../../app/erp/xml-reader.js';
import { refusal, viaStream } from '../support/xml-readers.js';

const value = (inner: string) => `<t><r><c>${inner}</c></r></t>`;

describe('character references at the edges of what XML allows', () => {
  it.each([
    ['U+0001', '&#1;'],
    ['U+0008, in hexadecimal', '&#x8;'],
    ['a vertical tab', '&#xB;'],
    ['a form feed', '&#12;'],
    ['U+001F', '&#x1F;'],
    ['U+FFFE', '&#xFFFE;'],
    ['U+FFFF', '&#xFFFF;'],
    ['the last surrogate, U+DFFF', '&#xDFFF;'],
  ])('a reference to %s is refused with the general parser\'s 400, as the character itself is', (_what, ref) => {
    const doc = value(`a${ref}b`);
    expect(readFlatXml(doc)).toBeNull();
    const general = refusal(() => readXmlGeneral(doc));
    expect(general).toMatch(/^malformed XML at line 1, column \d+: .*malformed character entity/);
    expect(refusal(() => viaStream(doc))).toBe(general);
  });

  it.each([
    ['a tab, a line feed and a carriage return', '&#9;&#xA;&#13;', '\t\n\r'],
    ['U+0020, the first character after the controls', '&#x20;', ' '],
    ['U+D7FF and U+E000, either side of the surrogates', '&#xD7FF;&#xE000;', '\uD7FF\uE000'],
    ['U+FFFD, just before U+FFFE', '&#xFFFD;', '\uFFFD'],
    ['U+10000 and U+10FFFF, the last character', '&#x10000;&#x10FFFF;', '\u{10000}\u{10FFFF}'],
  ])('a reference to %s is read by the fast reader, as the general parser reads it', (_what, ref, want) => {
    const doc = value(ref);
    expect(readFlatXml(doc)).toEqual([{ seq: 1, line: 1, fields: { c: want } }]);
    expect(readXmlGeneral(doc)).toEqual(readFlatXml(doc));
  });
});

describe('the XML declaration', () => {
  it.each([
    ['without a version', '<?xml?>'],
    ['with only an encoding', '<?xml encoding="UTF-8"?>'],
    ['of version 2.0', '<?xml version="2.0"?>'],
    ['of version "1."', '<?xml version="1."?>'],
    ['with quotes that do not pair', '<?xml version="1.0\'?>'],
    ['with an unknown pseudo-attribute', '<?xml version="1.0" foo="1"?>'],
    ['with standalone before the encoding', '<?xml version="1.0" standalone="yes" encoding="UTF-8"?>'],
    ['with standalone "maybe"', '<?xml version="1.0" standalone="maybe"?>'],
    ['with an empty encoding', '<?xml version="1.0" encoding=""?>'],
    ['without white space between its parts', '<?xml version="1.0"encoding="UTF-8"?>'],
    ['with a no-break space after "xml"', '<?xml\u00a0version="1.0"?>'],
  ])('%s is refused with the general parser\'s 400, never read past', (_what, decl) => {
    const doc = `${decl}<t><r><c>x</c></r></t>`;
    expect(readFlatXml(doc)).toBeNull();
    const general = refusal(() => readXmlGeneral(doc));
    expect(general).toMatch(/^malformed XML at line 1, column \d+: /);
    expect(refusal(() => viaStream(doc))).toBe(general);
  });

  it.each([
    ['the usual one', '<?xml version="1.0" encoding="UTF-8"?>'],
    ['in single quotes', "<?xml version='1.0' encoding='ISO-8859-2'?>"],
    ['version 1.1, white space around = and before ?>', '<?xml version = "1.1" ?>'],
    ['standalone, parts on lines of their own', '<?xml\nversion="1.0"\nencoding="utf-8"\nstandalone="no"?>'],
    ['standalone="yes" without an encoding', '<?xml version="1.0" standalone="yes"?>'],
  ])('%s is read by the fast reader, as the general parser reads it', (_what, decl) => {
    const doc = `${decl}\n<t><r><c>x</c></r></t>`;
    const line = decl.split('\n').length + 1;
    expect(readFlatXml(doc)).toEqual([{ seq: 1, line, fields: { c: 'x' } }]);
    expect(readXmlGeneral(doc)).toEqual(readFlatXml(doc));
  });

  it('a processing instruction whose name only starts with "xml" is handed over, and read', () => {
    const doc = '<?xml-stylesheet href="a.xsl"?><t><r><c>x</c></r></t>';
    expect(readFlatXml(doc)).toBeNull();
    expect(viaStream(doc)).toEqual([{ seq: 1, line: 1, fields: { c: 'x' } }]);
  });

  it('a declaration arriving a character at a time is waited for, then read', () => {
    const doc = '<?xml version="1.0" encoding="UTF-8"?><t><r><c>x</c></r></t>';
    const s = new FlatXmlScanner();
    const out: unknown[] = [...doc].flatMap((ch): unknown[] => s.write(ch) ?? ['gave up']);
    expect([...out, ...(s.end() ?? ['gave up'])]).toEqual([{ seq: 1, line: 1, fields: { c: 'x' } }]);
  });
});

describe('text and references the fast reader decodes', () => {
  it('a value that starts with a CR LF or a lone CR reads them as line feeds', () => {
    const doc = value('\r\nx\ry');
    expect(readFlatXml(doc)).toEqual([{ seq: 1, line: 1, fields: { c: '\nx\ny' } }]);
    expect(readFlatXml(value('\rz'))).toEqual([{ seq: 1, line: 1, fields: { c: '\nz' } }]);
    expect(readXmlGeneral(doc)).toEqual(readFlatXml(doc));
  });

  it('lowercase hexadecimal digits are read; a letter after the hexadecimal digits is refused', () => {
    expect(readFlatXml(value('&#xe9;&#xfb;'))).toEqual([{ seq: 1, line: 1, fields: { c: 'éû' } }]);
    const doc = value('&#x41g;');
    expect(readFlatXml(doc)).toBeNull();
    expect(refusal(() => viaStream(doc))).toBe(refusal(() => readXmlGeneral(doc)));
  });
});

describe('element names the fast reader has seen before', () => {
  it('a name that starts with a name seen before is a name of its own', () => {
    const doc = '<t><r><c>1</c><cc>2</cc><c.d>3</c.d></r><rr><c>4</c></rr></t>';
    expect(readFlatXml(doc)).toEqual([{ seq: 1, line: 1, fields: { c: '1', cc: '2', 'c.d': '3' } }, { seq: 2, line: 1, fields: { c: '4' } }]);
    expect(readXmlGeneral(doc)).toEqual(readFlatXml(doc));
  });
});

describe('the scanner after its last record', () => {
  it('once it gave up, it takes no more text and the end gives nothing (the general parser reads on)', () => {
    const s = new FlatXmlScanner();
    expect(s.write('<t><r a="1">')).toBeNull();
    expect(s.write('<c>x</c></r><r><c>y</c></r>')).toBeNull();
    expect(s.end()).toBeNull();
    expect(s.rest()).toEqual({ text: '<r a="1">', line: 1, column: 4, root: 't', seq: 0 });
  });

  it('a record arriving after the root\'s end tag, in a later piece, is handed over (and refused)', () => {
    const s = new FlatXmlScanner();
    expect(s.write('<t><r><c>x</c></r></t>')).toEqual([{ seq: 1, line: 1, fields: { c: 'x' } }]);
    expect(s.write('\n')).toEqual([]);
    expect(s.write('<r><c>y</c></r>')).toBeNull();
    const stream = new XmlRecordStream();
    expect(stream.write('<t><r><c>x</c></r></t>')).toEqual([{ seq: 1, line: 1, fields: { c: 'x' } }]);
    expect(stream.write('\n')).toEqual([]);
    expect(refusal(() => stream.write('<r><c>y</c></r>'))).toBe('malformed XML at line 2, column 3: 2:3: documents may contain only one root.');
  });
});

describe('what the fast reader must not take for something it knows', () => {
  it.each([
    ['an entity without its ; at the very end of a value', value('x&amp')],
    ['a decimal reference with a second # inside', value('&#1#65;')],
    // Found by StrykerJS (round 19): the references' patterns must hold at both ends.
    ['a decimal reference with a letter after its digits', value('&#65x;')],
    ['a hexadecimal reference after a decimal one\'s digits', value('&#1#x41;')],
    ['a field\'s end tag with a word before its >', '<t><r><c>x</c y></r></t>'],
    ['a record\'s end tag with a word before its >', '<t><r><c>x</c></r y></t>'],
    ['text before a > at the root\'s level', '<t>xr><c>1</c></r></t>'],
    ['an end tag with a letter after the field\'s name', '<t><r><c>x</cX</r></t>'],
    ['text where the record\'s end tag should stand', '<t><r>x/r></t>'],
  ])('%s is handed over, and refused as the general parser refuses it', (_what, doc) => {
    expect(readFlatXml(doc)).toBeNull();
    const general = refusal(() => readXmlGeneral(doc));
    expect(refusal(() => viaStream(doc))).toBe(general);
  });

  it('a field whose name ends with the record\'s name does not end the record', () => {
    const doc = '<t><r><ar>1</ar><br>2</br></r></t>';
    expect(readFlatXml(doc)).toEqual([{ seq: 1, line: 1, fields: { ar: '1', br: '2' } }]);
    expect(readXmlGeneral(doc)).toEqual(readFlatXml(doc));
  });

  it('a character XML forbids, written in the text, makes the scanner give up at once', () => {
    const s = new FlatXmlScanner();
    expect(s.write('<t><r><c>a\u0001</c></r></t>')).toBeNull();
    expect(s.gaveUp).toBe(true);
  });
});

describe('lines and columns the fast reader counts', () => {
  it('in a document with CR LF line ends, records after the hand-over keep their lines', () => {
    const doc = '<t>\r\n<r><c>1</c></r>\r\n<r a="2"><c>2</c></r>\r\n<r><c>3</c></r>\r\n</t>';
    expect(viaStream(doc)).toEqual([
      { seq: 1, line: 2, fields: { c: '1' } }, { seq: 2, line: 3, fields: { a: '2', c: '2' } }, { seq: 3, line: 4, fields: { c: '3' } },
    ]);
  });

  it('a lone CR as the very first character starts line 2', () => {
    const doc = '\r<t><r><c>x</c></r></t>';
    expect(readFlatXml(doc)).toEqual([{ seq: 1, line: 2, fields: { c: 'x' } }]);
    expect(readXmlGeneral(doc)).toEqual(readFlatXml(doc));
  });

  it('an error on line 1 after earlier pieces were read names its column in the whole document', () => {
    const doc = '<t><r><c>1</c></r><r><c>2</c></r><r a="3"><c>3</d></r></t>';
    const whole = refusal(() => readXmlGeneral(doc));
    const stream = new XmlRecordStream();
    expect(stream.write('<t><r><c>1</c></r>')).toHaveLength(1);
    expect(stream.write('<r><c>2</c></r>')).toHaveLength(1);
    expect(refusal(() => stream.write('<r a="3"><c>3</d></r></t>'))).toBe(whole);
    expect(whole).toMatch(/^malformed XML at line 1, column 50: 1:50: /);
  });

  it('a document with lone-CR line ends read in pieces: every record keeps its line', () => {
    // Old Mac line ends: each CR is a line break. Fed in pieces, the CRs arrive after the text
    // already searched for CRs was dropped; the count must look for them again.
    const doc = `<t>\r${Array.from({ length: 6 }, (_, i) => `<r><c>C${i}</c></r>`).join('\r')}\r</t>`;
    const want = Array.from({ length: 6 }, (_, i) => ({ seq: i + 1, line: i + 2, fields: { c: `C${i}` } }));
    expect(readXmlGeneral(doc)).toEqual(want);
    for (const piece of [1, 2, 3, 5, 7, 13, 20]) {
      const s = new FlatXmlScanner();
      const got = [];
      for (let at = 0; at < doc.length; at += piece) got.push(...s.write(doc.slice(at, at + piece))!);
      got.push(...s.end()!);
      expect(got, `pieces of ${piece}`).toEqual(want);
    }
  });

  it('a document with lone-CR line ends: an error after the hand-over names the column the general parser names', () => {
    // Found by StrykerJS (round 19): the line's start after a lone CR was not checked.
    // The hand-over starts on line 2 (after record 1), where the error stands too.
    const doc = '<t>\r<r><c>1</c></r><r><c>2</d></r>\r</t>';
    const general = refusal(() => readXmlGeneral(doc));
    expect(general).toMatch(/^malformed XML at line 2, column 26: /);
    expect(refusal(() => viaStream(doc))).toBe(general);
  });

  it('a CR LF inside a value of a document with LF line ends: the record after the hand-over, and an error, keep their lines', () => {
    // Line 3 holds the rest of the value "a\r\nb"; the hand-over (the attribute) is at line 4.
    const doc = '<t>\n<r><c>a\r\nb</c></r>\n<r a="2"><c>2</c></r>\n</t>';
    expect(viaStream(doc)).toEqual([{ seq: 1, line: 2, fields: { c: 'a\nb' } }, { seq: 2, line: 4, fields: { a: '2', c: '2' } }]);
    expect(viaStream(doc)).toEqual(readXmlGeneral(doc));
    const broken = '<t>\n<r><c>a\r\nb</c></r>\n<r><c>2</d></r>\n</t>';
    expect(refusal(() => viaStream(broken))).toBe(refusal(() => readXmlGeneral(broken)));
    expect(refusal(() => viaStream(broken))).toMatch(/^malformed XML at line 4, column 11: /);
  });
});
