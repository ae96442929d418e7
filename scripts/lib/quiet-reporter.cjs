// A jest reporter for `npm test`'s terminal: a progress line every few files, each failing file's
// assertions (and its console output) as soon as it fails, and a summary with the slowest files.
// jest's own verbose report and the emulators' logs go to files under the run's folder instead
// (scripts/lib/run-logs.mjs). It writes to the file named by IMAGEGEN_TEST_CONSOLE, which
// scripts/test.mjs follows and prints: jest runs inside `firebase emulators:exec`, whose output
// is the emulators' log, so the terminal cannot be reached through stdout.
const fs = require("node:fs");
const path = require("node:path");

const EVERY = 25;

class QuietReporter {
  constructor(globalConfig) {
    this.out = process.env.IMAGEGEN_TEST_CONSOLE;
    this.rootDir = globalConfig.rootDir;
    this.done = 0;
    this.failedFiles = [];
    this.timings = [];
  }

  write(text) {
    if (this.out) fs.appendFileSync(this.out, text.endsWith("\n") ? text : `${text}\n`);
    else process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  onRunStart(results) {
    this.total = results.numTotalTestSuites;
    this.write(`jest: ${this.total} test files`);
  }

  onTestResult(test, result) {
    this.done += 1;
    const file = path.relative(this.rootDir, result.testFilePath);
    const seconds = (result.perfStats.end - result.perfStats.start) / 1000;
    this.timings.push({ file, seconds });
    const failed = result.numFailingTests > 0 || result.testExecError;
    if (failed) {
      this.failedFiles.push({ file, start: result.perfStats.start, end: result.perfStats.end });
      this.write(`\n✗ ${file} (${seconds.toFixed(1)}s)\n${result.failureMessage ?? result.testExecError?.message ?? ""}`);
      const logs = (result.console ?? []).map((c) => `  console.${c.type}: ${String(c.message).split("\n")[0]}`);
      if (logs.length) this.write(`console output of ${file} (${logs.length} lines, first 20):\n${logs.slice(0, 20).join("\n")}`);
    }
    if (this.done % EVERY === 0 || this.done === this.total) this.write(`  ${this.done}/${this.total} files, ${this.failedFiles.length} failed`);
  }

  onRunComplete(_contexts, results) {
    const slowest = [...this.timings].sort((a, b) => b.seconds - a.seconds).slice(0, 10);
    this.write(`slowest files: ${slowest.map((t) => `${t.file} ${t.seconds.toFixed(1)}s`).join(", ")}`);
    this.write(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped, ${results.numTotalTests} total; ` +
        `files: ${results.numPassedTestSuites} passed, ${results.numFailedTestSuites} failed; ${((Date.now() - results.startTime) / 1000).toFixed(0)} s`,
    );
    // For scripts/test.mjs: which files failed and when, to print the emulators' log of that window.
    // The phase runs jest twice (its tests, then the money audit): the second adds to the list.
    if (this.out) {
      const file = `${this.out}.failures.json`;
      const earlier = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
      fs.writeFileSync(file, JSON.stringify([...earlier, ...this.failedFiles]));
    }
  }
}

module.exports = QuietReporter;
