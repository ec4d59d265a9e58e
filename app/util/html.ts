// OpenCart's admin stores every text through htmlspecialchars(ENT_COMPAT): & " < > become
// entities, the storefront decodes them. Writing the same way makes "Kés & villa" show as typed.
const NEEDS_ENCODING = /[&"<>]/;

export function encodeLikeOpenCart(s: string): string {
  // Nearly every code and name has none of the four: no new string then (a push encodes each code).
  if (!NEEDS_ENCODING.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What html_entity_decode gives back for text we stored (and for OpenCart's own). */
export function decodeLikeOpenCart(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Escapes text for HTML or XML output. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
