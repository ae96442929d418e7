// Writes planned history (plan.ts) through the production paths, each with its clock set to the
// planned time: grantCredits for grants; prepareCreate + commitCreates (the create's own validation,
// pricing and group commit, which writes the request, the debit, the wallet and the usage counter);
// the runner's claimJob/completeJob for a run; cancelRequest for a cancel; and for a failure the
// runner's claim left to expire, ended and refunded by sweepStuckRequests scoped to the user.
// Each user's events run in time order (the rate window and the balance follow them); users run
// side by side.
import type { Firestore } from "firebase-admin/firestore";
import type { Caller } from "../../functions/src/auth/caller";
import { config } from "../../functions/src/config";
import { RecordingDispatcher } from "../../functions/src/dispatch/dispatcher";
import { sweepStuckRequests } from "../../functions/src/dispatch/sweep";
import type { SweepLimits } from "../../functions/src/dispatch/sweepPlan";
import { grantCredits } from "../../functions/src/ledger/grant";
import { cancelRequest } from "../../functions/src/requests/cancel";
import { prepareCreate } from "../../functions/src/requests/create";
import { commitCreates } from "../../functions/src/requests/optimisticCommit";
import { GENERATE } from "../../functions/src/dispatch/jobKinds";
import { claimJob, completeJob } from "../../gpu-runner/src/jobs/job.repo";
import type { SeedGrant, SeedRequest } from "./plan";

/** A failing attempt's lease: the sweeper ends the job this long after its claim. */
const FAIL_LEASE_MS = 60_000;
/** A job left running keeps its lease past any sweep of this history. */
const RUNNING_LEASE_MS = 100 * 365 * 86_400_000;
const CENTURY = RUNNING_LEASE_MS;
/** Only an expired lease after its one attempt is acted on: the job ends MAX_ATTEMPTS_EXCEEDED. */
const FAIL_EXPIRED: SweepLimits = { pendingAfterMs: CENTURY, enqueuedStaleMs: CENTURY, queuedDeadlineMs: CENTURY, leaseGraceMs: 0, maxRedispatches: 0, maxAttempts: 1 };
const OWNER = "seed-history-runner";

type Event = { at: number; grant: SeedGrant } | { at: number; request: SeedRequest };

export async function seedHistory(db: Firestore, requests: SeedRequest[], grants: SeedGrant[] = []): Promise<void> {
  const byUser = new Map<string, Event[]>();
  const add = (uid: string, e: Event) => byUser.set(uid, [...(byUser.get(uid) ?? []), e]);
  for (const g of grants) add(g.userId, { at: g.createdAt.getTime(), grant: g });
  for (const r of requests) add(r.userId, { at: r.createdAt.getTime(), request: r });
  await Promise.all([...byUser.values()].map(async (events) => {
    // A grant at the same instant as a create lands first, so the create can pay.
    events.sort((a, b) => a.at - b.at || ("grant" in a ? -1 : 0) - ("grant" in b ? -1 : 0));
    for (const e of events) await ("grant" in e ? seedGrant(db, e.grant) : seedRequest(db, e.request));
  }));
}

async function seedGrant(db: Firestore, g: SeedGrant): Promise<void> {
  const auditActor = { uid: "system:seed", role: "system", via: "cli" } as const;
  await grantCredits(db, { userId: g.userId, amount: g.amount, reason: "seeded history", idempotencyKey: `seeded-grant-${g.week}-${g.amount}`, actor: "system:seed", auditActor }, async () => true, () => g.createdAt);
}

async function seedRequest(db: Firestore, r: SeedRequest): Promise<void> {
  const t = r.createdAt.getTime();
  const caller: Caller = { uid: r.userId, role: "user", via: "id-token" };
  const body = { model: r.model, style: r.style, color: "vibrant", size: "512x512", prompt: "seeded history", numImages: r.numImages, seed: 1, idempotencyKey: r.id };
  const item = await prepareCreate(db, caller, body);
  if (item.cost !== r.cost) throw new Error(`seed ${r.id}: planned cost ${r.cost}, the catalog charges ${item.cost}`);
  const [outcome] = await commitCreates(db, r.userId, [item], { defaultPerMinute: config().MAX_CREATES_PER_MINUTE, now: () => new Date(t) });
  if (outcome.kind === "refused") throw outcome.error;
  const id = item.requestId;
  if (r.status === "cancelled") {
    await cancelRequest(db, caller, id, GENERATE, () => new Date(t + 60_000));
    return;
  }
  const claim = await claimJob(db, id, OWNER, r.status === "running" ? RUNNING_LEASE_MS : FAIL_LEASE_MS, t);
  if (claim.kind !== "claim") throw new Error(`seed ${r.id}: the runner could not claim it (${claim.kind})`);
  if (r.status === "succeeded") {
    if (!(await completeJob(db, id, OWNER, [], t, { deliveredAt: t }, null, t + r.durationMs!))) throw new Error(`seed ${r.id}: completion refused`);
  } else if (r.status === "failed") {
    const sweep = await sweepStuckRequests(db, { dispatcher: new RecordingDispatcher(), limits: FAIL_EXPIRED, batchLimit: 500, now: new Date(t + FAIL_LEASE_MS), userIds: [r.userId] });
    if (!sweep.failed.includes(id)) throw new Error(`seed ${r.id}: the sweeper did not end it (${JSON.stringify(sweep)})`);
  }
}
