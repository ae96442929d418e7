// Shared pieces of the lifecycle emulator tests: requests created over HTTP and finished by the
// runner's own repository (files in the local storage folder, then claimJob/completeJob), and the
// runner's own signed /files route on a free port, so download URLs can be tried for real.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { getFile } from "../../../gpu-runner/src/http/routes/files";
import type { RunnerContext } from "../../../gpu-runner/src/http/context";
import { LocalStorage as RunnerStorage } from "../../../gpu-runner/src/storage";
import { callFunction } from "../../../test-support/emulator";
import { storage } from "../../src/storage/storage";
import { firestore } from "../../src/shared/firestore";
import { claimJob, completeJob } from "../../../gpu-runner/src/jobs/job.repo";

export const storageDir = process.env.LOCAL_STORAGE_DIR!;
export const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space, for Alice's birthday" };
export const STAGING = { model: "staging", style: "scandinavian", color: "muted", size: "512x512", prompt: "furnish Bob's empty living room" };

export const exists = (rel: string) => fs.existsSync(path.join(storageDir, rel));
export const filesUnder = (rel: string): string[] => {
  const dir = path.join(storageDir, rel);
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile()).map((e) => path.relative(storageDir, path.join(e.parentPath ?? (e as any).path, e.name)).split(path.sep).join("/")).sort();
};

export async function createRequest(token: string, body: Record<string, unknown> = CAT): Promise<string> {
  const res = await callFunction("createGenerationRequest", { token, body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.generationRequestId;
}

const RUNNER = "test-runner/1";
const LEASE_MS = 600_000;

/**
 * What the runner does on success: stores each output and its thumbnail, then claims and completes
 * the request through its own repository (claimJob, completeJob), with the clock at `finishedAt`.
 */
export async function finishWithOutputs(id: string, uid: string, n = 1, finishedAt = new Date()): Promise<string[]> {
  const outputs = [];
  for (let i = 0; i < n; i++) {
    const p = `generations/${uid}/${id}/${i}.webp`;
    const t = `generations/${uid}/${id}/${i}.thumb.webp`;
    await storage().save(p, Buffer.from(`image ${i} of ${id}`), "image/webp");
    await storage().save(t, Buffer.from(`thumb ${i} of ${id}`), "image/webp");
    outputs.push({ path: p, thumbnailPath: t, contentType: "image/webp", width: 512, height: 512, bytes: 20, seed: 7 });
  }
  const started = finishedAt.getTime() - 1000;
  await claimed(id, started);
  if (!(await completeJob(firestore(), id, RUNNER, outputs, started, { deliveredAt: started }, null, finishedAt.getTime()))) throw new Error(`the runner could not complete ${id}`);
  return outputs.flatMap((o) => [o.path, o.thumbnailPath]);
}

/** A running job as the runner leaves it mid-flight: claimed through its repository, leased. */
export async function markRunning(id: string): Promise<void> {
  await claimed(id, Date.now());
}

async function claimed(id: string, at: number): Promise<void> {
  const claim = await claimJob(firestore(), id, RUNNER, LEASE_MS, at);
  if (claim.kind !== "claim") throw new Error(`the runner could not claim ${id}: ${claim.kind}`);
}

export interface FileServer { fetch(url: string): Promise<number>; close(): Promise<void> }

/** The runner's GET /files route over the same folder and secret; `fetch` replays a signed URL's path and query against it. */
export async function startFileServer(): Promise<FileServer> {
  const ctx = { localStorage: new RunnerStorage(storageDir), config: { LOCAL_STORAGE_SIGNING_SECRET: process.env.LOCAL_STORAGE_SIGNING_SECRET ?? "dev-storage-secret" } } as unknown as RunnerContext;
  const server = http.createServer((req, res) => void getFile(req, res, ctx));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fetch: async (url) => {
      const u = new URL(url);
      return (await fetch(`${base}${u.pathname}${u.search}`)).status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
