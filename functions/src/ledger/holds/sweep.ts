// The sweeper's part: holds past their expiry go back to their wallets. The owner stops spending
// before expiry (holdCommit.ts) and every spend is guarded by the hold document's update time, so
// a release racing a late spend makes one of the two fail cleanly; an instance that died with a
// hold open has its credits back one expiry later.
import type { Firestore } from "firebase-admin/firestore";
import { log } from "../../shared/log";
import type { WalletRef, WalletKind } from "../walletRef";
import { holdsPath, releaseHold } from "./store";

export interface HoldSweep { released: number; returned: number; forfeited: number }

const walletOfHold = (path: string): WalletRef => {
  const [collection, id] = path.split("/");
  return { kind: (collection === "orgs" ? "org" : "user") as WalletKind, id };
};

/** Releases expired holds: of the given wallets (tests), or of every wallet (the scheduled sweep). */
export async function sweepExpiredHolds(db: Firestore, now: Date, opts: { limit: number; wallets?: WalletRef[] }): Promise<HoldSweep> {
  const queries = opts.wallets
    ? opts.wallets.map((w) => db.collection(holdsPath(w)).where("expiresAt", "<=", now).limit(opts.limit))
    : [db.collectionGroup("holds").where("expiresAt", "<=", now).limit(opts.limit)];
  const due = (await Promise.all(queries.map((q) => q.get()))).flatMap((s) => s.docs);
  const summary: HoldSweep = { released: 0, returned: 0, forfeited: 0 };
  for (const d of due) {
    const r = await releaseHold(db, walletOfHold(d.ref.path), d.id, { actor: "system:hold-sweep", reason: "hold expired", now });
    if (!r) continue;
    summary.released++;
    summary.returned += r.returned;
    summary.forfeited += r.forfeited;
  }
  if (summary.released) log.info("hold sweep", { ...summary });
  return summary;
}
