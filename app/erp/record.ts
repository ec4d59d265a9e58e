/** One record of an ERP document, before validation: field name → text, and where it stood. */
export interface RawRecord {
  /** 1-based position in the document. */
  seq: number;
  /** Line of the record in the document, for messages. */
  line: number;
  fields: Record<string, string>;
}

export type DocumentFormat = 'xml' | 'json' | 'csv';

export interface ParsedDocument {
  format: DocumentFormat;
  charset: string;
  records: RawRecord[];
}
