// Where files live: a local folder in the emulator (served by the runner's /files route with
// HMAC-signed URLs) and Cloud Storage in production (V4 signed URLs). Same interface, so the
// request code never knows which one it talks to.
import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { getStorage } from "firebase-admin/storage";
import { config, type Config } from "../config";
import { adminApp } from "../shared/firestore";

export interface ObjectStorage {
  save(objectPath: string, bytes: Buffer, contentType: string): Promise<void>;
  remove(objectPath: string): Promise<void>;
  /** A URL that lets whoever holds it download the object until it expires. */
  signedUrl(objectPath: string, ttlSeconds: number, now?: Date): Promise<string>;
}

export function signLocalPath(secret: string, objectPath: string, expires: number): string {
  return createHmac("sha256", secret).update(`${objectPath}\n${expires}`).digest("hex");
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

export class LocalStorage implements ObjectStorage {
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

  async signedUrl(objectPath: string, ttlSeconds: number, now = new Date()): Promise<string> {
    const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
    const rel = safeRelative(objectPath);
    const encoded = rel.split("/").map(encodeURIComponent).join("/");
    return `${this.baseUrl}/${encoded}?expires=${expires}&sig=${signLocalPath(this.secret, rel, expires)}`;
  }
}

export class GcsStorage implements ObjectStorage {
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
  async signedUrl(objectPath: string, ttlSeconds: number, now = new Date()): Promise<string> {
    const [url] = await this.bucket().file(objectPath).getSignedUrl({ version: "v4", action: "read", expires: now.getTime() + ttlSeconds * 1000 });
    return url;
  }
}

export function storageFrom(cfg: Config): ObjectStorage {
  return cfg.STORAGE_BACKEND === "gcs"
    ? new GcsStorage(cfg.STORAGE_BUCKET)
    : new LocalStorage(cfg.LOCAL_STORAGE_DIR, cfg.LOCAL_STORAGE_SIGNING_SECRET, cfg.LOCAL_FILES_BASE_URL);
}

let instance: ObjectStorage | undefined;
export function storage(): ObjectStorage {
  instance ??= storageFrom(config());
  return instance;
}
