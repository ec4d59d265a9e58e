// Lists the mutants a StrykerJS report or incremental file left alive (survived, no coverage),
// one line each: file:line:column, status, mutator, the original code and what it became. With
// --since OLD.json … it also says which of them an earlier run (a file's direct-test run) left
// alive too, matched by file, mutator, replacement and the text of the line, so a whole-folder
// run's survivors can be checked against the lists already written in docs/testing.md.
//   node scripts/mutation-survivors.mjs reports/mutation/shop.json [--file app/shop/specials.ts]
//   node scripts/mutation-survivors.mjs reports/stryker-incremental-shop.json --since reports/stryker-incremental-shop-*.json
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const sinceAt = args.indexOf('--since');
const fileAt = args.indexOf('--file');
const only = fileAt >= 0 ? args[fileAt + 1] : null;
const plain = (i) => !args[i].startsWith('--') && args[i - 1] !== '--file';
const inputs = args.map((_, i) => i).filter((i) => plain(i) && (sinceAt < 0 || i < sinceAt)).map((i) => args[i]);
const earlier = sinceAt < 0 ? [] : args.map((_, i) => i).filter((i) => plain(i) && i > sinceAt).map((i) => args[i]);
const fileValue = fileAt >= 0 ? args[fileAt + 1] : '';
if (inputs.length === 0 || (fileAt >= 0 && (!fileValue || fileValue.startsWith('--'))) || (sinceAt >= 0 && earlier.length === 0) || args.some((a) => a.startsWith('--') && a !== '--file' && a !== '--since')) {
  console.error('usage: node scripts/mutation-survivors.mjs REPORT.json [--file app/x.ts] [--since OLD.json …]');
  process.exit(2);
}

const alive = (m) => m.status === 'Survived' || m.status === 'NoCoverage';
const lineOf = (source, line) => (source.split('\n')[line - 1] ?? '').trim();
/** The text a mutant replaced, from its start to its end. */
function spanOf(source, { start, end }) {
  const lines = source.split('\n');
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  return [(lines[start.line - 1] ?? '').slice(start.column - 1), ...lines.slice(start.line, end.line - 1), (lines[end.line - 1] ?? '').slice(0, end.column - 1)].join('\n');
}
// Several mutants of one line can share mutator and replacement (each `&&` of a condition turned
// `false`): the key holds the text replaced, and the earlier runs' matches are counted, not a set.
const keyOf = (name, source, m) => `${name}|${m.mutatorName}|${m.replacement ?? ''}|${lineOf(source, m.location.start.line)}|${spanOf(source, m.location)}`;

const before = new Map();
for (const file of earlier) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, s] of Object.entries(report.files))
    for (const m of s.mutants) if (alive(m)) before.set(keyOf(name, s.source, m), (before.get(keyOf(name, s.source, m)) ?? 0) + 1);
}
/** Whether an earlier run left this mutant alive too (each earlier match used once). */
const seenBefore = (key) => {
  const n = before.get(key) ?? 0;
  if (n > 0) before.set(key, n - 1);
  return n > 0;
};

let total = 0;
let known = 0;
for (const file of inputs) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, s] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    if (only && name !== only) continue;
    const left = s.mutants.filter(alive).sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    if (left.length === 0) continue;
    console.log(`\n${name} (${left.length})`);
    for (const m of left) {
      const { line, column } = m.location.start;
      const seen = seenBefore(keyOf(name, s.source, m));
      total++;
      if (seen) known++;
      const original = lineOf(s.source, line).slice(0, 140);
      const replacement = String(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
      console.log(`  ${line}:${column} ${m.status === 'NoCoverage' ? 'no coverage' : 'survived'}${earlier.length ? (seen ? ' (before too)' : ' (NEW)') : ''} ${m.mutatorName}: ${replacement}\n      ${original}`);
    }
  }
}
console.log(`\n${total} alive${earlier.length ? `, ${known} of them alive in the earlier runs too, ${total - known} new` : ''}`);
