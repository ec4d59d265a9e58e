// Notes the export keeps about the documents it builds.

/** The journal's note for an order whose text was changed to be deliverable. */
export function replacedNote(replaced: string[]): string {
  return `characters XML cannot carry (control characters such as NUL or a vertical tab) were replaced with U+FFFD in: ${replaced.join(', ')}`.slice(0, 500);
}
