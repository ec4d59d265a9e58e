// The general XML parser (app/erp/xml-reader.ts) at its edges: the first fault of a document is
// the one the ERP is told, and the root element's name is read past comments and instructions.
// Cases found by mutation testing (issue 16).
import { describe, expect, it } from 'vitest';
import { readXmlGeneral, XmlRecordStream, xmlRootName } from '../../app/erp/xml-reader.js';
import { refusal } from '../support/xml-readers.js';

describe('the general XML parser with several faults in one piece of text', () => {
  it('reports the first fault, not a later one', () => {
    expect(refusal(() => readXmlGeneral('<t>x<r><c>1</c></r>y</t>'))).toBe('malformed XML at line 1, column 5: unexpected text "x"');
    expect(refusal(() => readXmlGeneral('<t><r><c>1</c><c>2</c><c>3</c></r>zz</t>'))).toBe('malformed XML at line 1, column 22: the field <c> appears twice in one record');
  });
});

describe('the root element\'s name, past what stands before it', () => {
  it('skips each comment on its own: a root between two comments is found', () => {
    expect(xmlRootName('<!-- a -->\n<termekek>\n<!-- b --><termek>')).toBe('termekek');
  });

  it('skips a processing instruction holding a tag, and reads a name with a dash and a dot', () => {
    expect(xmlRootName('<?pi <a> ?><termek-lista.v2>')).toBe('termek-lista.v2');
    expect(xmlRootName('<termekek\n>')).toBe('termekek');
  });
});

describe('the general parser\'s messages', () => {
  it('quotes stray text without the white space around it', () => {
    expect(refusal(() => readXmlGeneral('<t>\n   x\n<r><c>1</c></r></t>'))).toBe('malformed XML at line 3, column 1: unexpected text "x"');
  });

  it('an error ten or more lines after the fast reader handed over names the line in the whole document', () => {
    const doc = `<t>\n<r><c>0</c></r>\n<r x="1"><c>1</c></r>\n${'\n'.repeat(10)}<r><c>2</d></r></t>`;
    const s = new XmlRecordStream();
    expect(refusal(() => [...s.write(doc), ...s.end()])).toBe(refusal(() => readXmlGeneral(doc)));
    expect(refusal(() => readXmlGeneral(doc))).toMatch(/^malformed XML at line 14, column \d+: 14:\d+: /);
  });
});
