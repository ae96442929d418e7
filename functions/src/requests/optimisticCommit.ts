// One group commit, optimistic instead of a transaction: read the user, the keys and the request
// documents that may exist in one getAll, plan (commitPlan.ts), then write everything in one
// atomic batch. The batch `create()`s the request and `debit-{id}` documents, so a replay can
// never charge twice, and writes the user and key documents only if nobody wrote them since they
// were read (`lastUpdateTime` preconditions): against another instance's commit, a grant, a
// refund, a cancel or a revocation (which keep their transactions) it loses cleanly, and runs
// again on fresh reads after a few milliseconds of jitter. A lock-free read and one commit cost
// less than a transaction, and a loser waits milliseconds, not the SDK's backoff of seconds.
import type { DocumentSnapshot, Firestore, Timestamp, WriteBatch } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { API_KEYS, assertKeyUsable } from "../auth/apiKeyStore";
import { walletFields, walletOf } from "../ledger/grants/wallet";
import { writeSession } from "../ledger/grants/write";
import { addUsage } from "../ledger/usage";
import { walletPath, type WalletRef } from "../ledger/walletRef";
import { memberPath, notAMember } from "../orgs/access";
import { budgetState, type Budget } from "../orgs/budget";
import { spendOf, writeCrossings } from "../orgs/budgetCommit";
import { log } from "../shared/log";
import { accountBusy } from "../shared/transaction";
import { limitsOf, planRate } from "./admission";
import { Contention } from "./contention";
import { keyPrincipal, memberPrincipal, planCommit, USER_PRINCIPAL, type Outcome, type Plan, type PlanItem, type PrincipalState, type StoredRequest } from "./commitPlan";
import type { BudgetState } from "../orgs/budget";
import type { HoldKeeper } from "../ledger/holds/keeper";
import { holdOf, holdPath } from "../ledger/holds/store";
import { holdAfter, holdUsable, walletOfHold, writeHoldSpend } from "../ledger/holds/holdCommit";
import type { Hold } from "../ledger/holds/hold";

/** A validated, priced create, ready to commit. */
export interface PreparedCreate extends PlanItem {
  keyId: string | null;
  /** Only a request named by an idempotency key can exist already; auto ids are not read. */
  mayExist: boolean;
  /** The request's fields fixed at validation; the commit adds status, balance, dispatch and times. */
  fields: Record<string, unknown>;
  ledgerReason: string;
  actor: string;
  /** The wallet charged: the user's own, or the organisation's the create acts for (`fields.orgId`). */
  wallet: WalletRef;
}

/** About five seconds of rounds on a busy account; then 503, and nothing was written. */
export const COMMIT_ATTEMPTS = 50;
const contention = new Contention();

/** Per process, for logs and benchmarks: commits written, conflicts lost, creates committed. */
export const commitCounters = { commits: 0, conflicts: 0, created: 0 };

interface GroupReads {
  wallet: WalletRef;
  /** The wallet's document: the user's own (also their rate counters), or the organisation's. */
  user: DocumentSnapshot;
  keys: Map<string, DocumentSnapshot>;
  stored: Map<string, ReadRequest>;
  /** An organisation's creates by members (not keys): each member's user and member documents. */
  members: Map<string, { user: DocumentSnapshot; member: DocumentSnapshot }>;
  /** The instance's hold this commit spends from (ledger/holds), when it has a usable one. */
  hold: { snap: DocumentSnapshot; hold: Hold } | null;
}

/** A stored request as read here: what a replay answers from, and what tells this call's own writes apart. */
type ReadRequest = StoredRequest & { createdAt?: Timestamp; dispatch?: { state?: string } };

