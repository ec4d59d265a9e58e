// Finds what PHP or OpenCart printed about PHP warnings, notices, deprecations and errors.
// OpenCart's handler prints `<b>Warning</b>: … in <b>file</b> on line <b>n</b>` (deprecations
// come out as `Unknown`) and logs `PHP Warning:  …`; 4.x's exception handler prints
// `Error: …` / `File: …` / `Line: n`; PHP's own output is `Deprecated: … on line n` (or with
// <b> tags when html_errors is on), and `Fatal error: Uncaught …` for an uncaught exception.
const PATTERNS: RegExp[] = [
  /<b>(?:Notice|Warning|Fatal Error|Unknown|Deprecated|Fatal error|Parse error)<\/b>:[^\n]*?on line <b>\d+<\/b>/g,
  /<b>(?:Fatal error|Parse error)<\/b>:[^\n]*/g,
  /\bPHP (?:Notice|Warning|Fatal Error|Unknown|Deprecated|Fatal error|Parse error)\b:?[^\n]*/g,
  /(?:^|\n)[ \t]*(?:Notice|Warning|Deprecated|Parse error): [^\n]*? on line \d+/g,
  /(?:^|\n)[ \t]*Fatal error: [^\n]*/g,
  /(?:^|\n)Error: [^\n]*\nFile: [^\n]*\nLine: \d+/g,
];

export function phpProblems(text: string): string[] {
  const found = new Set<string>();
  for (const re of PATTERNS) for (const m of text.matchAll(re)) found.add(m[0].trim().replace(/<\/?b>/g, ''));
  return [...found];
}
