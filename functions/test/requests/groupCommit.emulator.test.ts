// The group commit against the Firestore emulator, in process (the Functions emulator runs one
// request per worker, so grouping never shows over its HTTP): many creates for one account share
// commits, each keeps its own request, debit and balanceAfter; funds running out mid-batch charge
// exactly the affordable prefix; a commit loses cleanly to any write between its read and its
// commit (a grant, a revocation, another instance's create) and runs again on fresh reads.
import { initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import { auth, createTestUser, db, ledgerState, PROJECT_ID } from "../../../test-support/emulator";
import { createKey, revokeKey, verifyApiKey } from "../../src/auth/apiKeyStore";
import { AccountStateCache } from "../../src/auth/accountState";
import type { Caller } from "../../src/auth/caller";
import { grantCredits } from "../../src/ledger/grant";
import { cancelRequest } from "../../src/requests/cancel";
import { createGenerationRequest, prepareCreate } from "../../src/requests/create";
import { createGenerationRequests } from "../../src/requests/createBatch";
import { commitCounters, commitCreates } from "../../src/requests/optimisticCommit";
import { firestore } from "../../src/shared/firestore";
import { loadCatalog } from "../../src/catalog/catalog";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "group commit cat" };
const ADMIN = { uid: "admin_test", role: "admin", via: "cli" } as const;
const userCaller = (uid: string): Caller => ({ uid, role: "user", via: "id-token" });
const counters = () => ({ ...commitCounters });

async function keyCaller(uid: string, extra: { maxConcurrentCreates?: number } = {}): Promise<{ caller: Caller; keyId: string }> {
  const created = await createKey(firestore(), "test", { userId: uid, name: "group", scopes: ["generate", "read"], expiresAt: null, dailyQuota: null, ratePerMinute: null, maxConcurrentCreates: extra.maxConcurrentCreates ?? null }, ADMIN);
  // The real authentication path, so the key's own limits reach the caller as in production.
  const { key } = await verifyApiKey(firestore(), created.key, new Date(), new AccountStateCache(auth(), 30_000));
  return { caller: { uid, role: "user", via: "api-key", key }, keyId: created.keyId };
}

/** The invariant on one account: balance = sum(ledger), one debit per request, every balanceAfter ≥ 0. */
async function expectConserved(uid: string) {
  const state = await ledgerState(uid);
  expect(state.credits).toBe(state.ledgerSum);
  expect(state.credits).toBeGreaterThanOrEqual(0);
  for (const e of state.entries as any[]) expect(e.balanceAfter).toBeGreaterThanOrEqual(0);
  const requests = await db().collection("generationRequests").where("userId", "==", uid).get();
  const debits = state.entries.filter((e: any) => e.type === "debit").map((e: any) => e.requestId).sort();
  expect(debits).toEqual(requests.docs.map((d) => d.id).sort());
  return state;
}

