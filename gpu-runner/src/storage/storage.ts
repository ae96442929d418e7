/** Where inputs are read from and outputs are written to; paths follow docs/data-model.md. */
export interface Storage {
  readonly kind: "local" | "gcs";
  put(path: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Returns null when the object does not exist. */
  get(path: string): Promise<Buffer | null>;
  /** Deleting a missing object is not an error. */
  delete(path: string): Promise<void>;
}

export const loraPath = (uid: string, customModelId: string, sha256: string) => `loras/${uid}/${customModelId}/${sha256}.safetensors`;

export const outputPath = (uid: string, requestId: string, index: number, ext: string) =>
  `generations/${uid}/${requestId}/${index}.${ext}`;
export const thumbnailPath = (uid: string, requestId: string, index: number) =>
  `generations/${uid}/${requestId}/${index}.thumb.webp`;
