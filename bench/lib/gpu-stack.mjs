// The GPU side of the loop for benchmarks: the fake ComfyUI and one gpu-runner, each its own
// process (as in production: the runner's event loop is not shared with the measuring script),
// on the ports of the current IMAGEGEN_PORT_OFFSET.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const offset = () => Number(process.env.IMAGEGEN_PORT_OFFSET || 0);
export const runnerPort = () => 8090 + offset();
export const comfyPort = () => 8188 + offset();

function start(repoRoot, script, env) {
  const child = spawn(process.execPath, [path.join(repoRoot, script)], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { child, exited, stop: async () => { if (child.exitCode === null) child.kill("SIGTERM"); await exited; } };
}

async function waitOk(url, what, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer ${url} within ${ms} ms`);
}

/** Starts fake ComfyUI + runner; `runnerEnv` overrides the runner's configuration. */
export async function startGpuStack(repoRoot, { imageMs = 0, runnerEnv = {} } = {}) {
  const comfyUrl = `http://127.0.0.1:${comfyPort()}`;
  const runnerUrl = `http://127.0.0.1:${runnerPort()}`;
  // Shared folders, as beside a real ComfyUI: the runner's per-job file cleanup is part of what is measured.
  const comfyBaseDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-comfy-"));
  const comfy = start(repoRoot, "fake-comfyui/lib/main.js", { FAKE_COMFY_PORT: String(comfyPort()), FAKE_COMFY_IMAGE_MS: String(imageMs), FAKE_COMFY_BASE_DIR: comfyBaseDir });
  await waitOk(`${comfyUrl}/system_stats`, "fake ComfyUI");
  const runner = start(repoRoot, "gpu-runner/lib/main.js", {
    PORT: String(runnerPort()), HOST: "127.0.0.1", COMFY_URL: comfyUrl, COMFY_BASE_DIR: comfyBaseDir, RUNNER_INSTANCE_ID: "bench-runner", LOG_LEVEL: "warn", ...runnerEnv,
  });
  await waitOk(`${runnerUrl}/readyz`, "gpu-runner");
  return {
    comfyUrl, runnerUrl,
    async setImageMs(ms) {
      const res = await fetch(`${comfyUrl}/fake/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: "none", imageMs: ms }) });
      if (!res.ok) throw new Error(`fake ComfyUI /fake/faults answered ${res.status}`);
    },
    /** Submits a prompt straight to the fake ComfyUI (no backend), for the GPU-alone baseline. */
    async submit(workflow) {
      const res = await fetch(`${comfyUrl}/prompt`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ prompt: workflow }) });
      if (!res.ok) throw new Error(`POST /prompt answered ${res.status}: ${await res.text()}`);
      return (await res.json()).prompt_id;
    },
    async executions() {
      return (await (await fetch(`${comfyUrl}/fake/executions`)).json()).executions;
    },
    stop: async () => {
      await Promise.all([runner.stop(), comfy.stop()]);
      fs.rmSync(comfyBaseDir, { recursive: true, force: true });
    },
  };
}
