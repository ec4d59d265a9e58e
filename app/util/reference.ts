import { randomBytes } from 'node:crypto';

/** A short random reference that ties an answer to its log line. */
export function newReference(): string {
  return randomBytes(5).toString('hex');
}
