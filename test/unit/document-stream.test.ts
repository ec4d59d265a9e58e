// A body read as it arrives: format and charset from its first bytes, records handed out in
// batches of BATCH_RECORDS, and the same refusals as the whole-body reader.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { BATCH_RECORDS, openDocumentStream, parseDocument } from '../../app/erp/document.js';
import type { RawRecord } from '../../app/erp/record.js';

async function* pieces(body: Buffer, size: number) {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}
async function* chunks(...parts: Buffer[]) {
  for (const p of parts) yield p;
}
const drain = async (batches: AsyncGenerator<RawRecord[]>) => {
  const sizes: number[] = [];
  const records: RawRecord[] = [];
  for await (const b of batches) sizes.push(b.length), records.push(...b);
  return { sizes, records };
};
const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('not refused'); }, (e: Error & { status?: number }) => `${e.status} ${e.message}`);

describe('reading a body as it arrives', () => {
  it('JSON and CSV come whole, then in batches of BATCH_RECORDS records', async () => {
    const n = BATCH_RECORDS * 2 + 1;
    const json = Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ termekkod: `A${i}` }))));
    const doc = await openDocumentStream(pieces(json, 1000), 'application/json');
    expect([doc.format, doc.charset]).toEqual(['json', 'utf-8']);
    const { sizes, records } = await drain(doc.batches);
    expect(sizes).toEqual([BATCH_RECORDS, BATCH_RECORDS, 1]);
    expect(records.at(-1)).toEqual({ seq: n, line: n, fields: { termekkod: `A${n - 1}` } });
    const csv = await openDocumentStream(pieces(Buffer.from('termekkod;ar\r\nA;1\r\nB;2\r\n'), 3), 'text/csv; charset=utf-8');
    expect((await drain(csv.batches)).records.map((r) => r.fields)).toEqual([{ termekkod: 'A', ar: '1' }, { termekkod: 'B', ar: '2' }]);
  });

  it('XML comes in batches as it is read, the last one with the rest', async () => {
    const n = BATCH_RECORDS * 2 + 10;
    const xml = Buffer.from(`<termekek>${Array.from({ length: n }, (_, i) => `<termek><termekkod>A${i}</termekkod></termek>`).join('')}</termekek>`);
    const doc = await openDocumentStream(pieces(xml, 64 * 1024), undefined);
    const { sizes, records } = await drain(doc.batches);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.slice(0, -1).every((s) => s >= BATCH_RECORDS)).toBe(true);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('the charset from the Content-Type, else from the XML declaration in the first bytes, even when they come one by one', async () => {
    const latin2 = iconv.encode('<?xml version="1.0" encoding="ISO-8859-2"?><t><r><nev>ő</nev></r></t>', 'iso-8859-2');
    const doc = await openDocumentStream(pieces(latin2, 1), 'text/xml');
    expect(doc.charset).toBe('iso-8859-2');
    expect((await drain(doc.batches)).records[0]!.fields.nev).toBe('ő');
    const csv = await openDocumentStream(chunks(iconv.encode('nev\nő\n', 'windows-1250')), 'text/csv; charset=windows-1250');
    expect(csv.charset).toBe('windows-1250');
    expect((await drain(csv.batches)).records[0]!.fields.nev).toBe('ő');
  });

  it('a format forced by the URL wins over the Content-Type', async () => {
    const doc = await openDocumentStream(chunks(Buffer.from('[{"a":"1"}]')), 'text/plain', 'json');
    expect(doc.format).toBe('json');
    expect(parseDocument(Buffer.from('a;b\n1;2\n'), 'application/json', 'csv').records[0]!.fields).toEqual({ a: '1', b: '2' });
  });

  it('refuses an empty body, empty pieces included, and an unknown charset before reading on', async () => {
    expect(await failure(openDocumentStream(chunks(), 'application/json'))).toBe('400 the body is empty');
    expect(await failure(openDocumentStream(chunks(Buffer.alloc(0), Buffer.alloc(0)), 'application/json'))).toBe('400 the body is empty');
    expect(await failure(openDocumentStream(chunks(Buffer.from('[]')), 'application/json; charset=koi8-r'))).toMatch(/^415 unsupported charset "koi8-r"/);
    expect(await failure(openDocumentStream(chunks(Buffer.from('<t/>')), 'text/xml; charset=koi8-r'))).toMatch(/^415 unsupported charset "koi8-r"/);
    expect(() => parseDocument(Buffer.alloc(0), 'application/json')).toThrow('the body is empty');
  });

  it('a JSON body whose first bytes come in many small pieces reads whole', async () => {
    const body = Buffer.from(`[${Array.from({ length: 50 }, (_, i) => `{"termekkod":"A${i}"}`).join(',')}]`);
    const doc = await openDocumentStream(pieces(body, 7), undefined);
    expect(doc.format).toBe('json');
    expect((await drain(doc.batches)).records).toHaveLength(50);
  });

  it('a UTF-8 character cut at the very end of the body is refused where it starts', async () => {
    const body = Buffer.concat([Buffer.from('<t><r><c>ab</c></r></t>'), Buffer.from([0xc5])]);
    const doc = await openDocumentStream(pieces(body, 4), 'application/xml');
    expect(await failure(drain(doc.batches))).toMatch(/^400 the body is not valid UTF-8 \(first bad byte at offset 23\)/);
  });
});
