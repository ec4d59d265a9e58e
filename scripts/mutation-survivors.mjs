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
if (inputs.length === 0) {
  console.error('usage: node scripts/mutation-survivors.mjs REPORT.json [--file app/x.ts] [--since OLD.json …]');
  process.exit(2);
}

const alive = (m) => m.status === 'Survived' || m.status === 'NoCoverage';
const lineOf = (source, line) => (source.split('\n')[line - 1] ?? '').trim();
const keyOf = (name, source, m) => `${name}|${m.mutatorName}|${m.replacement ?? ''}|${lineOf(source, m.location.start.line)}`;

const before = new Set();
for (const file of earlier) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, s] of Object.entries(report.files))
    for (const m of s.mutants) if (alive(m)) before.add(keyOf(name, s.source, m));
}

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
      const seen = before.has(keyOf(name, s.source, m));
      total++;
      if (seen) known++;
      const original = lineOf(s.source, line).slice(0, 140);
      const replacement = String(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
      console.log(`  ${line}:${column} ${m.status === 'NoCoverage' ? 'no coverage' : 'survived'}${earlier.length ? (seen ? ' (before too)' : ' (NEW)') : ''} ${m.mutatorName}: ${replacement}\n      ${original}`);
    }
  }
}
console.log(`\n${total} alive${earlier.length ? `, ${known} of them alive in the earlier runs too, ${total - known} new` : ''}`);
