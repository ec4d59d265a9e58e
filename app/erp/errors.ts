/** A document the ERP sent cannot be processed at all: nothing is written. */
export class DocumentError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    // A message may quote the document (a tag name, a value): never more than a screenful of it.
    super(message.length > 1000 ? `${message.slice(0, 1000)}…` : message);
    this.name = 'DocumentError';
  }
}
