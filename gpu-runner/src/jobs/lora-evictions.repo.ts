// The LoRAs of deleted custom models, by sha256: evictedLoras/{sha256}, written by the functions
// in the same transaction that tombstones the model (functions/src/models/delete.ts). The evict
// task reaches one runner instance; this list reaches all of them: a runner checks it before it
// serves a cached copy and whenever it trims its cache.
import type { Firestore } from "firebase-admin/firestore";

export const EVICTED_LORAS = "evictedLoras";

export interface EvictionList {
  /** Which of `hashes` belong to deleted models. */
  evicted(hashes: string[]): Promise<Set<string>>;
}

export function firestoreEvictions(db: Firestore): EvictionList {
  return {
    async evicted(hashes) {
      if (!hashes.length) return new Set();
      const snaps = await db.getAll(...hashes.map((h) => db.doc(`${EVICTED_LORAS}/${h}`)));
      return new Set(snaps.filter((s) => s.exists).map((s) => s.id));
    },
  };
}
