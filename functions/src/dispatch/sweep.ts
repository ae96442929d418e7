// The stuck-job sweeper: three indexed, limited queries find candidates; planSweep decides;
// re-dispatches go through dispatchRequest, endings through one transaction that sets `failed`
// and refunds via the ledger's one refund path (readForRefund/writeRefund), re-checking the plan
// on the fresh document so a runner that claimed the job meanwhile wins.
import type { DocumentSnapshot, Firestore, Query } from "firebase-admin/firestore";
import { endJobAndRefund, refundIfOwed } from "../ledger/refund";
import { errorFields, log } from "../shared/log";
import { dispatchRequest, type DispatcherSource } from "./dispatch";
import { GENERATE, type JobKind } from "./jobKinds";
import { planSweep, sweepFacts, type SweepAction, type SweepLimits } from "./sweepPlan";

export interface SweepOptions {
  /** Resolved only for re-dispatches: ending and refunding never depend on it. */
  dispatcher: DispatcherSource;
  limits: SweepLimits;
  /** Documents per query per run, so one run's work stays bounded however much is stuck. */
  batchLimit: number;
  now?: Date;
  /** Which jobs: generation requests (default) or training runs (custom models). */
  kind?: JobKind;
  /**
   * Only jobs of these users. Production sweeps every job; a test scopes its sweep to its own
   * users, so a sweep in one test file never ends another file's jobs when jest runs files in parallel.
   */
  userIds?: readonly string[];
}

export interface SweepSummary {
  scanned: number;
  dispatched: string[];
  failed: string[];
  /** Failed or cancelled requests whose refund the trigger never wrote, refunded now. */
  refunded: string[];
  errors: string[];
}

const PARALLEL = 8;

export async function sweepStuckRequests(db: Firestore, opts: SweepOptions): Promise<SweepSummary> {
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const kind = opts.kind ?? GENERATE;
  const col = db.collection(kind.collection);
  const before = (ms: number) => new Date(nowMs - ms);
  const queries: Query[] = [
    col.where("status", "==", "queued").where("dispatch.state", "==", "pending").where("dispatch.updatedAt", "<=", before(opts.limits.pendingAfterMs)).orderBy("dispatch.updatedAt"),
    col.where("status", "==", "queued").where("dispatch.state", "==", "enqueued")
      .where("dispatch.updatedAt", "<=", before(Math.min(opts.limits.enqueuedStaleMs, opts.limits.queuedDeadlineMs))).orderBy("dispatch.updatedAt"),
    col.where("status", "==", kind.runningStatus).where("lease.expiresAt", "<=", before(opts.limits.leaseGraceMs)).orderBy("lease.expiresAt"),
  ];
  const snaps = await Promise.all(queries.map((q) => candidates(q.limit(opts.batchLimit))));
  const mine = scopeOf(opts);
  const docs = new Map<string, DocumentSnapshot>();
  for (const s of snaps) for (const d of s.docs) if (mine(d)) docs.set(d.id, d);
  const actions = [...docs.values()].map((d) => planSweep(factsOf(kind, d.id, d.data() ?? {}), nowMs, opts.limits));

  const summary: SweepSummary = { scanned: docs.size, dispatched: [], failed: [], refunded: [], errors: [] };
  const todo = actions.filter((a) => a.kind !== "none");
  await inBatches(todo, (a) => apply(db, a, opts, nowMs, summary));
  await reconcileRefunds(db, kind, opts.batchLimit, summary, mine);
  log.info("sweep done", { kind: kind.name, scanned: summary.scanned, dispatched: summary.dispatched.length, failed: summary.failed.length, refunded: summary.refunded.length, errors: summary.errors.length });
  return summary;
}

/**
 * One candidate query; a failure (a lock timeout while documents are busy) skips that query for
 * this run instead of the whole sweep: the others still end and refund, and the next run retries.
 */
async function candidates(q: Query): Promise<{ docs: DocumentSnapshot[] }> {
  try {
    return await q.get();
  } catch (err) {
    log.warn("sweep query failed; skipped until the next run", errorFields(err));
    return { docs: [] };
  }
}

function scopeOf(opts: SweepOptions): (d: DocumentSnapshot) => boolean {
  if (!opts.userIds) return () => true;
  const users = new Set(opts.userIds);
  return (d) => users.has(d.get("userId"));
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(fn));
}

/**
 * The refund trigger's backstop: a failed or cancelled request still marked unrefunded (the
 * trigger was dropped, exhausted its retries, or the status was written by hand) is refunded
 * through the one refund path, which re-checks everything inside its transaction. Only jobs that
 * cost something: a free one is never refunded, so it would stay `refunded: false` for ever and,
 * unfiltered, fill every page of this query ahead of refunds that are owed.
 */
async function reconcileRefunds(db: Firestore, kind: JobKind, limit: number, summary: SweepSummary, mine: (d: DocumentSnapshot) => boolean): Promise<void> {
  const owed = await candidates(db.collection(kind.collection).where("status", "in", ["failed", "cancelled"]).where("refunded", "==", false).where("cost", ">", 0).limit(limit));
  await inBatches(owed.docs.filter(mine), async (d) => {
    try {
      const decision = await refundIfOwed(db, d.id, "system:sweeper", kind);
      if (decision.action === "refund" || decision.action === "mark-only") summary.refunded.push(d.id);
    } catch (err) {
      log.error("sweep refund failed", { requestId: d.id, ...errorFields(err) });
      summary.errors.push(d.id);
    }
  });
}

async function apply(db: Firestore, a: SweepAction, opts: SweepOptions, nowMs: number, summary: SweepSummary): Promise<void> {
  try {
    if (a.kind === "dispatch") {
      if (await dispatchRequest(db, a.id, a.n, opts.dispatcher, opts.kind ?? GENERATE)) summary.dispatched.push(a.id);
      else summary.errors.push(a.id);
    } else if (a.kind === "fail") {
      if (await failAndRefund(db, opts.kind ?? GENERATE, a.id, opts.limits, nowMs, opts.now)) summary.failed.push(a.id);
    }
  } catch (err) {
    log.error("sweep action failed", { requestId: a.id, action: a.kind, ...errorFields(err) });
    summary.errors.push(a.id);
  }
}

/** Ends the request failed and refunds it, in one transaction, if the plan still says so. */
async function failAndRefund(db: Firestore, kind: JobKind, id: string, limits: SweepLimits, nowMs: number, at?: Date): Promise<boolean> {
  let code: string | undefined;
  const ended = await endJobAndRefund(db, kind, id, "system:sweeper", (job) => {
    const plan = planSweep(factsOf(kind, id, job.data() ?? {}), nowMs, limits);
    if (plan.kind !== "fail") return null;
    code = plan.code;
    return { status: "failed", error: { code: plan.code, message: plan.message } };
  }, at);
  if (ended) log.warn("sweep ended job", { kind: kind.name, jobId: id, code });
  return ended;
}

/** The plan speaks of `running`; a training run's claimed status is `training`. */
function factsOf(kind: JobKind, id: string, d: Record<string, unknown>) {
  return sweepFacts(id, d.status === kind.runningStatus ? { ...d, status: "running" } : d);
}
