import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { errors } from "../errors";
import type { Storage } from "../storage";
import type { EvictionList } from "./lora-evictions.repo";

// LoRA files for generation live in ComfyUI's models/loras folder (ComfyUI has no upload route
// for them; the runner shares the folder), under imagegen/<sha256>.safetensors: keyed by
// content, so two models never collide and a file is fetched once per host. The folder is
// bounded in bytes (the least recently used files go first) and in age (a file unused for
// LORA_CACHE_MAX_AGE_HOURS goes), and a LoRA on the eviction list (a deleted model's, see
// lora-evictions.repo.ts) is never served from it: checked before each use and on every trim.

export const LORA_SUBFOLDER = "imagegen";
const SHA256 = /^[0-9a-f]{64}$/;

export interface CachedFile { name: string; bytes: number; usedAt: number }

/**
 * Pure: which files to delete: those of evicted models and those unused since `usedBefore`, then
 * the least recently used until the rest fit in `maxBytes`; never `keep` (the file about to be used).
 */
export function chooseEvictions(files: CachedFile[], maxBytes: number, keep: string | null, drop: { evicted?: Set<string>; usedBefore?: number } = {}): string[] {
  const gone = (f: CachedFile) => f.name !== keep && (drop.evicted?.has(hashOf(f.name)) || f.usedAt < (drop.usedBefore ?? -Infinity));
  const out = files.filter(gone).map((f) => f.name);
  const rest = files.filter((f) => !gone(f));
  let total = rest.reduce((n, f) => n + f.bytes, 0);
  for (const f of [...rest].sort((a, b) => a.usedAt - b.usedAt)) {
    if (total <= maxBytes) break;
    if (f.name === keep) continue;
    out.push(f.name);
    total -= f.bytes;
  }
  return out;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const hashOf = (name: string) => name.replace(/\.safetensors$/, "");

export interface LoraCacheLimits {
  maxBytes: number;
  /** A file unused this long is deleted at the next trim. */
  maxAgeMs: number;
  /** Deleted models' LoRAs; none when omitted (tests of the byte bound alone). */
  evictions?: EvictionList;
}

export class LoraCache {
  private readonly maxBytes: number;
  constructor(readonly dir: string, private readonly limits: LoraCacheLimits) {
    this.maxBytes = limits.maxBytes;
  }

  private file(hash: string): string {
    if (!SHA256.test(hash)) throw errors.loraUnavailable(`not a sha256: ${JSON.stringify(hash)}`);
    return path.join(this.dir, LORA_SUBFOLDER, `${hash}.safetensors`);
  }

  /** The `lora_name` ComfyUI knows the file by, after making sure it is there with the right bytes. */
  async ensure(storage: Storage, lora: { path: string; sha256: string }): Promise<string> {
    const file = this.file(lora.sha256);
    const name = `${LORA_SUBFOLDER}/${lora.sha256}.safetensors`;
    // A deleted model's copy is never served; storage decides (a deleted model's file is gone there).
    if ((await this.evictedOf([lora.sha256])).size) await this.evict(lora.sha256);
    const cached = await fs.readFile(file).catch(() => null);
    if (cached && sha256(cached) === lora.sha256) {
      const now = new Date();
      await fs.utimes(file, now, now).catch(() => undefined);
      // The next trim retries a failed one; a cache hit must not fail the job over it.
      await this.trim(path.basename(file)).catch(() => []);
      return name;
    }
    const bytes = await storage.get(lora.path).catch((e) => { throw errors.storageUnavailable(e); });
    if (!bytes) throw errors.loraUnavailable(`LoRA not found in storage: ${lora.path}`);
    if (sha256(bytes) !== lora.sha256) throw errors.loraUnavailable(`LoRA ${lora.path} does not match its sha256`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename: ComfyUI must never list a half-written file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
    await this.trim(path.basename(file));
    return name;
  }

  /** Deletes the cached copy of one LoRA; returns how many files went (0 or 1). */
  async evict(hash: string): Promise<number> {
    try {
      await fs.unlink(this.file(hash));
      return 1;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw e;
    }
  }

  /** Applies the three bounds (evicted, age, bytes); `keep` is the file a job is about to use. Also run on a timer (app.ts). */
  async trim(keep: string | null = null, nowMs = Date.now()): Promise<string[]> {
    const dir = path.join(this.dir, LORA_SUBFOLDER);
    const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".safetensors"));
    const files = (await Promise.all(names.map(async (name) => {
      const st = await fs.stat(path.join(dir, name)).catch(() => null);
      return st ? [{ name, bytes: st.size, usedAt: st.mtimeMs }] : [];
    }))).flat();
    const evicted = await this.evictedOf(files.map((f) => hashOf(f.name)).filter((h) => SHA256.test(h)));
    const gone = chooseEvictions(files, this.maxBytes, keep, { evicted, usedBefore: nowMs - this.limits.maxAgeMs });
    for (const name of gone) await fs.rm(path.join(dir, name), { force: true });
    return gone;
  }

  private evictedOf(hashes: string[]): Promise<Set<string>> {
    return this.limits.evictions?.evicted(hashes).catch((e) => {
      throw errors.storageUnavailable(e);
    }) ?? Promise.resolve(new Set());
  }
}
