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

const fallback = [
  '<t><r id="1"><c>x</c></r></t>', // attributes
  '<t><r><c><![CDATA[x]]></c></r></t>', // CDATA
  '<t><!-- c --><r><c>x</c></r></t>', // comment
  '<t><r><c/></r></t>', // self-closing
  '<t/>', // empty root
  '<t><r><c>x</c><c>y</c></r></t>', // field twice (general parser reports it)
  '<t><r><c>x</d></r></t>', // mismatched
  '<t><r><c>&nbsp;</c></r></t>', // unknown entity
  '<t><r><c>x</c></r></t><t/>', // two roots
  '<t><r><c>a]]>b</c></r></t>',
  '<t><r><c>\u0001</c></r></t>',
  '<t><r><c>x</c></r>', // unterminated
  '<!DOCTYPE t [<!ENTITY a "b">]><t><r><c>&a;</c></r></t>',
  'text<t/>',
];

describe('fast XML reader', () => {
  it.each(same.map((d, i) => [i, d]))('reads document %i exactly as the general parser does', (_i, doc) => {
    const fast = readFlatXml(doc as string);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(readXmlGeneral(doc as string));
  });

  it.each(fallback.map((d, i) => [i, d]))('hands unusual document %i to the general parser', (_i, doc) => {
    expect(readFlatXml(doc as string)).toBeNull();
    let general: unknown;
    try {
      general = readXmlGeneral(doc as string);
    } catch (err) {
      general = err;
    }
    let combined: unknown;
    try {
      combined = readXmlRecords(doc as string);
    } catch (err) {
      combined = err;
    }
    expect(combined).toEqual(general);
  });
});
