// Reads what the money audit checks from the emulator: every wallet (a document with `credits`,
// a `ledger` and a `grants` subcollection), the paid jobs and the weekly and daily usage counters.
// An organisation's wallet (orgs/{orgId}) is the same shape; its jobs and counters name it by `orgId`.
import type { DocumentSnapshot, Firestore, Timestamp } from "firebase-admin/firestore";
import type { AuditEntry, AuditGrantDoc, AuditJob, AuditUsage, AuditWallet } from "./checks";
import { REFUNDABLE } from "./checks";
import type { AuditHold } from "./holds";

/** Wallet collections, and which field of a job or a usage counter names the wallet's owner. */
export const WALLETS = [
  { collection: "users", jobOwner: "userId", usageOwner: "uid", usage: { weekly: "usageWeekly", daily: "usageDaily" } },
  { collection: "orgs", jobOwner: "orgId", usageOwner: "orgId", usage: { weekly: "orgUsageWeekly", daily: "orgUsageDaily" } },
] as const;
export const JOB_COLLECTIONS = ["generationRequests", "customModels"] as const;

/**
 * Owners whose documents tests write by hand, deliberately without the money that goes with them;
 * the audit skips them (and only them), for the reason given.
 */
export const EXCLUDED_OWNERS: { prefix: string; reason: string }[] = [
  { prefix: "runner_user_", reason: "gpu-runner/test/harness.ts queues requests with no debit: runner-only tests, no wallet" },
  { prefix: "train_user_", reason: "gpu-runner/test/training-harness.ts queues custom models with no debit: runner-only tests, no wallet" },
  { prefix: "jobs_user", reason: "gpu-runner/test/jobs.emulator.test.ts writes requests with no debit: runner-only tests, no wallet" },
  { prefix: "tzb_", reason: "functions/test/reports/weekly-report.emulator.test.ts seeds one user as a Europe/Berlin deployment would: its usage counters are keyed by Berlin weeks, the audit reads them in the run's zone" },
  { prefix: "rules_", reason: "functions/test/rules/firestore.rules.emulator.test.ts writes fixtures with rules disabled to test reads, not money" },
];

export const excluded = (owner: string) => EXCLUDED_OWNERS.some((x) => owner.startsWith(x.prefix));

const ms = (v: unknown): number | null => (v == null ? null : typeof (v as Timestamp).toMillis === "function" ? (v as Timestamp).toMillis() : v instanceof Date ? v.getTime() : null);
const us = (t: Timestamp | undefined) => (t ? t.seconds * 1_000_000 + Math.floor(t.nanoseconds / 1000) : 0);
const num = (v: unknown) => (typeof v === "number" ? v : 0);

async function pooled<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i]); }
  }));
  return out;
}

function entryOf(d: DocumentSnapshot): AuditEntry {
  const x = d.data() ?? {};
  return {
    id: d.id, type: String(x.type), amount: num(x.amount), balanceAfter: x.balanceAfter, draws: x.draws, grantId: x.grantId,
    requestId: x.requestId, excessGrantId: x.excessGrantId, holdId: x.holdId, forfeited: x.forfeited, createdAtMs: ms(x.createdAt) ?? 0, commitUs: us(d.createTime),
  };
}

function holdOf(d: DocumentSnapshot): AuditHold {
  const x = d.data() ?? {};
  return { id: d.id, reserved: num(x.reserved), spent: num(x.spent), unspent: num(x.unspent), state: String(x.state), returned: x.returned, forfeited: x.forfeited };
}

function grantOf(d: DocumentSnapshot): AuditGrantDoc {
  const x = d.data() ?? {};
  return { id: d.id, amount: x.amount, remaining: x.remaining, drawn: x.drawn, givenBack: x.givenBack, expired: x.expired, origin: x.origin };
}

/** Every paid job, by owner. */
async function readJobs(db: Firestore, owner: string): Promise<Map<string, AuditJob[]>> {
  const byOwner = new Map<string, AuditJob[]>();
  for (const collection of JOB_COLLECTIONS) {
    const snap = await db.collection(collection).select(owner, "orgId", "status", "cost", "refunded", "createdAt").get();
    for (const d of snap.docs) {
      const uid = d.get(owner);
      if (typeof uid !== "string") continue;
      // A member's create for an organisation charged the organisation, not the member.
      if (owner === "userId" && typeof d.get("orgId") === "string") continue;
      const job = { collection, id: d.id, status: String(d.get("status")), cost: num(d.get("cost")), refunded: d.get("refunded") === true, createdAtMs: ms(d.get("createdAt")) };
      byOwner.set(uid, [...(byOwner.get(uid) ?? []), job]);
    }
  }
  return byOwner;
}

