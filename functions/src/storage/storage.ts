// Where files live: a local folder in the emulator (served by the runner's /files route with
// HMAC-signed URLs) and Cloud Storage in production (V4 signed URLs). Same interface, so the
// request code never knows which one it talks to.
import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { getStorage } from "firebase-admin/storage";
import { config, type Config } from "../config";
import { adminApp } from "../shared/firestore";

/** A PUT the client makes itself: the URL plus the headers it must send exactly as signed. */
export interface SignedUpload {
  url: string;
  headers: Record<string, string>;
}

export interface ObjectStorage {
  save(objectPath: string, bytes: Buffer, contentType: string): Promise<void>;
  remove(objectPath: string): Promise<void>;
  /** The object's bytes, or null when there is none. */
  read(objectPath: string): Promise<Buffer | null>;
  /**
   * A URL that accepts one PUT of exactly `bytes` bytes of `contentType` to `objectPath` until it
   * expires, and only while the object does not exist yet (so it can be used once).
   */
  signedUploadUrl(objectPath: string, opts: { contentType: string; bytes: number; ttlSeconds: number }, now?: Date): Promise<SignedUpload>;
  /** A URL that lets whoever holds it download the object until it expires. */
  signedUrl(objectPath: string, ttlSeconds: number, now?: Date): Promise<string>;
}

export interface StoredObject {
  path: string;
  updatedAt: Date;
}

/** What deletion and retention need beyond ObjectStorage (data lifecycle, functions/src/lifecycle). */
export interface ManagedStorage extends ObjectStorage {
  /** Deletes every object whose path starts with `prefix` (which must end with '/'); a missing prefix is fine. */
  removePrefix(prefix: string): Promise<void>;
  /** One page of the objects under `prefix`, in path order, after `pageToken`. */
  list(prefix: string, opts: { maxResults: number; pageToken?: string }): Promise<{ items: StoredObject[]; nextPageToken: string | null }>;
}

function assertPrefix(prefix: string): string {
  const rel = safeRelative(prefix).replace(/\/+$/, "");
  // A prefix that is not a whole folder ("inputs/u1") would also match "inputs/u10/...".
  if (!prefix.endsWith("/") || rel === "." || rel === "") throw new Error(`unsafe prefix: ${prefix}`);
  return rel;
}

export function signLocalPath(secret: string, objectPath: string, expires: number): string {
  return createHmac("sha256", secret).update(`${objectPath}\n${expires}`).digest("hex");
}

/**
 * The local PUT route's signature (gpu-runner/src/http/routes/uploads.ts checks the same): method,
 * path, content type and exact length are bound in, and the "PUT" prefix keeps a download URL's
 * signature from ever authorising a write.
 */
export function signLocalUpload(secret: string, objectPath: string, contentType: string, bytes: number, expires: number): string {
  return createHmac("sha256", secret).update(`PUT\n${objectPath}\n${contentType}\n${bytes}\n${expires}`).digest("hex");
}

export function verifyLocalSignature(secret: string, objectPath: string, expires: number, sig: string, now = Date.now()): boolean {
  if (!Number.isInteger(expires) || expires * 1000 < now) return false;
  const want = Buffer.from(signLocalPath(secret, objectPath, expires), "hex");
  const got = Buffer.from(sig, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

function safeRelative(objectPath: string): string {
  const normal = path.posix.normalize(objectPath);
  if (normal.startsWith("/") || normal.startsWith("..") || normal.includes("\0")) throw new Error(`unsafe object path: ${objectPath}`);
  return normal;
}

export class LocalStorage implements ManagedStorage {
  constructor(private readonly root: string, private readonly secret: string, private readonly baseUrl: string) {}

  async save(objectPath: string, bytes: Buffer): Promise<void> {
    const file = path.join(this.root, safeRelative(objectPath));
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename: a reader never sees half a file when an object is rewritten.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  }

  async remove(objectPath: string): Promise<void> {
    await fs.rm(path.join(this.root, safeRelative(objectPath)), { force: true });
  }

  async removePrefix(prefix: string): Promise<void> {
    await fs.rm(path.join(this.root, assertPrefix(prefix)), { recursive: true, force: true });
  }

  async list(prefix: string, opts: { maxResults: number; pageToken?: string }) {
    const all = (await walk(path.join(this.root, assertPrefix(prefix)))).map((f) => path.relative(this.root, f).split(path.sep).join("/")).filter((p) => !p.endsWith(".tmp")).sort();
    const start = opts.pageToken ? all.findIndex((p) => p > opts.pageToken!) : 0;
    const page = start < 0 ? [] : all.slice(start, start + opts.maxResults);
    const items = await Promise.all(page.map(async (p) => ({ path: p, updatedAt: (await fs.stat(path.join(this.root, p))).mtime })));
    const more = start >= 0 && start + opts.maxResults < all.length;
    return { items, nextPageToken: more ? page[page.length - 1] : null };
  }

  async read(objectPath: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path.join(this.root, safeRelative(objectPath)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async signedUploadUrl(objectPath: string, opts: { contentType: string; bytes: number; ttlSeconds: number }, now = new Date()): Promise<SignedUpload> {
    const expires = Math.floor(now.getTime() / 1000) + opts.ttlSeconds;
    const rel = safeRelative(objectPath);
    const sig = signLocalUpload(this.secret, rel, opts.contentType, opts.bytes, expires);
    return { url: `${this.baseUrl}/${encodedPath(rel)}?expires=${expires}&bytes=${opts.bytes}&sig=${sig}`, headers: { "Content-Type": opts.contentType } };
  }

  async signedUrl(objectPath: string, ttlSeconds: number, now = new Date()): Promise<string> {
    const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
    const rel = safeRelative(objectPath);
    return `${this.baseUrl}/${encodedPath(rel)}?expires=${expires}&sig=${signLocalPath(this.secret, rel, expires)}`;
  }
}

async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [];
    throw e;
  });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : Promise.resolve([path.join(dir, e.name)]))));
  return nested.flat();
}

