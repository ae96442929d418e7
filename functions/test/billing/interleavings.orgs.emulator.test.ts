// The interleavings property test for organisation wallets: random concurrent creates by members
// and by an organisation key (each with a budget), batches, cancels, failures (refunds through the
// one refund path), expiring grants, budget changes, and members removed and invited back, all
// through the real code paths on the real clock. Afterwards every grant invariant holds on the
// organisation's wallet, every request was debited once and refunded once exactly when it ended
// failed or cancelled, no budget's spend passed its limit, a budget's stored spend equals what its
// unrefunded requests of the period cost, and no create that started after its member's removal
// was answered went through.
import { rng } from "../../../test-support/rng";
import { createTestUser, db } from "../../../test-support/emulator";
import type { Caller } from "../../src/auth/caller";
import { actorOf } from "../../src/audit/audit";
import { createKey } from "../../src/auth/apiKeyStore";
import { grantCredits } from "../../src/ledger/grant";
import { refundIfOwed } from "../../src/ledger/refund";
import { orgWallet } from "../../src/ledger/walletRef";
import { orgAccess } from "../../src/orgs/access";
import { setBudget } from "../../src/orgs/budgets";
import { periodOf } from "../../src/orgs/budget";
import { changeMember, createOrg } from "../../src/orgs/membership";
import { cancelRequest } from "../../src/requests/cancel";
import { createGenerationRequest } from "../../src/requests/create";
import { createGenerationRequests } from "../../src/requests/createBatch";
import { firestore } from "../../src/shared/firestore";
import { grantViolations } from "./state";

const RETRYABLE = new Set(["INSUFFICIENT_CREDITS", "BUDGET_EXCEEDED", "FAILED_PRECONDITION", "UNAVAILABLE", "RATE_LIMITED"]);
const LIMIT = 6;
const CAT = { model: "A", style: "anime", color: "muted", size: "512x512" };

