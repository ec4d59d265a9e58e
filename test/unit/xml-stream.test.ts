// XML read as it arrives must give exactly what the whole-text readers give: the same records
// and, for a broken document, the same error, however the body is cut into pieces (including
// a hand-over to the general parser half-way through the records).
import { describe, expect, it } from 'vitest';
import { openDocumentStream } from '../../app/erp/document.js';
import { readXmlRecords } from '../../app/erp/xml-reader.js';
import type { RawRecord } from '../../app/erp/record.js';

const many = Array.from({ length: 40 }, (_, i) => `<termek><termekkod>C${i}</termekkod><ar>${i},5</ar></termek>`).join('\n');
const docs = [
  '<?xml version="1.0" encoding="UTF-8"?>\n<termekek>\n  <termek><termekkod>A-1</termekkod><ar>1 234,50</ar></termek>\n  <termek>\n    <termekkod>B&amp;2</termekkod>\n    <nev>Kés &lt;b&gt; &#337; ő</nev>\n  </termek>\n</termekek>\n',
  '<termekek>\r\n<termek>\r\n<termekkod>X</termekkod>\r\n<tmegjegyzes>line1\r\nline2\rline3</tmegjegyzes>\r\n</termek>\r\n</termekek>\r\n',
  `<termekek>\n${many}\n</termekek>`,
  // The general parser takes over half-way: a comment, CDATA, an attribute after 40 plain records.
  `<termekek>\n${many}\n<!-- c --><termek><termekkod>Z</termekkod></termek></termekek>`,
  `<termekek>\n${many}\n<termek><termekkod><![CDATA[Z&]]></termekkod></termek>\n</termekek>`,
  `<termekek>\n${many}\n  <termek id="9"><termekkod>Z</termekkod></termek></termekek>`,
  // Broken after many good records: the same error, with the line and column in the whole document.
  `<termekek>\n${many}\n<termek><termekkod>Z</termekkod></termek>`,
  `<termekek>\n${many}\n<termek><termekkod>Z</termekod></termek></termekek>`,
  `<termekek>\n${many}\n</termekek>trailing`,
  `<termekek>\n${many}\n<termek><ar>1</ar><ar>2</ar></termek></termekek>`,
  `<termekek>\n${many}\n<termek><c>\u0001</c></termek></termekek>`,
  '<!DOCTYPE t [<!ENTITY a "b">]><t><r><c>&a;</c></r></t>',
  '<t/>',
];

async function streamed(text: string, piece: number): Promise<RawRecord[] | Error> {
  const bytes = Buffer.from(text, 'utf8');
  async function* pieces() {
    for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
  }
  try {
    const doc = await openDocumentStream(pieces(), 'application/xml');
    const out: RawRecord[] = [];
    for await (const b of doc.batches) out.push(...b);
    return out;
  } catch (err) {
    return err as Error;
  }
}

function whole(text: string): RawRecord[] | Error {
  try {
    return readXmlRecords(text);
  } catch (err) {
    return err as Error;
  }
}

describe('XML read as it arrives', () => {
  it.each(docs.map((d, i) => [i, d]))('document %i cut into pieces of 1 to 9 bytes and of 4 kB reads as the whole text does', async (_i, doc) => {
    const expected = whole(doc as string);
    for (const piece of [1, 2, 3, 5, 7, 9, 4096]) {
      const got = await streamed(doc as string, piece);
      if (expected instanceof Error) {
        expect(got, `piece ${piece}`).toBeInstanceOf(Error);
        // Text after the root is reported where saxes notices it: at the end of the text when read
        // whole, at its first letter when that arrives alone. Line and message are the same.
        const mask = (m: string) => (m.includes('outside of root') ? m.replace(/column \d+: \d+:\d+/, 'column _: _') : m);
        expect(mask((got as Error).message), `piece ${piece}`).toBe(mask(expected.message));
      } else expect(got, `piece ${piece}`).toEqual(expected);
    }
  });

  it('finds a bad UTF-8 byte at its offset in the whole body, also when a character is cut between pieces', async () => {
    const body = Buffer.concat([Buffer.from('<t><r><c>ő</c><d>'), Buffer.from([0xc5]), Buffer.from('x</d></r></t>')]);
    for (const piece of [1, 2, 3, 10, 1000]) {
      async function* pieces() {
        for (let i = 0; i < body.length; i += piece) yield body.subarray(i, i + piece);
      }
      const doc = await openDocumentStream(pieces(), 'application/xml');
      const err = await (async () => {
        try {
          for await (const _ of doc.batches);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message, `piece ${piece}`).toMatch(/not valid UTF-8 \(first bad byte at offset 18\)/);
    }
  });
});
