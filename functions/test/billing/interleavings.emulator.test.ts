// Property test on the emulator: random concurrent interleavings of grants (expiring or not, of
// every source), creates (debits through the group commit), cancels and failures (refunds through
// the one refund path), expiry sweeps and renewals, plan changes and pack payments with refunds
// and disputes (delivered in any order, before or after their purchase), driven through the real
// code paths, on the real clock. Afterwards every invariant of issue 16 holds for every user
// (invariants.ts), every failed or cancelled request was refunded once, and each payment's
// clawbacks net to what its recorded facts call for, whatever order they came in.
import { rng } from "../../../test-support/rng";
import { createTestUser, db } from "../../../test-support/emulator";
import type { Caller } from "../../src/auth/caller";
import { renewUser } from "../../src/billing/renew";
import { setUserPlan } from "../../src/billing/setPlan";
import { readPack } from "../../src/billing/catalog";
import { clawbackRefund, disputeEvent, fulfilPack } from "../../src/billing/stripe/payments";
import { refundShare } from "../../src/billing/stripe/reconcile";
import { sweepExpiredGrants } from "../../src/ledger/grants/expirySweep";
import { grantCredits } from "../../src/ledger/grant";
import { refundIfOwed } from "../../src/ledger/refund";
import { cancelRequest } from "../../src/requests/cancel";
import { createGenerationRequest } from "../../src/requests/create";
import { firestore } from "../../src/shared/firestore";
import { DAY, seedBilling } from "./helpers";
import { grantViolations } from "./state";
import { runErasure, startErasure } from "../../src/lifecycle/erasure";
import { eraseContext } from "../../src/lifecycle/http";
import { userStoragePrefixes } from "../../src/lifecycle/paths";
import { createCustomModel } from "../../src/models/create";
import { filesUnder } from "../lifecycle/fixtures";
import { dataUrl, photos } from "../models/helpers";
import { drivePlanChanges, planChangeViolations } from "./planChangeDriver";

beforeAll(seedBilling);
const admin = { actor: "admin:test", auditActor: { uid: "test", role: "admin", via: "cli" as const } };
const RETRYABLE = new Set(["INSUFFICIENT_CREDITS", "FAILED_PRECONDITION", "UNAVAILABLE", "RATE_LIMITED"]);

