// From bytes and a Content-Type to records: format, charset, parse. Whole-document problems
// become a DocumentError (400/415) and nothing is applied.
import { charsetFromContentType, charsetFromXmlDeclaration, createDecoder, decodeBody } from './charset.js';
import { readCsvRecords } from './csv-reader.js';
import { DocumentError } from './errors.js';
import { readJsonRecords } from './json-reader.js';
import type { DocumentFormat, ParsedDocument, RawRecord } from './record.js';
import { readXmlRecords, XmlRecordStream } from './xml-reader.js';

export function formatFromContentType(contentType: string | undefined, body: Buffer): DocumentFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/comma-separated-values') return 'csv';
  if (type === '' || type === 'application/octet-stream' || type === 'text/plain') {
    // Some ERP exporters send no useful type: recognise XML and JSON by their first character.
    const first = body.subarray(0, 64).toString('latin1').replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trimStart()[0];
    if (first === '<') return 'xml';
    if (first === '[' || first === '{') return 'json';
  }
  throw new DocumentError(415, `unsupported content type "${type || '(none)'}" (send application/xml, application/json or text/csv)`);
}

export function parseDocument(body: Buffer, contentType: string | undefined, forced?: DocumentFormat): ParsedDocument {
  if (body.length === 0) throw new DocumentError(400, 'the body is empty');
  const format = forced ?? formatFromContentType(contentType, body);
  const declared = charsetFromContentType(contentType) ?? (format === 'xml' ? charsetFromXmlDeclaration(body) : undefined);
  const { text, charset } = decodeBody(body, declared);
  const records = format === 'xml' ? readXmlRecords(text) : format === 'json' ? readJsonRecords(text) : readCsvRecords(text);
  return { format, charset, records };
}

export interface DocumentStream {
  format: DocumentFormat;
  charset: string;
  /** Records in batches, as the body arrives (XML); JSON and CSV are read whole, then batched. */
  batches: AsyncGenerator<RawRecord[]>;
}

/**
 * Records per batch handed on: small enough to keep memory flat, and to let the replies of the
 * database (the change table's loads) in between batches, large enough for set-based work. At
 * 5,000 a batch kept the server busy for about 30 ms, each load waited for such turns, and a
 * 100,000-record push's last loads ended 0.18–0.28 s after its body; at 1,000, 0.05–0.2 s (bench,
 * the two interleaved).
 */
export const BATCH_RECORDS = 1000;

/**
 * The streaming twin of parseDocument: the format and charset are read from the first bytes,
 * then XML is decoded and parsed piece by piece (never held whole). A problem anywhere throws
 * DocumentError from the batch generator, after the records before it were handed out: the
 * caller must not write anything before the last batch.
 */
export async function openDocumentStream(body: AsyncIterable<Buffer>, contentType: string | undefined, forced?: DocumentFormat): Promise<DocumentStream> {
  const it = body[Symbol.asyncIterator]();
  // Enough of the start to recognise the format and read an XML declaration.
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < 256) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (r.value.length) head.push(r.value), (headBytes += r.value.length);
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  if (first.length === 0) throw new DocumentError(400, 'the body is empty');
  const format = forced ?? formatFromContentType(contentType, first);
  const declared = charsetFromContentType(contentType) ?? (format === 'xml' ? charsetFromXmlDeclaration(first) : undefined);
  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  if (format !== 'xml') {
    // JSON and CSV are parsed whole (their parsers are not incremental); their records are batched.
    const decoded = createDecoder(declared); // refuses an unknown charset before the body is read
    async function* whole(): AsyncGenerator<RawRecord[]> {
      const parts: Buffer[] = [];
      for await (const b of rest()) parts.push(b);
      const { text } = decodeBody(Buffer.concat(parts), declared);
      parts.length = 0;
      const records = format === 'json' ? readJsonRecords(text) : readCsvRecords(text);
      for (let i = 0; i < records.length; i += BATCH_RECORDS) yield records.slice(i, i + BATCH_RECORDS);
    }
    return { format, charset: decoded.charset, batches: whole() };
  }
  const decoder = createDecoder(declared);
  async function* xml(): AsyncGenerator<RawRecord[]> {
    const reader = new XmlRecordStream();
    let batch: RawRecord[] = [];
    for await (const bytes of rest()) {
      const records = reader.write(decoder.write(bytes));
      batch = batch.length ? batch.concat(records) : records;
      if (batch.length >= BATCH_RECORDS) {
        yield batch;
        batch = [];
      }
    }
    const tail = decoder.end();
    const last = (tail ? reader.write(tail) : []).concat(reader.end());
    batch = batch.concat(last);
    if (batch.length) yield batch;
  }
  return { format, charset: decoder.charset, batches: xml() };
}