async function readUsage(db: Firestore, collections: { weekly: string; daily: string }, owner: string): Promise<Map<string, AuditUsage[]>> {
  const byOwner = new Map<string, AuditUsage[]>();
  for (const [collection, period] of [[collections.weekly, "week"], [collections.daily, "day"]] as const) {
    for (const d of (await db.collection(collection).get()).docs) {
      const uid = d.get(owner);
      if (typeof uid !== "string") continue;
      byOwner.set(uid, [...(byOwner.get(uid) ?? []), { [period]: String(d.get(period)), creditsDebited: num(d.get("creditsDebited")), creditsRefunded: num(d.get("creditsRefunded")) }]);
    }
  }
  return byOwner;
}

/** Paid jobs ended failed/cancelled whose refund has not landed yet (the refund trigger may still be running). */
export async function pendingRefunds(db: Firestore): Promise<string[]> {
  const out: string[] = [];
  for (const collection of JOB_COLLECTIONS) {
    const snap = await db.collection(collection).where("status", "in", [...REFUNDABLE]).where("refunded", "==", false).get();
    for (const d of snap.docs) if (num(d.get("cost")) > 0 && !excluded(String(d.get("userId")))) out.push(`${collection}/${d.id}`);
  }
  return out;
}

async function walletDocs(db: Firestore, path: string, jobs: AuditJob[], usage: AuditUsage[]): Promise<AuditWallet> {
  const ref = db.doc(path);
  const [doc, ledger, grants, holds] = await Promise.all([ref.get(), ref.collection("ledger").get(), ref.collection("grants").get(), ref.collection("holds").get()]);
  const grantList = doc.get("grants");
  return {
    path: ref.path, exists: doc.exists, credits: num(doc.get("credits")), debt: num(doc.get("debt")),
    grants: Array.isArray(grantList) ? grantList.map((g: { id: string; remaining: number }) => ({ id: g.id, remaining: g.remaining })) : null,
    entries: ledger.docs.map(entryOf), grantDocs: grants.docs.map(grantOf), jobs, usage, holds: holds.docs.map(holdOf),
  };
}

/** One user's wallet with what the checks need (a test's own: no scan of every wallet). */
export async function readUserWallet(db: Firestore, uid: string): Promise<AuditWallet> {
  const jobs = await Promise.all(JOB_COLLECTIONS.map(async (collection) => (await db.collection(collection).where("userId", "==", uid).get()).docs
    .filter((d) => typeof d.get("orgId") !== "string")
    .map((d) => ({ collection, id: d.id, status: String(d.get("status")), cost: num(d.get("cost")), refunded: d.get("refunded") === true, createdAtMs: ms(d.get("createdAt")) }))));
  const usage = (await Promise.all(([["usageWeekly", "week"], ["usageDaily", "day"]] as const).map(async ([collection, period]) =>
    (await db.collection(collection).where("uid", "==", uid).get()).docs.map((d) => ({ [period]: String(d.get(period)), creditsDebited: num(d.get("creditsDebited")), creditsRefunded: num(d.get("creditsRefunded")) }))))).flat();
  return walletDocs(db, `users/${uid}`, jobs.flat(), usage);
}

/** Every wallet with what the checks need; owners of jobs or counters with no wallet come too, as wallets that do not exist. */
export async function readWallets(db: Firestore): Promise<AuditWallet[]> {
  const out: AuditWallet[] = [];
  for (const kind of WALLETS) {
    const [refs, jobs, usage] = await Promise.all([db.collection(kind.collection).listDocuments(), readJobs(db, kind.jobOwner), readUsage(db, kind.usage, kind.usageOwner)]);
    const owners = [...new Set([...refs.map((r) => r.id), ...jobs.keys(), ...usage.keys()])].filter((id) => !excluded(id));
    out.push(...await pooled(owners, 16, (id) => walletDocs(db, `${kind.collection}/${id}`, jobs.get(id) ?? [], usage.get(id) ?? [])));
  }
  return out;
}
