// From bytes and a Content-Type to records: format, charset, parse. Whole-document problems
// become a DocumentError (400/415) and nothing is applied.
import { charsetFromContentType, charsetFromXmlDeclaration, decodeBody } from './charset.js';
import { readCsvRecords } from './csv-reader.js';
import { DocumentError } from './errors.js';
import { readJsonRecords } from './json-reader.js';
import type { DocumentFormat, ParsedDocument } from './record.js';
import { readXmlRecords } from './xml-reader.js';

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