/** The real Firestore, with something written by someone else right after a commit's first read. */
function interfering(real: Firestore, interfere: () => Promise<unknown>): Firestore {
  let first = true;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "getAll") {
        return async (...refs: Parameters<Firestore["getAll"]>) => {
          const snaps = await target.getAll(...refs);
          if (first) (first = false, await interfere());
          return snaps;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

beforeAll(() => loadCatalog());

describe("group commit", () => {
  it("20 concurrent creates on one account share a few commits; each has its own request, debit and balanceAfter", async () => {
    const u = await createTestUser({ credits: 30, prefix: "grp" });
    const before = counters();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createGenerationRequest(firestore(), userCaller(u.uid), { ...CAT, prompt: `cat ${i}` })));
    expect(results.map((r) => r.currentCredits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    // The first create commits alone (nobody waits when idle); the others queue behind it.
    expect(commitCounters.commits - before.commits).toBeLessThanOrEqual(3);
    expect(commitCounters.created - before.created).toBe(20);
    const state = await expectConserved(u.uid);
    expect(state.credits).toBe(10);
    for (const r of results) expect(state.entries).toContainEqual(expect.objectContaining({ id: `debit-${r.generationRequestId}`, amount: -1, balanceAfter: r.currentCredits }));
    const usage = await db().doc(`usageWeekly/${(await db().collection("usageWeekly").where("uid", "==", u.uid).get()).docs[0].id}`).get();
    expect(usage.data()).toMatchObject({ requests: 20, images: 20, creditsDebited: 20 });
  });

  it("funds running out mid-batch: exactly the affordable prefix, in arrival order, is charged", async () => {
    const u = await createTestUser({ credits: 5, prefix: "grp" });
    const batch = await createGenerationRequests(firestore(), userCaller(u.uid), { requests: Array.from({ length: 8 }, (_, i) => ({ ...CAT, prompt: `room ${i}` })) });
    expect(batch.results.map((r) => [r.index, r.status, r.currentCredits ?? r.error?.code])).toEqual([
      [0, 201, 4], [1, 201, 3], [2, 201, 2], [3, 201, 1], [4, 201, 0], [5, 402, "INSUFFICIENT_CREDITS"], [6, 402, "INSUFFICIENT_CREDITS"], [7, 402, "INSUFFICIENT_CREDITS"],
    ]);
    expect(batch.summary).toEqual({ created: 5, replayed: 0, refused: 3 });
    const state = await expectConserved(u.uid);
    const prompts = await Promise.all(batch.results.slice(0, 5).map(async (r) => (await db().doc(`generationRequests/${r.generationRequestId}`).get()).get("prompt")));
    expect(prompts).toEqual(["room 0", "room 1", "room 2", "room 3", "room 4"]);
    expect(state.credits).toBe(0);
  });

  it("mixed single and batch creates with replays, cancels and grants racing them keep every invariant", async () => {
    const u = await createTestUser({ credits: 12, prefix: "grp" });
    const caller = userCaller(u.uid);
    const seeded = await createGenerationRequests(firestore(), caller, { requests: Array.from({ length: 6 }, (_, i) => ({ ...CAT, prompt: `first ${i}` })) });
    const ids = seeded.results.map((r) => r.generationRequestId!);
    // Seven keys, each always sent with the same parameters: every repeat is a replay.
    const keyed = (k: number) => ({ ...CAT, prompt: `race ${k}`, idempotencyKey: `race-key-${k}` });
    const settled = await Promise.allSettled([
      ...ids.map((id) => cancelRequest(firestore(), caller, id)),
      ...Array.from({ length: 4 }, (_, b) => createGenerationRequests(firestore(), caller, { requests: Array.from({ length: 5 }, (_, i) => keyed((b + i) % 7)) })),
      ...Array.from({ length: 6 }, (_, i) => createGenerationRequest(firestore(), caller, keyed(i % 7))),
      ...[3, 4].map((amount) => grantCredits(firestore(), { userId: u.uid, amount, reason: "race", actor: "test", auditActor: ADMIN }, async () => true)),
    ]);
    for (const s of settled) if (s.status === "rejected") expect(["INSUFFICIENT_CREDITS"]).toContain(s.reason.code);
    const state = await expectConserved(u.uid);
    // Each key charged at most once, however many times and ways it was sent.
    const requests = await db().collection("generationRequests").where("userId", "==", u.uid).get();
    const keys = requests.docs.map((d) => d.get("idempotencyKey")).filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThan(0);
    expect(state.entries.filter((e: any) => e.type === "refund")).toHaveLength(6);
    expect(state.entries.filter((e: any) => e.type === "grant")).toHaveLength(3);
  });

  it("a key revoked mid-way: batches in flight are all charged or all refused, and none after the revocation is charged", async () => {
    const u = await createTestUser({ credits: 100, prefix: "grp" });
    const { caller, keyId } = await keyCaller(u.uid);
    const sent: { afterRevoke: boolean; statuses: number[] }[] = [];
    let revoked = false;
    const lane = async (lane: number) => {
      for (let b = 0; b < 4; b++) {
        const afterRevoke = revoked;
        const res = await createGenerationRequests(firestore(), caller, { requests: Array.from({ length: 3 }, (_, i) => ({ ...CAT, prompt: `lane ${lane} batch ${b} item ${i}` })) });
        sent.push({ afterRevoke, statuses: res.results.map((r) => r.status) });
        if (lane === 0 && b === 1) {
          await revokeKey(firestore(), keyId, ADMIN, "mid-batch");
          revoked = true;
        }
      }
    };
    await Promise.all([0, 1, 2].map(lane));
    for (const s of sent) expect([[201, 201, 201], [401, 401, 401]]).toContainEqual(s.statuses);
    for (const s of sent.filter((x) => x.afterRevoke)) expect(s.statuses).toEqual([401, 401, 401]);
    expect(sent.filter((s) => s.afterRevoke).length).toBeGreaterThan(0);
    const charged = sent.filter((s) => s.statuses[0] === 201).length * 3;
    expect(charged).toBeGreaterThan(0);
    const state = await expectConserved(u.uid);
    expect(state.credits).toBe(100 - charged);
    // The key's counters were written once per commit, and count exactly what was charged.
    expect((await db().doc(`apiKeys/${keyId}`).get()).get("dailyUsage.count")).toBe(charged);
  });
});

describe("optimistic commit", () => {
  const prepared = async (uid: string, body: Record<string, unknown> = {}, caller: Caller = userCaller(uid)) => prepareCreate(firestore(), caller, { ...CAT, ...body });
  const grant = (uid: string, amount: number) => grantCredits(firestore(), { userId: uid, amount, reason: "interfere", actor: "test", auditActor: ADMIN }, async () => true);

  it("a grant between read and commit: the batch loses cleanly, runs again, and charges against the new balance", async () => {
    const u = await createTestUser({ credits: 2, prefix: "occ" });
    const before = counters();
    const [outcome] = await commitCreates(interfering(firestore(), () => grant(u.uid, 5)), u.uid, [await prepared(u.uid)], { defaultPerMinute: 100 });
    expect(outcome).toMatchObject({ kind: "created", result: { currentCredits: 6 } });
    expect(commitCounters.conflicts - before.conflicts).toBe(1);
    expect((await expectConserved(u.uid)).credits).toBe(6);
  });

  it("past its attempts, contention is 503 UNAVAILABLE with Retry-After, and nothing is written", async () => {
    const u = await createTestUser({ credits: 2, prefix: "occ" });
    const err = await commitCreates(interfering(firestore(), () => grant(u.uid, 1)), u.uid, [await prepared(u.uid)], { defaultPerMinute: 100, maxAttempts: 1 }).catch((e) => e);
    expect({ code: err.code, status: err.status, retryAfter: err.details?.retryAfterSeconds }).toEqual({ code: "UNAVAILABLE", status: 503, retryAfter: 2 });
    const state = await expectConserved(u.uid);
    expect(state.credits).toBe(3);
    expect(state.entries.filter((e: any) => e.type === "debit")).toHaveLength(0);
  });

  it("a key revoked between the read and the commit cannot debit", async () => {
    const u = await createTestUser({ credits: 5, prefix: "occ" });
    const { caller, keyId } = await keyCaller(u.uid);
    const item = await prepared(u.uid, {}, caller);
    const [outcome] = await commitCreates(interfering(firestore(), () => revokeKey(firestore(), keyId, ADMIN, "leaked")), u.uid, [item], { defaultPerMinute: 100 });
    expect(outcome).toMatchObject({ kind: "refused", error: { code: "API_KEY_REVOKED" } });
    expect((await expectConserved(u.uid)).credits).toBe(5);
  });

  it("the same idempotency key created by another instance meanwhile: answered as a replay, charged once", async () => {
    const u = await createTestUser({ credits: 5, prefix: "occ" });
    const second = getFirestore(initializeApp({ projectId: PROJECT_ID }, `other-instance-${Date.now()}`));
    const body = { idempotencyKey: "listing-77-photo-3" };
    const elsewhere = () => createGenerationRequest(second, userCaller(u.uid), { ...CAT, ...body });
    const [outcome] = await commitCreates(interfering(firestore(), elsewhere), u.uid, [await prepared(u.uid, body)], { defaultPerMinute: 100 });
    expect(outcome).toMatchObject({ kind: "replayed", result: { currentCredits: 4, replayed: true } });
    const state = await expectConserved(u.uid);
    expect(state.credits).toBe(4);
  });

  it("two instances creating on one account at once lose to each other cleanly and lose no create", async () => {
    const u = await createTestUser({ credits: 40, prefix: "occ" });
    const dbs = [firestore(), getFirestore(initializeApp({ projectId: PROJECT_ID }, `instance-b-${Date.now()}`))];
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => createGenerationRequest(dbs[i % 2], userCaller(u.uid), { ...CAT, prompt: `two ${i}` })));
    expect(new Set(results.map((r) => r.currentCredits)).size).toBe(30);
    expect((await expectConserved(u.uid)).credits).toBe(10);
  });
});

describe("per-key in-flight cap", () => {
  it("beyond the key's maxConcurrentCreates on one instance: 429 RATE_LIMITED with Retry-After, nothing charged; a batch counts once", async () => {
    const u = await createTestUser({ credits: 20, prefix: "cap" });
    const { caller } = await keyCaller(u.uid, { maxConcurrentCreates: 2 });
    expect(caller.key?.maxConcurrentCreates).toBe(2);
    const calls = [
      createGenerationRequests(firestore(), caller, { requests: [CAT, CAT, CAT] }),
      ...Array.from({ length: 4 }, (_, i) => createGenerationRequest(firestore(), caller, { ...CAT, prompt: `cap ${i}` })),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "rejected"]);
    for (const s of settled.slice(2)) {
      const e = (s as PromiseRejectedResult).reason;
      expect({ code: e.code, status: e.status, retry: e.details.retryAfterSeconds }).toEqual({ code: "RATE_LIMITED", status: 429, retry: 1 });
    }
    expect((await expectConserved(u.uid)).credits).toBe(16);
    // Slots free up as calls end.
    expect((await createGenerationRequest(firestore(), caller, CAT)).currentCredits).toBe(15);
  });
});
