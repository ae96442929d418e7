// getUsage's reads: one counter document per day of the range, fetched by id in one call.
import type { Firestore } from "firebase-admin/firestore";
import type { WalletRef } from "../ledger/walletRef";
import { usageDailyPath } from "../ledger/usage";
import type { DailyDoc } from "./rows";

export async function readDailyUsage(db: Firestore, wallet: WalletRef, days: readonly string[]): Promise<Map<string, DailyDoc>> {
  const out = new Map<string, DailyDoc>();
  if (!days.length) return out;
  const snaps = await db.getAll(...days.map((d) => db.doc(usageDailyPath(wallet, d))));
  snaps.forEach((s, i) => {
    if (s.exists) out.set(days[i], s.data() as DailyDoc);
  });
  return out;
}
