import fs from "node:fs/promises";
import path from "node:path";
import type { Storage } from "./storage";
import { isSafeStoragePath } from "./signed-url";

/** Dev storage: a folder on disk, served by the runner's signed `/files/*` route. */
export class LocalStorage implements Storage {
  readonly kind = "local" as const;
  constructor(readonly root: string) {}

  resolve(storagePath: string): string {
    if (!isSafeStoragePath(storagePath)) throw new Error(`unsafe storage path: ${storagePath}`);
    return path.join(this.root, ...storagePath.split("/"));
  }

  async put(storagePath: string, bytes: Buffer, _contentType?: string): Promise<void> {
    const file = this.resolve(storagePath);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename so a reader never sees a half-written image.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  }

  async get(storagePath: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.resolve(storagePath));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  /** Like a bucket, where a "folder" is gone with its last object: emptied parent folders go too. */
  async delete(storagePath: string): Promise<void> {
    const file = this.resolve(storagePath);
    await fs.rm(file, { force: true });
    const root = path.resolve(this.root);
    for (let dir = path.dirname(file); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
      try {
        await fs.rmdir(dir);
      } catch {
        return; // not empty (or already gone): the folders above it are not empty either
      }
    }
  }
}
