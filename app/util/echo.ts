/**
 * A value the sender gave, as an answer or the journal may quote it: cut to `max` characters
 * with a note of how long it was, so a 10 MB value is never sent back whole.
 */
export function echo(value: unknown, max = 60): string {
  const s = String(value ?? '');
  return s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
}