/** `pull` (groupCommit.ts) adds creates that queued meanwhile to a commit that runs again. */
export async function commitCreates(db: Firestore, account: string, items: PreparedCreate[], opts: { defaultPerMinute: number; maxAttempts?: number; holds?: HoldKeeper; now?: () => Date }, pull: () => PreparedCreate[] = () => []): Promise<Outcome[]> {
  const maxAttempts = opts.maxAttempts ?? COMMIT_ATTEMPTS;
  let readAll = false;
  // Requests this call wrote in a commit whose fate is unknown, with the createdAt it wrote.
  const unsure: Unsure = new Map();
  const uid = account;
  await sleep(contention.yieldMs(uid, Date.now()));
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) items = [...items, ...pull()];
    const started = performance.now();
    const round: Round = { unsure, written: null };
    try {
      return await commitOnce(db, items, { ...opts, account }, readAll, round);
    } catch (err) {
      const failure = commitFailure(err);
      if (!failure) throw err;
      commitCounters.conflicts++;
      contention.measured(performance.now() - started);
      contention.lost(uid, Date.now());
      // A request created meanwhile (a concurrent replay), or a commit whose fate is unknown:
      // read every item's document next time, so whatever did land is answered as a replay,
      // or, when it is this call's own unsent work, as created (claimOwn).
      if (failure !== "conflict") readAll = true;
      if (failure === "unknown" && round.written) for (const id of round.written.ids) unsure.set(id, round.written.atMs);
      if (attempt >= maxAttempts) {
        log.warn("create commit gave up", { uid, items: items.length, attempts: attempt, error: String((err as Error).message) });
        throw accountBusy();
      }
      await sleep(contention.retryMs(attempt));
    }
  }
}

type Unsure = Map<string, number>;
/** What one round wrote (set just before its commit), so a commit of unknown fate can be recognised later. */
interface Round {
  unsure: Unsure;
  written: { ids: string[]; atMs: number } | null;
}

/**
 * One round: read, plan, and (when anything is to be created) commit; throws what the commit threw.
 * `opts.now` is the wall clock unless a caller seeding past history (test-support/seed-history) sets it.
 */
async function commitOnce(db: Firestore, items: PreparedCreate[], opts: { defaultPerMinute: number; holds?: HoldKeeper; account: string; now?: () => Date }, readAll: boolean, round: Round): Promise<Outcome[]> {
  const started = performance.now();
  const defaultPerMinute = opts.defaultPerMinute;
  const need = items.reduce((s, i) => s + i.cost, 0);
  const holdId = opts.holds ? await opts.holds.holdFor(opts.account, items[0].wallet, need, Date.now()) : null;
  const reads = await readGroup(db, items, readAll, holdId);
  const now = opts.now ? opts.now() : new Date();
  const wallet = walletOf(reads.user.data());
  if (reads.hold && !holdUsable(reads.hold.hold, wallet, need, now.getTime(), 0)) {
    if (reads.hold.hold.state !== "open") opts.holds?.forget(opts.account, reads.hold.hold.id);
    reads.hold = null;
  }
  const plan = planCommit({
    nowMs: now.getTime(),
    balance: 0,
    wallet: reads.hold ? walletOfHold(reads.hold.hold, wallet) : wallet,
    principals: principalsOf(reads, defaultPerMinute, now),
    stored: reads.stored,
    items,
    budgets: budgetsOf(reads, now),
  });
  // Spent from a hold: the answer's balance is the wallet's plus what the hold has left.
  if (reads.hold) for (const o of plan.outcomes) if (o.kind === "created") o.result.currentCredits += (reads.user.get("credits") as number | undefined) ?? 0;
  const outcomes = claimOwn(plan.outcomes, items, reads.stored, round.unsure);
  // Replays and refusals only: nothing to write, and nothing another writer could invalidate.
  if (plan.totals.requests === 0) return outcomes;
  round.written = { ids: plan.outcomes.flatMap((o, i) => (o.kind === "created" ? [items[i].requestId] : [])), atMs: now.getTime() };
  await writeGroup(db, items, reads, plan, now).commit();
  contention.measured(performance.now() - started);
  commitCounters.commits++;
  commitCounters.created += plan.totals.requests;
  if (opts.holds) {
    if (reads.hold) opts.holds.spent(opts.account, reads.hold.hold.id, holdAfter(reads.hold.hold, plan.session).draws.reduce((s, d) => s + d.amount, 0), now.getTime());
    opts.holds.record(opts.account, now.getTime(), items.flatMap((it, i) => (plan.outcomes[i].kind === "created" ? [it.cost] : [])));
  }
  return outcomes;
}

/**
 * A commit reported DEADLINE_EXCEEDED or UNAVAILABLE may still have landed. Its requests then
 * come back as replays, but they are this call's own: same createdAt as the commit wrote, never
 * dispatched. Those are answered as created (201), so the caller dispatches them at once instead
 * of leaving them to the sweeper. A replay by another call, or one already dispatched, stays a replay.
 */
