// The fast reader must read every document it accepts exactly as the general parser does, and
// hand everything else to it.
import { describe, expect, it } from 'vitest';
import { readFlatXml } from '../../app/erp/xml-fast.js';
import { readXmlGeneral, readXmlRecords } from '../../app/erp/xml-reader.js';

const same = [
  '<?xml version="1.0" encoding="UTF-8"?>\n<termekek>\n  <termek><termekkod>A-1</termekkod><ar>1 234,50</ar></termek>\n  <termek>\n    <termekkod>B&amp;2</termekkod>\n    <nev>Kés &lt;b&gt; &quot;x&quot; &apos;y&apos; &#337; &#x171; ő</nev>\n  </termek>\n</termekek>\n',
  '\uFEFF<t><r><a></a><b>  spaced  </b></r></t>',
  '<termekek>\r\n<termek>\r\n<termekkod>X</termekkod>\r\n<tmegjegyzes>line1\r\nline2\rline3</tmegjegyzes>\r\n</termek>\r\n</termekek>\r\n',
  '<kategoriak><kategoria><kod>K1</kod><szulo></szulo><nev>Konyha</nev></kategoria></kategoriak>',
  `<t>${Array.from({ length: 500 }, (_, i) => `<r><c>C${i}</c><v>${i},5</v></r>`).join('\n')}</t>`,
  '<t><r><c>a > b</c></r></t>',
  '<t>\r<r><c>old Mac</c></r>\r<r><c>line ends</c></r>\r</t>',
];

// Each unusual document with what the general parser must make of it (records, or a 400 naming the fault).
const rec = (fields: Record<string, string>) => [{ seq: 1, line: 1, fields }];
const refused = (what: string) => ({ status: 400, message: expect.stringContaining(what) });
const fallback: Array<[string, unknown]> = [
  ['<t><r id="1"><c>x</c></r></t>', rec({ id: '1', c: 'x' })], // attributes (read as fields)
  ['<t><r><c><![CDATA[x]]></c></r></t>', rec({ c: 'x' })], // CDATA
  ['<t><!-- c --><r><c>x</c></r></t>', rec({ c: 'x' })], // comment
  ['<t><r><c/></r></t>', rec({ c: '' })], // self-closing
  ['<t/>', []], // empty root
  ['<t><r><c>x</c><c>y</c></r></t>', refused('the field <c> appears twice in one record')],
  ['<t><r><c>x</d></r></t>', refused('unexpected close tag')], // mismatched
  ['<t><r><c>&nbsp;</c></r></t>', refused('undefined entity')],
  ['<t><r><c>x</c></r></t><t/>', refused('only one root')],
  ['<t><r><c>a]]>b</c></r></t>', refused('"]]>" is disallowed')],
  ['<t><r><c>\u0001</c></r></t>', refused('disallowed character')],
  ['<t><r><c>x</c></r>', refused('unclosed tag: t')], // unterminated
  ['<!DOCTYPE t [<!ENTITY a "b">]><t><r><c>&a;</c></r></t>', refused('a DOCTYPE is not allowed')],
  ['text<t/>', refused('text data outside of root node')],
];

// What the first and third documents of `same` hold, written out (not only "as the general parser reads it").
const expectedSame: Record<number, unknown> = {
  0: [
    { seq: 1, line: 3, fields: { termekkod: 'A-1', ar: '1 234,50' } },
    { seq: 2, line: 4, fields: { termekkod: 'B&2', nev: 'Kés <b> "x" \'y\' ő ű ő' } },
  ],
  2: [{ seq: 1, line: 2, fields: { termekkod: 'X', tmegjegyzes: 'line1\nline2\nline3' } }],
};

describe('fast XML reader', () => {
  it.each(same.map((d, i) => [i, d]))('reads document %i exactly as the general parser does', (i, doc) => {
    const fast = readFlatXml(doc as string);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(readXmlGeneral(doc as string));
    if (expectedSame[i as number]) expect(fast).toEqual(expectedSame[i as number]);
  });

  it.each(fallback.map(([d, want], i) => [i, d, want]))('hands unusual document %i to the general parser, which reads or refuses it', (_i, doc, want) => {
    expect(readFlatXml(doc as string)).toBeNull();
    let combined: unknown;
    try {
      combined = readXmlRecords(doc as string);
    } catch (err) {
      combined = err;
    }
    if (Array.isArray(want)) expect(combined).toEqual(want);
    else expect(combined).toMatchObject(want as object);
  });
});
