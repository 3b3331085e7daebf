// Prints the one line CI reads: "N passed, N failed". Exits non-zero when anything failed, when
// vitest wrote no report, or when it ran no test at all (a silent "0 passed" must not look green).
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, staticPassedArg, staticFailedArg, vitestRcArg, leakRcArg] = process.argv.slice(2);
// The leak check (scripts/check-leaks.mjs) counts as one more test when its exit status is given.
const leakChecked = leakRcArg !== undefined && leakRcArg !== '';
if (leakChecked && Number(leakRcArg) !== 0) console.log('leak check: FAILED');
const staticPassed = Number(staticPassedArg ?? 0) + (leakChecked && Number(leakRcArg) === 0 ? 1 : 0);
const staticFailed = Number(staticFailedArg ?? 0) + (leakChecked && Number(leakRcArg) !== 0 ? 1 : 0);
const vitestRc = Number(vitestRcArg ?? 1);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that fails to load (import error, failing beforeAll) has no failed *test*: count it.
  const brokenSuites = (report.testResults ?? []).filter(
    (s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed'),
  );
  for (const suite of brokenSuites) console.log(`suite failed to run: ${suite.name}`);
  failed += brokenSuites.length;
} else {
  console.log(`no vitest report at ${reportPath}`);
  failed += 1;
}
if (vitestRc !== 0 && failed === 0) failed += 1; // vitest failed for a reason the report does not show

const totalPassed = passed + staticPassed;
const totalFailed = failed + staticFailed;
const ranNothing = passed + failed === 0;
if (ranNothing) console.log('vitest ran no test');
console.log(`${totalPassed} passed, ${totalFailed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(totalFailed > 0 || ranNothing ? 1 : 0);
