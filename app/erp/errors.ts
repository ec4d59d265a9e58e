/** A document the ERP sent cannot be processed at all: nothing is written. */
export class DocumentError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'DocumentError';
  }
}
