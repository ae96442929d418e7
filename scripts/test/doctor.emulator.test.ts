// `npm run doctor` as a user runs it, against a fake ComfyUI and deployed env files written here.
// (Emulator project only because it needs the built packages that `npm test` builds first.)
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";

jest.setTimeout(60_000);

const repoRoot = path.resolve(__dirname, "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-"));
const file = (name: string, lines: string[]) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, lines.join("\n") + "\n");
  return f;
};
const goodFunctions = () => file("functions.env", ["RUNNER_URL=https://gpu-runner-x.a.run.app", "RUNNER_AUDIENCE=https://gpu-runner-x.a.run.app", "DISPATCH_MODE=cloud-tasks", "TASKS_SERVICE_ACCOUNT=tasks@p1.iam.gserviceaccount.com", "STORAGE_BUCKET=p1-outputs", "STRIPE_SECRET_KEY=sk_live_example", "STRIPE_WEBHOOK_SECRET=whsec_example"]);
const goodRunner = () => file("runner.env", ["OIDC_AUDIENCE=https://gpu-runner-x.a.run.app", "OIDC_SERVICE_ACCOUNT=tasks@p1.iam.gserviceaccount.com", "STORAGE_BUCKET=p1-outputs"]);

function doctor(args: string[]): Promise<{ code: number | null; out: string; fails: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts", "doctor.mjs"), ...args], { cwd: repoRoot, env: process.env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out, fails: out.split("\n").filter((l) => l.startsWith("FAIL")).map((l) => l.replace(/\s+/g, " ")) }));
  });
}

describe("npm run doctor (deployed project mode)", () => {
  let full: FakeComfy;
  let lacking: FakeComfy;
  beforeAll(async () => {
    full = await startFakeComfy({ port: 0 });
    lacking = await startFakeComfy({ port: 0, withoutNodes: ["VAEEncode"] });
  });
  afterAll(async () => {
    await full.close();
    await lacking.close();
  });

  it("passes a complete configuration and a ComfyUI with every node the templates use", async () => {
    const res = await doctor(["--project", "p1", "--functions-env", goodFunctions(), "--runner-env", goodRunner(), "--comfy-url", full.url]);
    expect(res.fails).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^ok\s+runner config\s+valid \(production mode/m);
    expect(res.out).toMatch(new RegExp(`^ok\\s+comfyui\\s+${full.url}: all 21 node types`, "m"));
    expect(res.out).toMatch(/^ok\s+custom models\s+training template train-lora and LoRA loader LoraLoader available in ComfyUI/m);
    expect(res.out).toMatch(new RegExp(`^ok\\s+comfyui version\\s+${full.url}: ComfyUI 0\\.16\\.2; the runner image pins v0\\.16\\.2`, "m"));
    for (const t of ["img2img-staging", "txt2img", "txt2img-sdxl"]) expect(res.out).toMatch(new RegExp(`^ok\\s+template\\s+${t} \\(generation\\): valid`, "m"));
    expect(res.out).toMatch(/^ok\s+template\s+train-lora \(training\): valid/m);
  });

  it("gives each template its own verdict: a ComfyUI without the trainer fails training only", async () => {
    const noTrainer = await startFakeComfy({ port: 0, withoutNodes: ["TrainLoraNode"] });
    try {
      const res = await doctor(["--project", "p1", "--functions-env", goodFunctions(), "--runner-env", goodRunner(), "--comfy-url", noTrainer.url]);
      expect(res.code).toBe(1);
      expect(res.out).toMatch(/^ok\s+template\s+txt2img \(generation\): valid/m);
      expect(res.fails).toEqual([
        "FAIL template train-lora (training): 1 problem(s); training would be disabled",
        `FAIL comfyui ${noTrainer.url}: node type TrainLoraNode is not installed (used by train-lora)`,
      ]);
    } finally {
      await noTrainer.close();
    }
  });

  it("fails on a ComfyUI without a node the image-to-image template needs, naming node and template", async () => {
    const res = await doctor(["--project", "p1", "--functions-env", goodFunctions(), "--runner-env", goodRunner(), "--comfy-url", lacking.url]);
    expect(res.code).toBe(1);
    expect(res.fails).toEqual([
      // VAEEncode also re-encodes the upscaled image for a refine pass, which every generation template offers.
      "FAIL template img2img-staging (generation): 1 problem(s); generation would be disabled",
      "FAIL template txt2img (generation): 1 problem(s); generation would be disabled",
      "FAIL template txt2img-sdxl (generation): 1 problem(s); generation would be disabled",
      `FAIL comfyui ${lacking.url}: node type VAEEncode is not installed (used by img2img-staging, txt2img, txt2img-sdxl)`,
    ]);
  });

  it("fails on bad deployed env files, one line per variable, with the file to fix", async () => {
    const fn = file("bad-functions.env", ["RUNNER_URL=not a url", "TASKS_SERVICE_ACCOUNT=tasks@p1.iam.gserviceaccount.com"]);
    const runner = file("bad-runner.env", ["OIDC_AUDIENCE=https://gpu-runner-x.a.run.app", "RUNNER_SHARED_SECRET=dev-runner-secret", "this is not an assignment"]);
    const res = await doctor(["--project", "p1", "--functions-env", fn, "--runner-env", runner]);
    expect(res.code).toBe(1);
    expect(res.fails).toEqual(expect.arrayContaining([
      `FAIL runner env ${runner} line 3: expected KEY=value`,
      expect.stringMatching(/^FAIL functions config RUNNER_URL: /),
      "FAIL runner config OIDC_SERVICE_ACCOUNT: required when RUNNER_AUTH_MODE=oidc (only tokens of this service account are accepted)",
      "FAIL runner config STORAGE_BUCKET: required when STORAGE_BACKEND=gcs",
    ]));
    expect(res.out).toContain(`fix: set it in ${runner}`);
    expect(res.out).toMatch(/skip\s+comfyui\s+the GPU host's ComfyUI is not reachable from here/);
  });
});

describe("npm run doctor (emulator mode, with this test run's stack up)", () => {
  it("recognises the project's own running emulators instead of reporting their ports as a failure", async () => {
    const res = await doctor([]);
    const ports = res.out.split("\n").find((l) => /^\S+\s+ports\s/.test(l)) ?? "";
    expect(ports).toMatch(/^ok\s+ports\s+in use by this project's running emulator stack \(.*; functions \/health answers\)$/);
    for (const name of ["auth", "firestore", "functions", "tasks", "pubsub"]) expect(ports).toMatch(new RegExp(`[(, ]${name}[,;]`));
    expect(res.fails.filter((l) => l.startsWith("FAIL ports"))).toEqual([]);
  });
});
