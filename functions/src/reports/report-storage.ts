// Where report artefacts (the chart) are stored: a local folder in the emulator (the Storage
// emulator cannot start offline), the Cloud Storage bucket in production. Deliberately minimal so
// it can later fold into a shared storage module.
import fs from "node:fs/promises";
import path from "node:path";
import { config, type Config } from "../config";

export interface BlobStore {
  put(objectPath: string, data: Buffer, contentType: string): Promise<void>;
}

export function localStore(rootDir: string): BlobStore {
  return {
    async put(objectPath, data) {
      const file = path.resolve(rootDir, objectPath);
      if (!file.startsWith(path.resolve(rootDir) + path.sep)) throw new Error(`object path escapes the storage root: ${objectPath}`);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Write-then-rename so a reader never sees half a PNG when a report is rerun.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(tmp, data);
      await fs.rename(tmp, file);
    },
  };
}

export function gcsStore(bucketName: string | undefined): BlobStore {
  return {
    async put(objectPath, data, contentType) {
      const { getStorage } = await import("firebase-admin/storage");
      const bucket = bucketName ? getStorage().bucket(bucketName) : getStorage().bucket();
      await bucket.file(objectPath).save(data, { contentType, resumable: false, metadata: { cacheControl: "private, max-age=300" } });
    },
  };
}

export function reportStore(cfg: Config = config()): BlobStore {
  return cfg.STORAGE_BACKEND === "local" ? localStore(cfg.LOCAL_STORAGE_DIR) : gcsStore(cfg.STORAGE_BUCKET);
}
