// Prints the mutation score per source file and in all from StrykerJS reports or incremental
// files, counted as StrykerJS counts it: (killed + timeout) / (killed + timeout + survived + no
// coverage); ignored, compile and runtime errors left out.
//   node scripts/mutation-score.mjs reports/stryker-incremental-shop-*.json
// Where several files hold the same source file, the last given wins (as in merge-incremental).
// It reads results, it runs nothing: a figure from several narrowed runs is their sum, each
// measured against its own run's tests; say so where it is quoted.
import { readFileSync } from 'node:fs';

const inputs = process.argv.slice(2);
if (inputs.length === 0) {
  console.error('usage: node scripts/mutation-score.mjs REPORT.json [REPORT.json …]');
  process.exit(2);
}

const bySource = new Map();
for (const file of inputs) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, source] of Object.entries(report.files)) bySource.set(name, { from: file, mutants: source.mutants });
}

const count = (mutants) => {
  const c = { detected: 0, survived: 0, noCoverage: 0, ignored: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed' || m.status === 'Timeout') c.detected++;
    else if (m.status === 'Survived') c.survived++;
    else if (m.status === 'NoCoverage') c.noCoverage++;
    else c.ignored++;
  }
  return c;
};
const score = (c) => {
  const valid = c.detected + c.survived + c.noCoverage;
  return valid ? `${((100 * c.detected) / valid).toFixed(2)}%` : 'n/a';
};

const total = { detected: 0, survived: 0, noCoverage: 0, ignored: 0 };
for (const [name, { from, mutants }] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
  const c = count(mutants);
  for (const k of Object.keys(total)) total[k] += c[k];
  console.log(`${score(c).padStart(8)}  ${name}  ${c.detected} / ${c.survived} / ${c.noCoverage} (${c.ignored})  [${from.replace(/^.*\//, '')}]`);
}
console.log(`${score(total).padStart(8)}  all ${bySource.size} files  ${total.detected} / ${total.survived} / ${total.noCoverage} (${total.ignored})  detected / survived / no coverage (ignored and errors)`);
