// One hold keeper per Firestore client (an instance, as the group committer is), when holds are on
// (HOLD_HOT_CREATES_PER_SECOND > 0). On SIGTERM (Cloud Run's shutdown notice) every keeper returns
// its holds; an instance that dies without it has them returned by the sweeper after expiry.
import type { Firestore } from "firebase-admin/firestore";
import { config } from "../../config";
import { HoldKeeper } from "./keeper";
import { DEFAULT_SIZING } from "./sizing";

const keepers = new WeakMap<Firestore, HoldKeeper>();
const live = new Set<HoldKeeper>();
let hooked = false;

export function keeperFor(db: Firestore): HoldKeeper | undefined {
  const hot = config().HOLD_HOT_CREATES_PER_SECOND;
  if (!hot) return undefined;
  let keeper = keepers.get(db);
  if (!keeper) {
    const ttlMs = config().HOLD_SECONDS * 1000;
    keeper = new HoldKeeper(db, { policy: { ...DEFAULT_SIZING, hotCreates: hot }, ttlMs, marginMs: Math.min(5_000, ttlMs / 4), idleMs: 2_000 });
    keepers.set(db, keeper);
    live.add(keeper);
  }
  if (!hooked) {
    hooked = true;
    // A SIGTERM listener replaces Node's default exit, so the process exits once the holds are back
    // (Cloud Run's SIGKILL follows 10 s later anyway).
    process.once("SIGTERM", () => void Promise.all([...live].map((k) => k.releaseAll())).finally(() => process.exit(143)));
  }
  return keeper;
}
