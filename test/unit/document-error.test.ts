// The refusal of a whole document: its status, and how much of the document its message may quote.
import { describe, expect, it } from 'vitest';
import { DocumentError } from '../../app/erp/errors.js';

describe('a document refusal', () => {
  it('keeps a message of up to 1000 characters whole and cuts a longer one there, marked with …', () => {
    const at = new DocumentError(400, 'x'.repeat(1000));
    const over = new DocumentError(413, `${'y'.repeat(1000)}z`);
    expect([at.message, at.status]).toEqual(['x'.repeat(1000), 400]);
    expect([over.message, over.status]).toEqual([`${'y'.repeat(1000)}…`, 413]);
  });

  it('calls itself DocumentError in a stack trace or a log line', () => {
    const e = new DocumentError(415, 'unsupported content type');
    expect([e.name, String(e), e instanceof Error]).toEqual(['DocumentError', 'DocumentError: unsupported content type', true]);
  });
});
