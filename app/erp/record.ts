/** One record of an ERP document, before validation: field name → text, and where it stood. */
export interface RawRecord {
  /** 1-based position in the document. */
  seq: number;
  /** Line of the record in the document, for messages. */
  line: number;
  fields: Record<string, string>;
}

/**
 * A record's fields: an object without a prototype, so a field the ERP names `constructor`,
 * `toString` or `__proto__` is data like any other, never an inherited key.
 */
export function emptyFields(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

export type DocumentFormat = 'xml' | 'json' | 'csv';

export interface ParsedDocument {
  format: DocumentFormat;
  charset: string;
  records: RawRecord[];
}
