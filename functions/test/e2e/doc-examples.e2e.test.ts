// The documentation's examples run as shown: every `<!-- example: … -->` block of the README and
// docs/ is run with bash from the repository's root (where the sample photos are) against this
// stack (functions, Tasks emulator, a runner, the fake ComfyUI), after its file's preamble, in
// fresh accounts of its own (standing in for the seeded accounts the examples name, with the same
// balances and roles), and each command's real output must match the one shown, ids and times
// aside. No example depends on another.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createTestUser, functionsUrl } from "../../../test-support/emulator";
// @ts-expect-error: a plain .mjs module shared with the scripts (docs tooling)
import { exampleBlocks, exampleScript, outputMatches, retarget, splitOutputs, transcriptSteps } from "../../../scripts/lib/docs/examples.mjs";
import { oneRunnerStack } from "./stack";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const docFiles = ["README.md", ...fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const documented = docFiles.flatMap((file) => {
  const blocks = exampleBlocks(fs.readFileSync(path.join(repoRoot, file), "utf8"));
  const preamble = blocks.filter((b) => b.kind === "preamble").flatMap((b) => b.body);
  return blocks.filter((b) => b.kind === "example").map((b) => ({ file, preamble, ...b }));
});

// Async on purpose: the fake ComfyUI and the runner's front live in this process.
function bash(script: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", script], { cwd: repoRoot, timeout: 240_000, maxBuffer: 4 << 20 }, (_err, stdout, stderr) => resolve({ stdout, stderr }));
  });
}

// The seeded accounts the examples name, each replaced by a fresh one with the same balance and role.
// Superadmin first: "admin@example.com" is part of "superadmin@example.com".
const SEEDED = [
  { email: "superadmin@example.com", uid: "superadmin_test", credits: 0, role: "superadmin" as const },
  { email: "admin@example.com", uid: "admin_test", credits: 0, role: "admin" as const },
  { email: "user1@example.com", uid: "user_test1", credits: 10 },
  { email: "user2@example.com", uid: "user_test2", credits: 3 },
];

async function freshAccounts(): Promise<[string, string][]> {
  const fresh = await Promise.all(SEEDED.map((s) => createTestUser({ credits: s.credits, role: s.role, prefix: "docs" })));
  return SEEDED.flatMap((s, i): [string, string][] => [[s.email, fresh[i].email], [s.uid, fresh[i].uid]]);
}

describe("the documentation's examples", () => {
  const stack = oneRunnerStack("doc-examples");

  it("are there: the README shows a preamble and examples", () => {
    const readme = documented.filter((d) => d.file === "README.md");
    expect(readme.length).toBeGreaterThanOrEqual(3);
    expect(readme[0].preamble.join("\n")).toContain("TOKEN=");
  });

  it.each(documented.map((d) => [`${d.file}:${d.line} ${d.name}`, d] as const))("%s runs as shown", async (_title, d) => {
    expect(stack.runner).toBeDefined();
    const pairs: [string, string][] = [
      ["http://127.0.0.1:5001/demo-imagegen/us-central1", functionsUrl("").replace(/\/$/, "")],
      ["127.0.0.1:9099", process.env.FIREBASE_AUTH_EMULATOR_HOST!],
      ["127.0.0.1:8090", `127.0.0.1:${process.env.E2E_RUNNER_PORT}`],
      ["http://127.0.0.1:8188", stack.fake.url],
      ...(await freshAccounts()),
    ];
    const steps = transcriptSteps(retarget(d.body, pairs));
    const { stdout, stderr } = await bash(exampleScript(retarget(d.preamble, pairs), steps));
    const outputs = splitOutputs(stdout);
    const mismatches = steps.flatMap((s, i) => {
      const shown = s.expected.join("\n");
      const real = outputs[i] ?? `(no output; stderr: ${stderr.trim()})`;
      return outputMatches(shown, real) ? [] : [{ command: s.command, shown, real }];
    });
    expect(mismatches).toEqual([]);
  }, 300_000);
});
