// The batches of a body read as it arrives (app/erp/document.ts, openDocumentStream): a batch is
// handed on as soon as it holds BATCH_RECORDS records, never an empty one. Cases found by
// mutation testing (issue 16).
import { describe, expect, it } from 'vitest';
import { BATCH_RECORDS, openDocumentStream } from '../../app/erp/document.js';
import type { RawRecord } from '../../app/erp/record.js';

async function* parts(...bodies: string[]) {
  for (const b of bodies) yield Buffer.from(b);
}
const sizes = async (batches: AsyncGenerator<RawRecord[]>) => {
  const out: number[] = [];
  for await (const b of batches) out.push(b.length);
  return out;
};
const xmlRecords = (from: number, n: number) => Array.from({ length: n }, (_, i) => `<termek><termekkod>A${from + i}</termekkod></termek>`).join('');
const jsonArray = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ termekkod: `A${i}` })));

describe('batches of a body read as it arrives', () => {
  it('a document without records hands on no batch at all, in every format', async () => {
    expect(await sizes((await openDocumentStream(parts('<termekek/>'), 'application/xml')).batches)).toEqual([]);
    expect(await sizes((await openDocumentStream(parts('<termekek>', '</termekek>'), 'application/xml')).batches)).toEqual([]);
    expect(await sizes((await openDocumentStream(parts('[]'), 'application/json')).batches)).toEqual([]);
    expect(await sizes((await openDocumentStream(parts('termekkod;ar\n'), 'text/csv')).batches)).toEqual([]);
  });

  it('JSON of exactly BATCH_RECORDS records, or twice as many, is that many full batches and no empty one', async () => {
    expect(await sizes((await openDocumentStream(parts(jsonArray(BATCH_RECORDS)), 'application/json')).batches)).toEqual([BATCH_RECORDS]);
    expect(await sizes((await openDocumentStream(parts(jsonArray(2 * BATCH_RECORDS)), 'application/json')).batches)).toEqual([BATCH_RECORDS, BATCH_RECORDS]);
  });

  it('XML: a piece that completes exactly BATCH_RECORDS records hands them on at once, the rest comes after', async () => {
    const doc = await openDocumentStream(parts(`<termekek>${xmlRecords(0, BATCH_RECORDS)}`, `${xmlRecords(BATCH_RECORDS, 3)}</termekek>`), 'application/xml');
    expect(await sizes(doc.batches)).toEqual([BATCH_RECORDS, 3]);
  });
});
