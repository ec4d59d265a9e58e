// The general XML parser's refusals, as the ERP reads them: the line and column in the whole
// document, also when it takes over from the fast reader half-way (its text then starts inside
// the root, at a line and column of its own).
import { describe, expect, it } from 'vitest';
import { GeneralXmlStream, readXmlGeneral, xmlRootName } from '../../app/erp/xml-reader.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return `${(e as { status: number }).status} ${(e as Error).message}`;
  }
  throw new Error('not refused');
};

describe('the general XML parser', () => {
  it.each([
    ['<t>x<r><c>1</c></r></t>', '400 malformed XML at line 1, column 5: unexpected text "x"'],
    ['<t><r>yy<c>1</c></r></t>', '400 malformed XML at line 1, column 9: unexpected text "yy"'],
    [`<t><r><c>${'x'.repeat(30)}</c></r>${'z'.repeat(30)}</t>`, '400 malformed XML at line 1, column 78: unexpected text "zzzzzzzzzzzzzzzzzzzz"'],
    ['<t><r><c>1<d>2</d></c></r></t>', '400 malformed XML at line 1, column 13: unexpected nested element <d> inside <c>'],
    ['<t>\n<r><c>1</c><c>2</c></r></t>', '400 malformed XML at line 2, column 19: the field <c> appears twice in one record'],
    ['<t><r><c>1</c></r>', '400 malformed XML at line 1, column 18: 1:18: unclosed tag: t'],
    ['<!DOCTYPE t><t/>', '400 malformed XML at line 1, column 12: a DOCTYPE is not allowed (entities are not expanded)'],
  ])('refuses %j', (doc, message) => expect(refusal(() => readXmlGeneral(doc))).toBe(message));

  it('reads attributes, CDATA joined to text, and skips comments, instructions and white space', () => {
    expect(readXmlGeneral('<t>  <r a="1" b="x&amp;y">\n  <c><![CDATA[a]]>b</c>\n</r>\n<!-- c -->\n<?pi x?></t>')).toEqual([{ seq: 1, line: 1, fields: { a: '1', b: 'x&y', c: 'ab' } }]);
  });

  it('taking over inside the root: records numbered on, lines and columns counted from where it starts', () => {
    const from = (text: string) => ({ text, line: 5, column: 7, root: 't', seq: 4 });
    const g = new GeneralXmlStream(from('<r x="1"><c>2</c></r>\n<r><c>3</c></r></t>'));
    expect([...g.write(''), ...g.end()]).toEqual([{ seq: 5, line: 5, fields: { x: '1', c: '2' } }, { seq: 6, line: 6, fields: { c: '3' } }]);
    expect(refusal(() => new GeneralXmlStream(from('<r><c>2</c></r>\n<r><c>3</d></r></t>')).write(''))).toBe('400 malformed XML at line 6, column 11: 6:11: unexpected close tag.');
    const open = new GeneralXmlStream(from('<r><c>2</c></r>'));
    expect(open.write('')).toEqual([{ seq: 5, line: 5, fields: { c: '2' } }]);
    expect(refusal(() => open.end())).toBe('400 malformed XML at line 5, column 21: 5:21: unclosed tag: t');
  });

  it('keeps its first error: later text and the end say the same', () => {
    const g = new GeneralXmlStream();
    expect(refusal(() => g.write('<t><r><c>1</d>'))).toMatch(/^400 malformed XML at line 1, column 14: /);
    const first = refusal(() => g.write('</r></t>'));
    expect(refusal(() => g.end())).toBe(first);
  });
});

describe('the root element\'s name', () => {
  it('read past the declaration and comments; none in plain text', () => {
    expect(xmlRootName('<?xml version="1.0"?><!-- <a> -->\n<termekek x="1">')).toBe('termekek');
    expect(xmlRootName('<kategoriak>')).toBe('kategoriak');
    expect(xmlRootName('<t/>')).toBe('t');
    expect(xmlRootName('just text')).toBeUndefined();
  });
});
