// Merges StrykerJS incremental files of narrowed runs (`-m file`) into one folder's file, so a
// whole-folder run starts from what the per-file runs already measured instead of from nothing:
//   node scripts/merge-incremental.mjs reports/stryker-incremental-plugin.json reports/stryker-incremental-plugin-*.json
// StrykerJS then reuses a mutant's result only while its code and the tests that covered or
// killed it are unchanged (by test file and name), and re-tests the rest, as in any incremental run.
// Test ids are numbers local to each run, so each input's ids get a prefix of their own.
// Where two inputs hold the same source file with the same text (a file measured in parts with
// `-m file:lines`), their mutants are merged, the later input's result winning for a mutant both
// hold; where the texts differ, the later input wins the whole file.
import { readFileSync, writeFileSync } from 'node:fs';

const [out, ...inputs] = process.argv.slice(2);
if (!out || inputs.length === 0) {
  console.error('usage: node scripts/merge-incremental.mjs OUT.json IN.json [IN.json …]');
  process.exit(2);
}

let merged;
inputs.forEach((file, n) => {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const id = (testId) => `r${n}-${testId}`;
  for (const source of Object.values(report.files)) {
    for (const mutant of source.mutants) {
      if (mutant.coveredBy) mutant.coveredBy = mutant.coveredBy.map(id);
      if (mutant.killedBy) mutant.killedBy = mutant.killedBy.map(id);
    }
  }
  for (const testFile of Object.values(report.testFiles ?? {})) {
    for (const test of testFile.tests) test.id = id(test.id);
  }
  if (!merged) {
    merged = { ...report, files: {}, testFiles: {} };
  }
  for (const [name, source] of Object.entries(report.files)) {
    const known = merged.files[name];
    if (!known || known.source !== source.source) {
      merged.files[name] = source;
      continue;
    }
    const key = (m) => `${m.mutatorName}@${JSON.stringify(m.location)}=${m.replacement}`;
    const byKey = new Map(known.mutants.map((m) => [key(m), m]));
    for (const m of source.mutants) byKey.set(key(m), m);
    merged.files[name] = { ...source, mutants: [...byKey.values()] };
  }
  for (const [name, testFile] of Object.entries(report.testFiles ?? {})) {
    const known = merged.testFiles[name];
    // The same test file in two inputs: keep every test once per name; a test's id from either
    // input resolves to the same test, so both inputs' mutants keep their covering tests.
    if (!known) merged.testFiles[name] = testFile;
    else if (known.source === testFile.source) known.tests.push(...testFile.tests);
    else merged.testFiles[name] = testFile; // changed between the runs: the later one is what StrykerJS compares
  }
  console.log(`${file}: ${Object.keys(report.files).join(', ')}`);
});
writeFileSync(out, JSON.stringify(merged));
console.log(`wrote ${out}: ${Object.keys(merged.files).length} source files, ${Object.keys(merged.testFiles).length} test files`);