it.each([[1], [2]])("every grant invariant holds under random interleavings (seed %i)", async (seed) => {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const users = await Promise.all([4, 10, 0].map((credits) => createTestUser({ credits, prefix: "billprop" })));
  const requests: Record<string, string[]> = Object.fromEntries(users.map((u) => [u.uid, []]));
  // Each user's payments, bought or not yet: refunds and disputes may come before the purchase.
  const payments: Record<string, string[]> = Object.fromEntries(users.map((u) => [u.uid, Array.from({ length: 4 }, (_, j) => `pi_${seed}_${u.uid}_${j}`)]));
  const bought = new Set<string>();
  const seen: Record<string, number> = {};
  let n = 0;

  const op = async () => {
    const u = pick(users);
    const caller: Caller = { uid: u.uid, role: "user", via: "id-token" };
    const r = rand();
    const k = `${seed}-${++n}`;
    const kind = r < 0.3 ? "create" : r < 0.38 ? "cancel" : r < 0.46 ? "fail" : r < 0.56 ? "grant" : r < 0.63 ? "sweep" : r < 0.7 ? "renew" : r < 0.76 ? "plan" : r < 0.86 ? "pack" : r < 0.93 ? "refund" : "dispute";
    try {
      if (kind === "create") {
        const res = await createGenerationRequest(firestore(), caller, { model: "A", style: "anime", color: "muted", size: "512x512", prompt: `p ${k}`, numImages: 1 + Math.floor(rand() * 2) });
        requests[u.uid].push(res.generationRequestId);
      } else if (kind === "cancel" && requests[u.uid].length) {
        await cancelRequest(firestore(), caller, pick(requests[u.uid]));
      } else if (kind === "fail" && requests[u.uid].length) {
        const id = pick(requests[u.uid]);
        const ref = db().doc(`generationRequests/${id}`);
        await db().runTransaction(async (tx) => {
          const d = await tx.get(ref);
          if (d.get("status") === "queued") tx.update(ref, { status: "failed", error: { code: "TEST", message: "injected" } });
        });
        await refundIfOwed(firestore(), id, "test");
      } else if (kind === "grant") {
        // Expiring in the past (in the very commit that grants it), within the run, later, or never.
        // Time only moves forward here, as in production: every writer uses the real clock.
        const expiresAt = pick([new Date(Date.now() - DAY), new Date(Date.now() + 50 + Math.floor(rand() * 1500)), new Date(Date.now() + DAY), undefined]);
        await grantCredits(firestore(), { userId: u.uid, amount: 1 + Math.floor(rand() * 6), reason: "prop", source: pick(["admin", "promo"] as const), expiresAt, actor: "test", auditActor: admin.auditActor }, async () => true);
      } else if (kind === "sweep") {
        await sweepExpiredGrants(firestore(), new Date(), 50, { userIds: users.map((x) => x.uid) });
      } else if (kind === "renew") {
        await renewUser(firestore(), u.uid, new Date());
      } else if (kind === "plan") {
        // Started a month ago, so its period has ended and a renewal is due.
        await setUserPlan(firestore(), { userId: u.uid, planId: pick(["free", "creator"]), reason: "prop", ...admin }, async () => true, new Date(Date.now() - 31 * DAY));
      } else if (kind === "pack") {
        const pi = pick(payments[u.uid]);
        await fulfilPack(firestore(), { uid: u.uid, pack: await readPack(firestore(), "pack-100"), sessionId: `cs_${pi}`, paymentIntent: pi });
        bought.add(pi);
      } else if (kind === "refund") {
        const pi = pick(payments[u.uid]);
        await clawbackRefund(firestore(), { chargeId: `ch_${pi}`, paymentIntent: pi, amount: 1000, amountRefunded: pick([300, 700, 1000]) });
      } else if (kind === "dispute") {
        const pi = pick(payments[u.uid]);
        await disputeEvent(firestore(), { disputeId: `dp_${pi}`, paymentIntent: pi, status: pick(["open", "open", "won", "lost"] as const) });
      }
      seen[kind] = (seen[kind] ?? 0) + 1;
    } catch (err) {
      const code = String((err as { code?: unknown }).code);
      if (!RETRYABLE.has(code) && code !== "10") throw err;
      seen[code] = (seen[code] ?? 0) + 1;
    }
  };

  // Stripe plan changes with proration invoices (issue 23 item 3), racing everything below.
  const subscribers = await Promise.all((["always_invoice", "create_prorations"] as const).map(async (behaviour) => ({ ...(await createTestUser({ credits: 0, prefix: "billsub" })), behaviour })));
  const planChanges = drivePlanChanges(firestore(), subscribers, rng(seed + 100));
  await Promise.all(Array.from({ length: 6 }, async () => {
    for (let i = 0; i < 15; i++) await op();
  }));
  for (const kind of ["create", "grant", "sweep", "renew", "plan", "pack", "refund", "dispute"]) expect(seen[kind] ?? 0).toBeGreaterThan(0);
  // No period grants more than the largest allowance held in it (and each period was granted).
  const held = await planChanges;
  for (const s of subscribers) {
    expect(await planChangeViolations(s.uid, held.get(s.uid)!)).toEqual([]);
    expect(await grantViolations(s.uid)).toEqual([]);
  }
  // Clawbacks followed by refunds (issue 23 item 2): every job still queued fails and is refunded
  // after the walk's clawbacks. At quiescence no grant a clawback found spent was revived while
  // that clawback's shortfall is outstanding (the refund paid the shortfall first).
  for (const u of users) {
    for (const id of requests[u.uid]) {
      const ref = db().doc(`generationRequests/${id}`);
      await db().runTransaction(async (tx) => {
        if ((await tx.get(ref)).get("status") === "queued") tx.update(ref, { status: "failed", error: { code: "TEST", message: "injected" } });
      });
      await refundIfOwed(firestore(), id, "test");
    }
    const doc = (await db().doc(`users/${u.uid}`).get()).data()!;
    const live = new Set((doc.grants as { id: string; remaining: number }[]).filter((g) => g.remaining > 0).map((g) => g.id));
    expect(((doc.shortfalls ?? []) as { grantId: string }[]).filter((f) => live.has(f.grantId))).toEqual([]);
  }
  // One debit per request, and one refund exactly when it ended failed or cancelled.
  const ended: string[] = [];
  for (const u of users) {
    expect(await grantViolations(u.uid)).toEqual([]);
    const ledger = (await db().collection(`users/${u.uid}/ledger`).get()).docs;
    for (const id of requests[u.uid]) {
      const status = (await db().doc(`generationRequests/${id}`).get()).get("status");
      const count = (type: string) => ledger.filter((d) => d.get("type") === type && d.get("requestId") === id).length;
      const refundable = status === "failed" || status === "cancelled";
      if (refundable) ended.push(id);
      expect({ id, status, debits: count("debit"), refunds: count("refund") }).toEqual({ id, status, debits: 1, refunds: refundable ? 1 : 0 });
    }
  }
  expect(ended.length).toBeGreaterThan(0);
  // Each bought payment's clawbacks and reinstatements net to what its facts call for: all of it
  // while a dispute is open or lost, else the highest refund's share.
  const settled = { disputed: 0, refunded: 0 };
  for (const pi of bought) {
    const p = (await db().doc(`stripePayments/${pi}`).get()).data()!;
    if (p.disputes && Object.keys(p.disputes).length) settled.disputed++;
    if (p.refund) settled.refunded++;
    const statuses = Object.values((p.disputes ?? {}) as Record<string, { status: string }>).map((d) => d.status);
    const want = statuses.some((x) => x !== "won") ? p.credits : p.refund ? refundShare(p.credits, p.refund.amountRefunded, p.refund.amount) : 0;
    const ledger = await db().collection(`users/${p.uid}/ledger`).get();
    const mine = ledger.docs.filter((d) => d.id.startsWith(`clawback-ch_${pi}-`) || d.id === `dispute-dp_${pi}` || d.id === `reinstate-dp_${pi}`);
    expect([pi, -mine.reduce((sum, d) => sum + Number(d.get("amount")), 0) || 0]).toEqual([pi, want]);
  }
  expect(settled.disputed * settled.refunded).toBeGreaterThan(0);
  // Grants did expire during the run (short expiries, ended plan periods).
  const expired = await Promise.all(users.map((u) => db().collection(`users/${u.uid}/ledger`).where("type", "==", "expire").count().get()));
  expect(expired.reduce((s, c) => s + c.data().count, 0)).toBeGreaterThan(0);
});

