/**
 * CI's check that the tests reading `../shared/fixtures` behave on a clone without it: run
 * them there with vitest's JSON reporter, then pass the report here. Fails unless no test
 * failed, every skipped test says why in its name (`skipped: …`), and each file
 * that guards tests with `describeWithFixtures`/`itWithFixtures` skipped at least one.
 *
 *   npx tsx scripts/check-fixture-skips.ts report.json
 */
import { readFileSync } from 'node:fs';

interface Report {
  numFailedTests: number;
  numFailedTestSuites: number;
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ fullName: string; status: string }>;
  }>;
}

const [reportPath] = process.argv.slice(2);
if (!reportPath) {
  console.error('usage: check-fixture-skips <vitest-json-report>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
const problems: string[] = [];
if (report.testResults.length === 0) problems.push('no test file ran');
for (const file of report.testResults) {
  const failed = file.assertionResults.filter((t) => t.status === 'failed');
  if (file.status === 'failed' && failed.length === 0)
    problems.push(`${file.name}: ${file.message ?? 'failed'}`);
  for (const t of failed) problems.push(`${file.name}: "${t.fullName}" failed`);
  const skipped = file.assertionResults.filter((t) => t.status === 'pending' || t.status === 'skipped');
  for (const t of skipped) {
    if (!t.fullName.includes('skipped: ')) {
      problems.push(`${file.name}: "${t.fullName}" skipped without saying why`);
    }
  }
  const guarded = /\b(describeWithFixtures|itWithFixtures)\(/.test(readFileSync(file.name, 'utf8'));
  if (guarded && skipped.length === 0)
    problems.push(`${file.name}: ran its fixture tests without the fixtures`);
}
if (problems.length > 0) {
  console.error(`Fixture tests on a clone without ../shared:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const skippedCount = report.testResults
  .flatMap((f) => f.assertionResults)
  .filter((t) => t.status !== 'passed').length;
console.log(
  `Fixture tests on a clone without ../shared: ${report.testResults.length} files, 0 failed, ${skippedCount} skipped, each saying why.`,
);
