// What the custom-model and upload emulator tests share: distinct real images, the runner's
// upload route served in-process (the functions emulator signs URLs for the runner's address,
// and phase 1 runs no runner; the signature binds the path, not the host), uploads made as a
// client makes them, and the runner's document transitions exactly as the custom-model contract (docs/custom-models.md) states them.
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import sharp from "sharp";
import { Timestamp } from "firebase-admin/firestore";
import { callFunction, db } from "../../../test-support/emulator";
import { createHttpServer } from "../../../gpu-runner/src/http/server";
import type { RunnerContext } from "../../../gpu-runner/src/http/context";
import { LocalStorage } from "../../../gpu-runner/src/storage";

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

// The runner's transitions (the custom-model contract (docs/custom-models.md)), in transactions, never from a terminal state.
const TERMINAL = new Set(["ready", "failed", "cancelled", "deleted"]);

async function transition(id: string, change: (d: FirebaseFirestore.DocumentData) => Record<string, unknown> | null): Promise<boolean> {
  return db().runTransaction(async (tx) => {
    const snap = await tx.get(modelRef(id));
    const d = snap.data()!;
    if (TERMINAL.has(d.status)) return false;
    const update = change(d);
    if (!update) return false;
    tx.update(modelRef(id), { ...update, updatedAt: Timestamp.now() });
    return true;
  });
}

export const runnerClaim = (id: string, owner = "runner-test/1", leaseMs = 60_000) =>
  transition(id, (d) => (d.status === "queued" || (d.status === "training" && d.lease.expiresAt.toMillis() < Date.now())
    ? { status: "training", startedAt: Timestamp.now(), attempts: (d.attempts ?? 0) + 1, lease: { owner, expiresAt: Timestamp.fromMillis(Date.now() + leaseMs) }, heartbeatAt: Timestamp.now() }
    : null));

export const runnerFail = (id: string, code = "COMFY_EXECUTION_ERROR") =>
  transition(id, () => ({ status: "failed", error: { code, message: "training failed in ComfyUI" }, lease: null }));

/** Success: the LoRA stored at its contract path, then `ready`. */
export async function runnerSucceed(id: string): Promise<{ path: string; sha256: string }> {
  const d = await modelDoc(id);
  const bytes = Buffer.from(`fake lora for ${id}`);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const loraPath = `loras/${d.userId}/${id}/${sha256}.safetensors`;
  const file = path.join(STORAGE_DIR, ...loraPath.split("/"));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  await transition(id, () => ({ status: "ready", readyAt: Timestamp.now(), progress: 1, step: d.steps, lora: { path: loraPath, sha256, bytes: bytes.length }, lease: null }));
  return { path: loraPath, sha256 };
}

/** A model created over HTTP from inline images (the cheapest way to a queued model). */
export async function createdModel(token: string, extra: Record<string, unknown> = {}, from = 0): Promise<string> {
  const images = (await photos(10, from)).map(dataUrl);
  const res = await callFunction("createCustomModel", { token, body: { name: "test model", baseModel: "A", subject: "person", images, ...extra } });
  expect(res.status).toBe(201);
  return res.body.customModelId as string;
}
