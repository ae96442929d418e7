// Four projects: `unit` (pure logic, no emulators), `emulator` (*.emulator.test.ts, inside
// `firebase emulators:exec` by scripts/test.mjs), `e2e` (*.e2e.test.ts: the whole loop with
// the Tasks emulator dispatching to real runner processes; scripts/test.mjs runs it in a second
// emulators:exec with DISPATCH_MODE=tasks-emulator, because the emulator tests expect requests
// to stay queued) and `browser` (*.browser.test.ts: the console in headless Chromium, in that
// second stack, which also runs the Hosting emulator). `audit` is the money audit that
// scripts/test.mjs runs after each phase in the same stack.
// .mjs too: bench/test imports the benchmarks' pure helpers (bench/lib/*.mjs).
const transform = { "^.+\\.(t|j)sx?$|^.+\\.mjs$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const fs = require("fs");
// Quiet functions logs in-process (test-support/quiet-logs.ts); tests that expect one assert it.
const setupFilesAfterEnv = ["<rootDir>/test-support/quiet-logs.ts"];
const roots = ["functions/test", "gpu-runner/test", "fake-comfyui/test", "bench/test", "scripts/test", "console/test"].filter((d) => fs.existsSync(`${__dirname}/${d}`)).map((d) => `<rootDir>/${d}`);
module.exports = {
  verbose: true,
  testTimeout: 120_000,
  projects: [
    { displayName: "unit", roots: [...roots, "<rootDir>/test-support"], transform, testEnvironment: "node", setupFilesAfterEnv, testMatch: ["**/*.test.ts"], testPathIgnorePatterns: ["\\.emulator\\.test\\.ts$", "\\.e2e\\.test\\.ts$", "\\.browser\\.test\\.ts$", "\\.audit\\.test\\.ts$"] },
    { displayName: "emulator", roots, transform, testEnvironment: "node", setupFilesAfterEnv, testMatch: ["**/*.emulator.test.ts"], slowTestThreshold: 30 },
    { displayName: "e2e", roots, transform, testEnvironment: "node", setupFilesAfterEnv, testMatch: ["**/*.e2e.test.ts"], slowTestThreshold: 60 },
    // The money audit (test-support/money-audit): run by scripts/test.mjs after each phase, in its stack.
    { displayName: "audit", roots: ["<rootDir>/test-support"], transform, testEnvironment: "node", testMatch: ["**/*.audit.test.ts"] },
    { displayName: "browser", roots, transform, testEnvironment: "node", testMatch: ["**/*.browser.test.ts"], slowTestThreshold: 60 },
  ],
};
