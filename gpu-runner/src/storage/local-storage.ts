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

  async delete(storagePath: string): Promise<void> {
    await fs.rm(this.resolve(storagePath), { force: true });
  }
}
