// What the runner's emulator tests share: requests as createGenerationRequest writes them, pushes
// as Cloud Tasks sends them, and a count of the files in the fake ComfyUI's folders.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { db } from "../../test-support/emulator";
import type { FakeComfy } from "../../fake-comfyui/src/server";

export const SECRET = "test-runner-secret";
export const ref = (id: string) => db().collection("generationRequests").doc(id);
export const data = async (id: string) => (await ref(id).get()).data()!;

/**
 * Runner env for tests: loopback, the fake's URL and folders, short polls. The job timeout is
 * generous so a loaded machine cannot time a healthy job out; a test that needs the timeout to
 * fire (a hung prompt) starts a runner with `SHORT_JOB_TIMEOUT`.
 */
export const runnerEnv = (fake: Pick<FakeComfy, "url" | "files">, storageDir: string, extra: Record<string, string> = {}) => ({
  PORT: "0", HOST: "127.0.0.1", COMFY_URL: fake.url, COMFY_BASE_DIR: fake.files.baseDir, RUNNER_SHARED_SECRET: SECRET, LOCAL_STORAGE_DIR: storageDir,
  MAX_ATTEMPTS: "3", JOB_TIMEOUT_SECONDS: "30", COMFY_POLL_INTERVAL_MS: "200", COMFY_WS_RECONNECT_MS: "50",
  PROGRESS_WRITE_INTERVAL_MS: "100", LEASE_SECONDS: "30",
  // The boot warm-up has its own test (readiness.emulator.test.ts); elsewhere it would only add a prompt.
  WARMUP_TEMPLATE: "off", ...extra,
});

/** For a runner whose hung prompts must time out quickly. */
export const SHORT_JOB_TIMEOUT = { JOB_TIMEOUT_SECONDS: "2" };

/** A queued request exactly as createGenerationRequest writes it (docs/data-model.md). */
export async function queuedRequest(render: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ id: string; uid: string }> {
  const id = `rt_${randomUUID()}`;
  const uid = `runner_user_${randomUUID().slice(0, 8)}`;
  const now = Timestamp.now();
  await ref(id).set({
    userId: uid, status: "queued", model: "A", style: "realistic", color: "vibrant", size: "512x512",
    prompt: "A cat in space", negativePrompt: "", numImages: 2, seed: 42, cost: 2,
    render: { workflow: "txt2img", positivePrompt: "A cat in space, photo, vibrant colours", negativePrompt: "", width: 128, height: 96, batchSize: 2, seed: 42, steps: 20, cfg: 7, ...render },
    attempts: 0, lease: null, progress: 0, comfy: null, outputs: [], error: null, refunded: false,
    createdAt: now, updatedAt: now, idempotencyKey: null, paramsHash: "test", webhookUrl: null, ...extra,
  });
  return { id, uid };
}

export interface PushOptions { token?: string | null; retryCount?: number; rawBody?: string }

/** POST /tasks/generate on `runnerUrl` as Cloud Tasks would. */
export async function pushTask(runnerUrl: string, requestId: unknown, opts: PushOptions = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.token !== null) headers["x-runner-token"] = opts.token ?? SECRET;
  if (opts.retryCount !== undefined) headers["x-cloudtasks-taskretrycount"] = String(opts.retryCount);
  const res = await fetch(`${runnerUrl}/tasks/generate`, { method: "POST", headers, body: opts.rawBody ?? JSON.stringify({ requestId }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export function waitForStatus(id: string, status: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = ref(id).onSnapshot((s) => {
      if (s.get("status") === status) (stop(), resolve());
    });
  });
}

/** Files (not folders) in the fake ComfyUI's input, output and temp folders, as relative paths. */
export function comfyFiles(fake: Pick<FakeComfy, "files">): string[] {
  return (["input", "output", "temp"] as const).flatMap((type) =>
    fs.readdirSync(fake.files.dir(type), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(type, path.relative(fake.files.dir(type), path.join(e.parentPath, e.name)))));
}
