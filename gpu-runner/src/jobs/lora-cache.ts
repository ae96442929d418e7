import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { errors } from "../errors";
import type { Storage } from "../storage";

// LoRA files for generation live in ComfyUI's models/loras folder (ComfyUI has no upload route
// for them; the runner shares the folder), under imagegen/<sha256>.safetensors: keyed by
// content, so two models never collide and a file is fetched once per host. The folder is
// bounded in bytes; the least recently used files go first.

export const LORA_SUBFOLDER = "imagegen";
const SHA256 = /^[0-9a-f]{64}$/;

export interface CachedFile { name: string; bytes: number; usedAt: number }

/** Pure: which files to delete so the rest fit in `maxBytes`, oldest use first, never `keep`. */
export function chooseEvictions(files: CachedFile[], maxBytes: number, keep: string): string[] {
  let total = files.reduce((n, f) => n + f.bytes, 0);
  const out: string[] = [];
  for (const f of [...files].sort((a, b) => a.usedAt - b.usedAt)) {
    if (total <= maxBytes) break;
    if (f.name === keep) continue;
    out.push(f.name);
    total -= f.bytes;
  }
  return out;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export class LoraCache {
  constructor(readonly dir: string, private readonly maxBytes: number) {}

  private file(hash: string): string {
    if (!SHA256.test(hash)) throw errors.loraUnavailable(`not a sha256: ${JSON.stringify(hash)}`);
    return path.join(this.dir, LORA_SUBFOLDER, `${hash}.safetensors`);
  }

  /** The `lora_name` ComfyUI knows the file by, after making sure it is there with the right bytes. */
  async ensure(storage: Storage, lora: { path: string; sha256: string }): Promise<string> {
    const file = this.file(lora.sha256);
    const name = `${LORA_SUBFOLDER}/${lora.sha256}.safetensors`;
    const cached = await fs.readFile(file).catch(() => null);
    if (cached && sha256(cached) === lora.sha256) {
      const now = new Date();
      await fs.utimes(file, now, now).catch(() => undefined);
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

  private async trim(keep: string): Promise<void> {
    const dir = path.join(this.dir, LORA_SUBFOLDER);
    const names = (await fs.readdir(dir)).filter((n) => n.endsWith(".safetensors"));
    const files = await Promise.all(names.map(async (name) => {
      const st = await fs.stat(path.join(dir, name));
      return { name, bytes: st.size, usedAt: st.mtimeMs };
    }));
    for (const name of chooseEvictions(files, this.maxBytes, keep)) await fs.rm(path.join(dir, name), { force: true });
  }
}