export class GcsStorage implements ManagedStorage {
  constructor(private readonly bucketName?: string) {}
  private bucket() {
    return getStorage(adminApp()).bucket(this.bucketName);
  }
  async save(objectPath: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.bucket().file(objectPath).save(bytes, { contentType, resumable: false });
  }
  async remove(objectPath: string): Promise<void> {
    await this.bucket().file(objectPath).delete({ ignoreNotFound: true });
  }
  async removePrefix(prefix: string): Promise<void> {
    await this.bucket().deleteFiles({ prefix: assertPrefix(prefix) + "/", force: true });
  }
  async list(prefix: string, opts: { maxResults: number; pageToken?: string }) {
    const [files, next] = await this.bucket().getFiles({ prefix: assertPrefix(prefix) + "/", maxResults: opts.maxResults, pageToken: opts.pageToken, autoPaginate: false });
    const items = files.map((f) => ({ path: f.name, updatedAt: new Date(String(f.metadata.updated ?? f.metadata.timeCreated)) }));
    return { items, nextPageToken: (next as { pageToken?: string } | null)?.pageToken ?? null };
  }
  async signedUrl(objectPath: string, ttlSeconds: number, now = new Date()): Promise<string> {
    const [url] = await this.bucket().file(objectPath).getSignedUrl({ version: "v4", action: "read", expires: now.getTime() + ttlSeconds * 1000 });
    return url;
  }
  async read(objectPath: string): Promise<Buffer | null> {
    try {
      const [bytes] = await this.bucket().file(objectPath).download();
      return bytes;
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return null;
      throw err;
    }
  }
  async signedUploadUrl(objectPath: string, opts: { contentType: string; bytes: number; ttlSeconds: number }, now = new Date()): Promise<SignedUpload> {
    // Signed extension headers must be sent as signed: the exact length, and "only if absent",
    // which makes the URL single-use (a second PUT answers 412).
    const headers = { "Content-Type": opts.contentType, "x-goog-content-length-range": `${opts.bytes},${opts.bytes}`, "x-goog-if-generation-match": "0" };
    const [url] = await this.bucket().file(objectPath).getSignedUrl({
      version: "v4", action: "write", expires: now.getTime() + opts.ttlSeconds * 1000, contentType: opts.contentType,
      extensionHeaders: { "x-goog-content-length-range": headers["x-goog-content-length-range"], "x-goog-if-generation-match": "0" },
    });
    return { url, headers };
  }
}

const encodedPath = (rel: string) => rel.split("/").map(encodeURIComponent).join("/");

export function storageFrom(cfg: Config): ManagedStorage {
  return cfg.STORAGE_BACKEND === "gcs"
    ? new GcsStorage(cfg.STORAGE_BUCKET)
    : new LocalStorage(cfg.LOCAL_STORAGE_DIR, cfg.LOCAL_STORAGE_SIGNING_SECRET, cfg.LOCAL_FILES_BASE_URL);
}

let instance: ManagedStorage | undefined;
export function storage(): ManagedStorage {
  instance ??= storageFrom(config());
  return instance;
}