function claimOwn(outcomes: Outcome[], items: readonly PreparedCreate[], stored: ReadonlyMap<string, ReadRequest>, unsure: ReadonlyMap<string, number>): Outcome[] {
  if (!unsure.size) return outcomes;
  // A second item with the same key in this call was a replay of the first, and still is.
  const claimed = new Set<string>();
  return outcomes.map((o, i) => {
    const id = items[i].requestId;
    const doc = stored.get(id);
    const wroteAt = unsure.get(id);
    if (o.kind !== "replayed" || !doc || wroteAt === undefined || claimed.has(id)) return o;
    if (doc.createdAt?.toMillis() !== wroteAt || doc.dispatch?.state !== "pending") return o;
    claimed.add(id);
    commitCounters.created++;
    return { kind: "created", result: { ...o.result, replayed: false } };
  });
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/** gRPC codes of a commit that lost: 9 a precondition, 10 aborted; 6 a document created meanwhile; 4, 14 unknown fate. */
export function commitFailure(err: unknown): "conflict" | "recheck" | "unknown" | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 9 || code === 10) return "conflict";
  if (code === 6) return "recheck";
  if (code === 4 || code === 14) return "unknown";
  return null;
}

async function readGroup(db: Firestore, items: PreparedCreate[], readAll: boolean, holdId: string | null): Promise<GroupReads> {
  const wallet = items[0].wallet;
  const keyIds = [...new Set(items.flatMap((i) => (i.keyId ? [i.keyId] : [])))];
  const requestIds = [...new Set(items.filter((i) => readAll || i.mayExist).map((i) => i.requestId))];
  const memberIds = wallet.kind === "org" ? [...new Set(items.flatMap((i) => (i.keyId ? [] : [i.userId])))] : [];
  const [user, ...rest] = await db.getAll(
    db.doc(walletPath(wallet)),
    ...keyIds.map((k) => db.doc(`${API_KEYS}/${k}`)),
    ...requestIds.map((id) => db.doc(`generationRequests/${id}`)),
    ...memberIds.flatMap((uid) => [db.doc(`users/${uid}`), db.doc(memberPath(wallet.id, uid))]),
    ...(holdId ? [db.doc(holdPath(wallet, holdId))] : []),
  );
  const keys = new Map(keyIds.map((k, i) => [k, rest[i]]));
  const stored = new Map<string, ReadRequest>();
  for (const snap of rest.slice(keyIds.length, keyIds.length + requestIds.length)) {
    if (snap.exists) stored.set(snap.id, snap.data() as ReadRequest);
  }
  const at = keyIds.length + requestIds.length;
  const members = new Map(memberIds.map((uid, i) => [uid, { user: rest[at + 2 * i], member: rest[at + 2 * i + 1] }]));
  const holdSnap = holdId ? rest[at + 2 * memberIds.length] : null;
  return { wallet, user, keys, stored, members, hold: holdSnap?.exists ? { snap: holdSnap, hold: holdOf(holdSnap) } : null };
}

// An account being erased (lifecycle/erasure.ts) takes no new paid work, whatever token is still valid.
const erasedRefusal = (user: DocumentSnapshot) => (user.get("erasureStartedAt") ? new ApiError("UNAUTHENTICATED", "this account has been erased") : null);

function principalsOf(reads: GroupReads, defaultPerMinute: number, now: Date): Map<string, PrincipalState> {
  const principals = new Map<string, PrincipalState>();
  if (reads.wallet.kind === "user") principals.set(USER_PRINCIPAL, { usage: reads.user.data() ?? {}, limits: limitsOf(null, planRate(reads.user) ?? defaultPerMinute), refusal: erasedRefusal(reads.user) });
  // A member counts against their own rate window (on their user document), at the organisation's plan rate;
  // one removed since the call was authenticated is refused here, in the commit.
  for (const [uid, m] of reads.members) {
    const refusal = erasedRefusal(m.user) ?? (m.member.exists ? null : notAMember(reads.wallet.id));
    principals.set(memberPrincipal(uid), { usage: m.user.data() ?? {}, limits: limitsOf(null, planRate(reads.user) ?? defaultPerMinute), refusal });
  }
  for (const [keyId, snap] of reads.keys) {
    principals.set(keyPrincipal(keyId), { usage: snap.data() ?? {}, limits: limitsOf(snap, planRate(reads.user) ?? defaultPerMinute), refusal: keyRefusalOf(snap, now) });
  }
  return principals;
}

