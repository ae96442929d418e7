// A generation request that loads a custom model's LoRA: the model must be the caller's (an
// admin acting for the user may use the user's), ready, and trained on the request's model.
import type { Firestore } from "firebase-admin/firestore";
import { ApiError, invalidArgument } from "../http/errors";

export interface LoraRef {
  path: string;
  sha256: string;
  strength: number;
}

export const DEFAULT_LORA_STRENGTH = 0.9;

export async function loraForRequest(db: Firestore, uid: string, customModelId: string, requestModel: string, strength: number): Promise<{ lora: LoraRef; triggerWord: string }> {
  const doc = await db.doc(`customModels/${customModelId}`).get();
  // Someone else's model reads exactly like a missing one.
  if (!doc.exists || doc.get("userId") !== uid) throw new ApiError("NOT_FOUND", `custom model '${customModelId}' not found`);
  const status = doc.get("status") as string;
  const lora = doc.get("lora") as { path?: string; sha256?: string } | null;
  if (status !== "ready" || !lora?.path || !lora.sha256) {
    throw new ApiError("FAILED_PRECONDITION", `custom model '${customModelId}' is '${status}'; only ready models can be used`, { status });
  }
  const base = doc.get("baseModel") as string;
  if (base !== requestModel) throw invalidArgument("model", `must be '${base}', the base model custom model '${customModelId}' was trained on`);
  return { lora: { path: lora.path, sha256: lora.sha256, strength }, triggerWord: doc.get("triggerWord") as string };
}

/** The prompt with the trigger word in it (as a whole word, any case), prepended when missing. */
export function withTriggerWord(prompt: string, word: string): string {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}($|[^A-Za-z0-9])`, "i").test(prompt) ? prompt : `${word} ${prompt}`;
}
