// The same document gets the same answer whichever reader reads it: the fast scanner takes only
// what XML allows, and hands anything else to the general parser, which names the error. Two
// inputs the scanner used to take while the general parser refused them (found by mutation testing).
import { describe, expect, it } from 'vitest';
import { readFlatXml } from '../../app/erp/xml-fast.js';
import { readXmlGeneral } from '../../app/erp/xml-reader.js';
import { refusal, viaStream } from '../support/xml-readers.js';


describe('the fast and the general XML reader agree', () => {
  it.each([
    ['an uppercase hexadecimal character reference', '<termekek><termek><termekkod>A&#X151;</termekkod></termek></termekek>'],
    ['a character reference with letters after its digits', '<termekek><termek><termekkod>A&#12ab;</termekkod></termek></termekek>'],
    ['white space before the XML declaration', '\n  <?xml version="1.0" encoding="UTF-8"?><termekek><termek><termekkod>A</termekkod></termek></termekek>'],
  ])('refuses %s with the general parser\'s 400, never takes it', (_what, doc) => {
    expect(readFlatXml(doc)).toBeNull();
    const general = refusal(() => readXmlGeneral(doc));
    expect(refusal(() => viaStream(doc))).toBe(general);
    expect(general).toMatch(/^malformed XML at line \d+, column \d+: /);
  });

  it('still takes what XML allows: lowercase &#x, decimal references, white space before a root without a declaration', () => {
    const doc = '\n  <termekek><termek><termekkod>A&#x151;&#337;</termekkod></termek></termekek>';
    expect(readFlatXml(doc)).toEqual(readXmlGeneral(doc));
    expect(viaStream(doc)).toEqual([expect.objectContaining({ fields: { termekkod: 'Aőő' } })]);
  });
});
