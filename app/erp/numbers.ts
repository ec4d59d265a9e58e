/**
 * Reads an ERP number: 1234.5, 1234,5, "1 234,50", "1.234,50", with an optional minus.
 * Returns null when the text is not a number.
 */
const PLAIN = /^-?\d+(\.\d+)?$/;
const DECIMAL_COMMA = /^-?\d+,\d+$/;

export function parseErpNumber(raw: string): number | null {
  // The common cases (1234, 1234.5, 1234,5) without the separator analysis below.
  if (PLAIN.test(raw)) return Number(raw);
  if (DECIMAL_COMMA.test(raw)) return Number(raw.replace(',', '.'));
  let s = raw.trim().replace(/[\s\u00A0\u202F]/g, '');
  if (s === '') return null;
  if (!/^-?[\d.,]+$/.test(s)) return null;
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    // Both present: the later one is the decimal separator, the other groups thousands.
    const decimal = lastComma > lastDot ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    s = s.split(group).join('').replace(decimal, '.');
  } else if (lastComma >= 0) {
    if (s.indexOf(',') !== lastComma) return null;
    s = s.replace(',', '.');
  } else if (lastDot >= 0 && s.indexOf('.') !== lastDot) {
    return null;
  }
  if (!/^-?\d+(\.\d+)?$/.test(s) && !/^-?\.\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
