// The global money audit: after a test phase, every wallet the phase touched must satisfy the
// credit rules (checks.ts). Runs as the last step of each phase of `npm test` (money.audit.test.ts).
import type { Firestore } from "firebase-admin/firestore";
import { reportTimeZone } from "../../functions/src/shared/isoWeek";
import { auditWallet } from "./checks";
import { pendingRefunds, readWallets } from "./read";

export interface AuditResult { wallets: number; entries: number; jobs: number; violations: string[] }

/** Waits (bounded) for refunds still on their way through the refund trigger, then checks every wallet. */
export async function moneyAudit(db: Firestore, opts: { settleMs?: number } = {}): Promise<AuditResult> {
  const deadline = Date.now() + (opts.settleMs ?? 60_000);
  while ((await pendingRefunds(db)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const wallets = await readWallets(db);
  const tz = reportTimeZone();
  return {
    wallets: wallets.length,
    entries: wallets.reduce((s, w) => s + w.entries.length, 0),
    jobs: wallets.reduce((s, w) => s + w.jobs.length, 0),
    violations: wallets.flatMap((w) => auditWallet(w, tz)),
  };
}
