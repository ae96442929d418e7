// Two projects: `unit` (pure logic, no emulators) and `emulator` (*.emulator.test.ts, run inside
// `firebase emulators:exec` by scripts/test.mjs). `npm test` runs both in one jest invocation.
const transform = { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const fs = require("fs");
const roots = ["functions/test", "gpu-runner/test"].filter((d) => fs.existsSync(`${__dirname}/${d}`)).map((d) => `<rootDir>/${d}`);
module.exports = {
  verbose: true,
  testTimeout: 120_000,
  projects: [
    { displayName: "unit", roots, transform, testEnvironment: "node", testMatch: ["**/*.test.ts"], testPathIgnorePatterns: ["\\.emulator\\.test\\.ts$"] },
    { displayName: "emulator", roots, transform, testEnvironment: "node", testMatch: ["**/*.emulator.test.ts"], slowTestThreshold: 30 },
  ],
};