// Issue 23 item 8: an erasure racing creates of both kinds (generation requests and custom
// models, the latter decoding photos for a while before their commit). Whichever side wins each
// race, afterwards the grant invariants hold, nothing is left open or unrefunded, every model is
// deleted, the user's folders are empty, and a create after the erasure is refused.
describe("an erasure racing creates", () => {
  const ERASER = { uid: "superadmin_test", role: "superadmin", via: "id-token" as const };
  it.each([[3], [4]])("leaves every invariant holding (seed %i)", async (seed) => {
    const rand = rng(seed);
    const u = await createTestUser({ credits: 40, prefix: "eraserace" });
    const caller: Caller = { uid: u.uid, role: "user", via: "id-token" };
    const images = (await photos(10, 300 + seed * 20)).map(dataUrl);
    const createOne = (i: number) => (i % 3 === 0
      ? createCustomModel(firestore(), caller, { name: `race ${i}`, baseModel: "A", subject: "person", images })
      : createGenerationRequest(firestore(), caller, { model: "A", style: "anime", color: "muted", size: "512x512", prompt: `race ${seed}-${i}`, numImages: 1 }));
    const outcomes: Record<string, number> = {};
    const attempt = async (i: number) => {
      try {
        await createOne(i);
        outcomes.created = (outcomes.created ?? 0) + 1;
      } catch (err) {
        const code = String((err as { code?: unknown }).code);
        if (code !== "UNAUTHENTICATED" && !RETRYABLE.has(code)) throw err;
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
    };
    // One create lands before the race, so the erasure always has paid work to end (whether any
    // racing create beats the erasure depends on timing; the invariants must hold either way).
    await attempt(1);
    expect(outcomes.created).toBe(1);
    const eraseAfter = Math.floor(rand() * 6);
    const creates: Promise<void>[] = [];
    let erasure: Promise<unknown> | null = null;
    for (const i of [0, 2, 3, 4, 5, 6, 7, 8]) {
      if (i >= eraseAfter && !erasure) erasure = startErasure(firestore(), u.uid, ERASER, "race").then(() => runErasure(eraseContext(u.uid)));
      creates.push(attempt(i));
    }
    await Promise.all([...creates, erasure]);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(9);
    expect((await db().doc(`erasures/${u.uid}`).get()).get("status")).toBe("completed");

    expect(await grantViolations(u.uid)).toEqual([]);
    const [requests, models] = await Promise.all(["generationRequests", "customModels"].map((c) => db().collection(c).where("userId", "==", u.uid).get()));
    for (const r of requests.docs) {
      expect([r.id, ["queued", "running"].includes(r.get("status")), !!r.get("deletedAt")]).toEqual([r.id, false, true]);
      if (["failed", "cancelled"].includes(r.get("status"))) expect([r.id, r.get("refunded")]).toEqual([r.id, true]);
    }
    expect(models.docs.map((m) => m.get("status"))).toEqual(models.docs.map(() => "deleted"));
    const refunds = (await db().collection(`users/${u.uid}/ledger`).where("type", "==", "refund").get()).docs.map((d) => d.get("requestId"));
    expect(new Set(refunds).size).toBe(refunds.length);
    // Every queued request and model was refunded: what stays spent is nothing (none ran).
    const user = (await db().doc(`users/${u.uid}`).get()).data()!;
    expect(user.credits).toBe(40);
    expect(userStoragePrefixes(u.uid).flatMap(filesUnder)).toEqual([]);

    for (const i of [0, 1]) await expect(createOne(i)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});
