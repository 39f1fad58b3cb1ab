// Mocha's spec output, plus the run's totals written to test-results.json and printed as the
// last line, "N passed, N failed", so that CI (and a run of zero tests) can be read at a glance.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const totals = { passed: 0, failed: 0, skipped: 0, skippedTitles: [] };
    runner.on(EVENT_TEST_PASS, () => totals.passed++);
    runner.on(EVENT_TEST_FAIL, () => totals.failed++);
    runner.on(EVENT_TEST_PENDING, (test) => {
      totals.skipped++;
      totals.skippedTitles.push(test.fullTitle());
    });
    runner.once(EVENT_RUN_END, () => {
      fs.writeFileSync('test-results.json', JSON.stringify(totals, null, 2) + '\n');
      if (totals.skipped > 0) console.log(`skipped ${totals.skipped}: ${totals.skippedTitles.join('; ')}`);
      console.log(`${totals.passed} passed, ${totals.failed} failed`);
    });
  }
}

module.exports = SummaryReporter;
