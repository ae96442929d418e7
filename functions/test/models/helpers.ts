// What the custom-model and upload emulator tests share: distinct real images, the runner's
// upload route served in-process (the functions emulator signs URLs for the runner's address,
// and phase 1 runs no runner; the signature binds the path, not the host), uploads made as a
// client makes them, and the runner's document transitions through the runner's own repository.
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import sharp from "sharp";
import { callFunction, db } from "../../../test-support/emulator";
import { createHttpServer } from "../../../gpu-runner/src/http/server";
import type { RunnerContext } from "../../../gpu-runner/src/http/context";
import { LocalStorage } from "../../../gpu-runner/src/storage";
import { claimJob } from "../../../gpu-runner/src/jobs/job.repo";
import { TRAIN } from "../../../gpu-runner/src/jobs/job-kind";
import { completeTraining, failTraining } from "../../../gpu-runner/src/jobs/training.repo";

export const STORAGE_DIR = process.env.LOCAL_STORAGE_DIR!;
export const SIGNING_SECRET = process.env.LOCAL_STORAGE_SIGNING_SECRET ?? "dev-storage-secret";
export const onDisk = (p: string) => fs.existsSync(path.join(STORAGE_DIR, ...p.split("/")));

/** A real PNG, different for every `i` (so no two photos share a hash). */
export function photo(i: number, side = 96): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53 + 7) % 256 } } }).png().toBuffer();
}
export const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;
export const photos = (n: number, from = 0) => Promise.all(Array.from({ length: n }, (_, i) => photo(from + i)));

/** The runner's HTTP server (its real /files routes) on an ephemeral port. */
export async function startUploadServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const ctx = { config: { LOCAL_STORAGE_SIGNING_SECRET: SIGNING_SECRET }, log: quiet, localStorage: new LocalStorage(STORAGE_DIR) } as unknown as RunnerContext;
  const server: http.Server = createHttpServer(ctx);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((r) => server.close(() => r())) };
}

export async function put(origin: string, uploadUrl: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: any }> {
  const u = new URL(uploadUrl);
  const res = await fetch(`${origin}${u.pathname}${u.search}`, { method: "PUT", headers, body });
  return { status: res.status, body: await res.json() };
}

export async function createUpload(token: string, bytes: number, opts: { purpose?: string; contentType?: string; userId?: string } = {}) {
  const res = await callFunction("createUpload", { token, body: { purpose: opts.purpose ?? "training-image", contentType: opts.contentType ?? "image/png", bytes, ...(opts.userId ? { userId: opts.userId } : {}) } });
  expect(res.status).toBe(201);
  return res.body as { uploadId: string; uploadUrl: string; headers: Record<string, string>; expiresAt: string };
}

/** createUpload + PUT, as a client does; returns the upload id. */
export async function uploaded(origin: string, token: string, bytes: Buffer, opts: { purpose?: string; contentType?: string } = {}): Promise<string> {
  const up = await createUpload(token, bytes.length, opts);
  const res = await put(origin, up.uploadUrl, up.headers, bytes);
  expect(res.status).toBe(200);
  return up.uploadId;
}

export const modelRef = (id: string) => db().doc(`customModels/${id}`);
export const modelDoc = async (id: string) => (await modelRef(id).get()).data()!;

// The runner's transitions are the runner's own repository functions (gpu-runner/src/jobs), with
// its lease: a test that fails or completes a model it does not hold changes nothing, as in production.
export const RUNNER = "runner-test/1";

/** queued (or training with an expired lease) → training under `owner`'s lease; `now` backdates the claim. */
export async function runnerClaim(id: string, owner = RUNNER, leaseMs = 60_000, now = Date.now()): Promise<boolean> {
  return (await claimJob(db(), id, owner, leaseMs, now, null, TRAIN)).kind === "claim";
}

export const runnerFail = (id: string, code = "COMFY_EXECUTION_ERROR", owner = RUNNER) =>
  failTraining(db(), id, owner, { code, message: "training failed in ComfyUI" });

/** Success: the LoRA stored at its contract path, then `ready` (completeTraining, under `owner`'s lease). */
export async function runnerSucceed(id: string, owner = RUNNER): Promise<{ path: string; sha256: string }> {
  const d = await modelDoc(id);
  const bytes = Buffer.from(`fake lora for ${id}`);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const loraPath = `loras/${d.userId}/${id}/${sha256}.safetensors`;
  const file = path.join(STORAGE_DIR, ...loraPath.split("/"));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  const done = await completeTraining(db(), id, owner, { path: loraPath, sha256, bytes: bytes.length });
  if (done !== "ready") throw new Error(`completeTraining(${id}) as ${owner}: ${done}`);
  return { path: loraPath, sha256 };
}

/** A model created over HTTP from inline images (the cheapest way to a queued model). */
export async function createdModel(token: string, extra: Record<string, unknown> = {}, from = 0): Promise<string> {
  const images = (await photos(10, from)).map(dataUrl);
  const res = await callFunction("createCustomModel", { token, body: { name: "test model", baseModel: "A", subject: "person", images, ...extra } });
  expect(res.status).toBe(201);
  return res.body.customModelId as string;
}
