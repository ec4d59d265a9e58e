import { randomBytes } from 'node:crypto';

/** A short random reference that ties an answer to its log line. */
export function newReference(): string {
  return randomBytes(5).toString('hex');
}

/**
 * The reference of an unexpected error, given to it on first use and kept on it: a journal entry
 * that quotes it and the log line that details the error (the errors middleware, the scheduler)
 * then name the same one. The error's own text may hold SQL or paths, so it goes to the log only.
 */
export function referenceOf(err: unknown): string {
  const e = err as { ref?: unknown } | null;
  if (e && typeof e === 'object' && typeof e.ref === 'string' && e.ref) return e.ref;
  const ref = newReference();
  if (e && typeof e === 'object' && Object.isExtensible(e)) e.ref = ref;
  return ref;
}

/** What a page, an answer or a journal entry says about an unexpected error. */
export function internalErrorMessage(ref: string): string {
  return `internal error (reference ${ref}; the details are in the log)`;
}