/** The budgets of an organisation's members and keys, in its time zone, as read for this commit. */
function budgetsOf(reads: GroupReads, now: Date): Map<string, BudgetState> {
  const out = new Map<string, BudgetState>();
  if (reads.wallet.kind !== "org") return out;
  const tz = (reads.user.get("timeZone") as string | undefined) ?? "UTC";
  const add = (id: string, snap: DocumentSnapshot) => {
    const state = budgetState(snap.get("budget") as Budget | undefined, snap.get("budgetUsed"), now.getTime(), tz);
    if (state) out.set(id, state);
  };
  for (const [uid, m] of reads.members) if (m.member.exists) add(memberPrincipal(uid), m.member);
  for (const [keyId, snap] of reads.keys) add(keyPrincipal(keyId), snap);
  return out;
}

/** A key revoked or expired since authentication must not debit. */
function keyRefusalOf(snap: DocumentSnapshot, now: Date): ApiError | null {
  try {
    assertKeyUsable(snap, now);
    return null;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
}

function writeGroup(db: Firestore, items: PreparedCreate[], reads: GroupReads, plan: Plan, now: Date): WriteBatch {
  const batch = db.batch();
  plan.outcomes.forEach((outcome, i) => {
    if (outcome.kind !== "created") return;
    const item = items[i];
    const balanceAfter = outcome.result.currentCredits;
    batch.create(db.doc(`generationRequests/${item.requestId}`), {
      ...item.fields,
      status: "queued",
      balanceAfterDebit: balanceAfter,
      budgetCharges: plan.budgetCharges.get(item.requestId) ?? [],
      dispatch: { state: "pending", attempts: 0, updatedAt: now },
      createdAt: now,
      updatedAt: now,
    });
  });
  // Debit entries with their draws, lazy expiries, grant counters; then the wallet, each key's
  // counters and the weekly usage counter: once per commit.
  if (reads.hold) {
    writeHoldSpend(db, batch, reads.wallet, reads.hold.snap, holdAfter(reads.hold.hold, plan.session), plan.session, now);
    // A user's own rate window lives on their user document (the wallet): still written, guarded.
    const usage = plan.usage.get(USER_PRINCIPAL);
    if (usage) guardedWrite(batch, reads.user, { ...usage });
  } else {
    writeSession(db, batch, reads.wallet, plan.session, now);
    guardedWrite(batch, reads.user, { ...walletFields(plan.session.wallet), updatedAt: now, ...plan.usage.get(USER_PRINCIPAL) });
  }
  // A member's document is written (guarded) by every commit that charges for them, so a removal
  // or a budget change since the read makes this commit run again instead of slipping past it.
  for (const [uid, m] of reads.members) {
    const id = memberPrincipal(uid);
    const usage = plan.usage.get(id);
    if (!usage) continue;
    guardedWrite(batch, m.user, { ...usage });
    guardedWrite(batch, m.member, { lastCreateAt: now, ...spendOf(plan, id) });
  }
  for (const [keyId, snap] of reads.keys) {
    const usage = plan.usage.get(keyPrincipal(keyId));
    if (usage) guardedWrite(batch, snap, { ...usage, lastUsedAt: now, ...spendOf(plan, keyPrincipal(keyId)) });
  }
  writeCrossings(db, batch, reads.wallet, plan, now);
  const onOrg = reads.wallet.kind === "org";
  const counted = items.filter((_, i) => plan.outcomes[i].kind === "created").map((item) => ({
    modelId: item.fields.model as string, keyId: item.keyId, memberId: onOrg ? (item.fields.userId as string) : null,
    requests: 1, images: item.numImages, creditsDebited: item.cost,
  }));
  addUsage(db, batch, reads.wallet, now, counted, now);
  return batch;
}

/** Written only if nobody wrote the document since it was read; one that did not exist must still not. */
function guardedWrite(batch: WriteBatch, snap: DocumentSnapshot, data: Record<string, unknown>): void {
  if (snap.exists) batch.update(snap.ref, data, { lastUpdateTime: snap.updateTime! });
  else batch.create(snap.ref, data);
}
