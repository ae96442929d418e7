import { createHash, randomBytes, randomInt } from "node:crypto";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A retried create with the same key maps to the same document, so it can never charge twice. */
export const customModelIdFor = (uid: string, idempotencyKey: string) => `cm_${sha256(`cm\u0000${uid}\u0000${idempotencyKey}`).slice(0, 32)}`;
export const newCustomModelId = () => `cm_${randomBytes(16).toString("hex")}`;

/** A rare token the base model has no meaning for ("ohwx" is the customary prefix), so the LoRA owns it. */
export function generatedTriggerWord(): string {
  let tail = "";
  for (let i = 0; i < 4; i++) tail += String.fromCharCode(97 + randomInt(0, 26));
  return `ohwx${tail}`;
}

/**
 * Storage paths of the custom-model contract (docs/custom-models.md): named by content inside the
 * model's folder, so every call with one idempotency key writes the same bytes to the same name
 * (or other bytes to another name), and none can overwrite or delete what the winner points at.
 */
export const trainingPhotoPath = (uid: string, customModelId: string, sha256: string, ext: string) =>
  `training/${uid}/${customModelId}/${sha256}.${ext}`;

export const EXT_OF_FORMAT: Record<string, string> = { jpeg: "jpg", png: "png", webp: "webp" };
export const CONTENT_TYPE_OF_FORMAT: Record<string, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };
