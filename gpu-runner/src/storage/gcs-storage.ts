import type { App } from "firebase-admin/app";
import { getStorage } from "firebase-admin/storage";
import type { Storage } from "./storage";

/** Production storage: one Cloud Storage bucket; owners download through V4 signed URLs made by functions. */
export class GcsStorage implements Storage {
  readonly kind = "gcs" as const;
  constructor(private readonly app: App, private readonly bucketName: string) {}

  private file(path: string) {
    return getStorage(this.app).bucket(this.bucketName).file(path);
  }

  async put(path: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.file(path).save(bytes, { contentType, resumable: false, metadata: { cacheControl: "private, max-age=31536000" } });
  }

  async get(path: string): Promise<Buffer | null> {
    try {
      const [bytes] = await this.file(path).download();
      return bytes;
    } catch (e) {
      if ((e as { code?: number }).code === 404) return null;
      throw e;
    }
  }

  async delete(path: string): Promise<void> {
    await this.file(path).delete({ ignoreNotFound: true });
  }
}