it.each([[1], [2]])("every wallet and budget invariant holds for an organisation under random interleavings (seed %i)", async (seed) => {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const owner = await createTestUser({ credits: 0, prefix: "orgprop" });
  const members = await Promise.all([0, 0, 0].map(() => createTestUser({ credits: 0, prefix: "orgprop" })));
  const ownerCaller: Caller = { uid: owner.uid, role: "user", via: "id-token" };
  const { orgId } = await createOrg(firestore(), actorOf(ownerCaller), { name: `prop ${seed}`, email: owner.email });
  const addMember = (uid: string) => db().doc(`orgs/${orgId}/members/${uid}`).set({ uid, orgId, role: "member", email: null, joinedAt: new Date() });
  await Promise.all(members.map((m) => addMember(m.uid)));
  const access = () => orgAccess(firestore(), ownerCaller, orgId, "budgets");
  const key = await createKey(firestore(), "test", { userId: owner.uid, orgId, name: "prop", scopes: ["generate", "read"], expiresAt: null, dailyQuota: null, ratePerMinute: 1000, maxConcurrentCreates: 100 }, actorOf(ownerCaller));
  const keyCaller: Caller = { uid: owner.uid, role: "user", via: "api-key", key: { keyId: key.keyId, scopes: ["generate", "read"], orgId, maxConcurrentCreates: 100 } };
  for (const m of members) await setBudget(firestore(), await access(), actorOf(ownerCaller), { uid: m.uid, period: "day", credits: LIMIT });
  await setBudget(firestore(), await access(), actorOf(ownerCaller), { keyId: key.keyId, period: "month", credits: LIMIT });
  await grantCredits(firestore(), { userId: orgId, orgId, amount: 30, reason: "prop", actor: "test", auditActor: actorOf(ownerCaller) }, async () => true);

  const requests: string[] = [];
  /** Members whose removal has been answered, and a counter of each member's rejoins. */
  const removed = new Set<string>();
  const rejoins = new Map<string, number>();
  const lateCreates: string[] = [];
  const seen: Record<string, number> = {};
  let n = 0;

  const op = async () => {
    const r = rand();
    const k = `${seed}-${++n}`;
    const m = pick(members);
    const asKey = rand() < 0.3;
    const caller: Caller = asKey ? keyCaller : { uid: m.uid, role: "user", via: "id-token" };
    const kind = r < 0.35 ? "create" : r < 0.45 ? "batch" : r < 0.55 ? "cancel" : r < 0.65 ? "fail" : r < 0.75 ? "grant" : r < 0.85 ? "remove" : r < 0.93 ? "rejoin" : "budget";
    try {
      if (kind === "create" || kind === "batch") {
        // A member's create that starts after their removal was answered, with no rejoin since, must fail.
        const mustFail = !asKey && removed.has(m.uid);
        const epoch = rejoins.get(m.uid) ?? 0;
        const ids = kind === "create"
          ? [(await createGenerationRequest(firestore(), caller, { ...CAT, prompt: `p ${k}`, numImages: 1 + Math.floor(rand() * 2), orgId })).generationRequestId]
          : (await createGenerationRequests(firestore(), caller, { requests: [1, 2, 3].map((i) => ({ ...CAT, prompt: `b ${k} ${i}`, orgId })) })).results.flatMap((x) => (x.status === 201 ? [x.generationRequestId!] : []));
        if (mustFail && (rejoins.get(m.uid) ?? 0) === epoch) lateCreates.push(...ids);
        requests.push(...ids);
      } else if (kind === "cancel" && requests.length) {
        const id = pick(requests);
        const doc = await db().doc(`generationRequests/${id}`).get();
        await cancelRequest(firestore(), { uid: doc.get("userId"), role: "user", via: "id-token" }, id);
      } else if (kind === "fail" && requests.length) {
        const id = pick(requests);
        const ref = db().doc(`generationRequests/${id}`);
        await db().runTransaction(async (tx) => {
          if ((await tx.get(ref)).get("status") === "queued") tx.update(ref, { status: "failed", error: { code: "TEST", message: "injected" } });
        });
        await refundIfOwed(firestore(), id, "test");
      } else if (kind === "grant") {
        const expiresAt = pick([new Date(Date.now() + 50 + Math.floor(rand() * 1500)), undefined]);
        await grantCredits(firestore(), { userId: orgId, orgId, amount: 1 + Math.floor(rand() * 6), reason: "prop", expiresAt, actor: "test", auditActor: actorOf(ownerCaller) }, async () => true);
      } else if (kind === "remove") {
        await changeMember(firestore(), await orgAccess(firestore(), ownerCaller, orgId, "members"), actorOf(ownerCaller), m.uid, null);
        removed.add(m.uid);
      } else if (kind === "rejoin") {
        rejoins.set(m.uid, (rejoins.get(m.uid) ?? 0) + 1);
        removed.delete(m.uid);
        if (!(await db().doc(`orgs/${orgId}/members/${m.uid}`).get()).exists) await addMember(m.uid);
      } else if (kind === "budget") {
        // Raised only: a lowered limit below what was spent is not an overshoot by any create.
        const current = (await db().doc(`orgs/${orgId}/members/${m.uid}`).get()).get("budget.credits") as number | undefined;
        if (current !== undefined) await setBudget(firestore(), await access(), actorOf(ownerCaller), { uid: m.uid, period: "day", credits: current + 1 });
      }
      seen[kind] = (seen[kind] ?? 0) + 1;
    } catch (err) {
      const code = String((err as { code?: unknown }).code);
      if (!RETRYABLE.has(code) && code !== "PERMISSION_DENIED" && code !== "NOT_FOUND" && code !== "10") throw err;
      seen[code] = (seen[code] ?? 0) + 1;
    }
  };

  await Promise.all(Array.from({ length: 5 }, async () => {
    for (let i = 0; i < 14; i++) await op();
  }));
  for (const kind of ["create", "batch", "remove", "grant"]) expect(seen[kind] ?? 0).toBeGreaterThan(0);
  expect(lateCreates).toEqual([]);

  expect(await grantViolations(orgWallet(orgId))).toEqual([]);
  const ledger = (await db().collection(`orgs/${orgId}/ledger`).get()).docs;
  const docs = await Promise.all(requests.map((id) => db().doc(`generationRequests/${id}`).get()));
  for (const d of docs) {
    const count = (type: string) => ledger.filter((e) => e.get("type") === type && e.get("requestId") === d.id).length;
    const refundable = ["failed", "cancelled"].includes(d.get("status"));
    expect({ id: d.id, orgId: d.get("orgId"), debits: count("debit"), refunds: count("refund") }).toEqual({ id: d.id, orgId, debits: 1, refunds: refundable ? 1 : 0 });
  }
  // Each budget's stored spend is what its unrefunded requests of the current period cost, never past its limit.
  const budgetDocs = [...members.map((m) => [`member:${m.uid}`, `orgs/${orgId}/members/${m.uid}`]), [`key:${key.keyId}`, `apiKeys/${key.keyId}`]];
  for (const [budget, path] of budgetDocs) {
    const doc = await db().doc(path).get();
    if (!doc.exists || !doc.get("budget")) continue;
    const { key: period } = periodOf(doc.get("budget.period"), Date.now(), "UTC");
    const spent = docs.filter((d) => !d.get("refunded")).flatMap((d) => (d.get("budgetCharges") as { budget: string; key: string; amount: number }[]))
      .filter((c) => c.budget === budget && c.key === period).reduce((s, c) => s + c.amount, 0);
    const used = doc.get("budgetUsed.key") === period ? (doc.get("budgetUsed.used") as number) : 0;
    expect({ budget, used }).toEqual({ budget, used: spent });
    expect(used).toBeLessThanOrEqual(doc.get("budget.credits"));
  }
});
