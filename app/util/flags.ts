// Yes/no query parameters (dry_run): a documented set of spellings, anything else refused, so a
// typo never turns a dry run into a real write.
export const TRUE_WORDS = ['1', 'true', 'yes', 'on'] as const;
export const FALSE_WORDS = ['0', 'false', 'no', 'off'] as const;

/** true/false, `fallback` when absent or empty, null when the value is not one of the words (or repeated). */
export function parseFlag(value: unknown, fallback = false): boolean | null {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (v === '') return fallback;
  if ((TRUE_WORDS as readonly string[]).includes(v)) return true;
  if ((FALSE_WORDS as readonly string[]).includes(v)) return false;
  return null;
}

/** A whole number from a query parameter: `fallback` when absent, null when not a plain non-negative integer. */
export function parseCount(value: unknown, fallback: number): number | null {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value.trim())) return null;
  return Number(value.trim());
}
