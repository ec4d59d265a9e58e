// Finds what PHP or OpenCart printed about PHP warnings, notices, deprecations and errors.
// OpenCart's handler prints `<b>Warning</b>: … in <b>file</b> on line <b>n</b>` (deprecations
// come out as `Unknown`) and logs `PHP Warning:  …`; PHP's own output is `Deprecated: … on line n`.
const PATTERNS: RegExp[] = [
  /<b>(?:Notice|Warning|Fatal Error|Unknown|Deprecated|Fatal error|Parse error)<\/b>:[^\n]*?on line <b>\d+<\/b>/g,
  /\bPHP (?:Notice|Warning|Fatal Error|Unknown|Deprecated|Fatal error|Parse error|Stack trace)\b:?[^\n]*/g,
  /(?:^|\n)\s*(?:Notice|Warning|Deprecated|Fatal error|Parse error): [^\n]*? on line \d+/g,
];

export function phpProblems(text: string): string[] {
  const found = new Set<string>();
  for (const re of PATTERNS) for (const m of text.matchAll(re)) found.add(m[0].trim().replace(/<\/?b>/g, ''));
  return [...found];
}
