// Text that XML 1.0 can carry. XML forbids most C0 controls (NUL, vertical tab, form feed, …),
// lone surrogates and U+FFFE/U+FFFF even as character references, so escaping is not enough:
// such characters are replaced with U+FFFD. OpenCart's trim() keeps a vertical tab or a NUL in
// a customer's name, and one such order must not make a document that no ERP can read.

import { SaxesParser } from 'saxes';

// Allowed: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_NOT_XML = new RegExp(NOT_XML.source);

export const REPLACEMENT = '\uFFFD';

export function hasNonXmlChars(s: string): boolean {
  return HAS_NOT_XML.test(s);
}

/** The text with every character XML cannot carry replaced by U+FFFD. */
export function xmlSafe(s: string): string {
  return HAS_NOT_XML.test(s) ? s.replace(NOT_XML, REPLACEMENT) : s;
}

/** Escaped element text or attribute value (double-quoted), always well-formed. */
export function xmlText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Replaces the characters XML cannot carry in every string of a plain object (in place), so
 * the JSON, CSV and XML forms of one document say the same. Returns the paths it changed
 * (`customer.name`, `lines.0.name`) for the order's note.
 */
export function sanitizeStrings(value: unknown, path = ''): string[] {
  const changed: string[] = [];
  if (!value || typeof value !== 'object') return changed;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const p = path ? `${path}.${key}` : key;
    if (typeof v === 'string') {
      if (hasNonXmlChars(v)) {
        obj[key] = xmlSafe(v);
        changed.push(p);
      }
    } else if (v && typeof v === 'object') changed.push(...sanitizeStrings(v, p));
  }
  return changed;
}

/** Throws saxes' error when the text is not well-formed XML (the feed's check before serving an order). */
export function assertWellFormedXml(xml: string): void {
  const parser = new SaxesParser({ xmlns: false });
  let failure: Error | null = null;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.write(xml).close();
  if (failure) throw failure;
}
