// Property test: random interleavings of create / cancel / fail / succeed / grant for several
import { rng } from "../../../test-support/rng";
// users, run concurrently against the emulator through the real modules (and the real refund
// trigger in the Functions emulator). Afterwards every user's balance equals the sum of their
// ledger, never went negative, and every request was charged once and refunded at most once.
import { createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { createGenerationRequest } from "../../src/requests/create";
import { cancelRequest } from "../../src/requests/cancel";
import { grantCredits } from "../../src/ledger/grant";
import { refundIfOwed } from "../../src/ledger/refund";
import { firestore } from "../../src/shared/firestore";
import type { Caller } from "../../src/auth/caller";


const FORWARD: Record<string, string[]> = { queued: ["running", "failed"], running: ["succeeded", "failed"] };

/** What the runner or the sweeper does: a forward-only status change, then (maybe) the refund. */
async function transition(id: string, to: "running" | "succeeded" | "failed") {
  const fs = firestore();
  const moved = await fs.runTransaction(async (tx) => {
    const snap = await tx.get(fs.doc(`generationRequests/${id}`));
    if (!FORWARD[snap.get("status")]?.includes(to)) return false;
    tx.update(snap.ref, { status: to, ...(to === "failed" ? { error: { code: "COMFY_EXECUTION_ERROR", message: "injected" } } : {}) });
    return true;
  });
  if (moved && to === "failed") await refundIfOwed(fs, id, "test:runner");
}

async function settle(ids: string[]) {
  const until = Date.now() + 60_000;
  for (;;) {
    const docs = await Promise.all(ids.map((id) => db().doc(`generationRequests/${id}`).get()));
    const pending = docs.filter((d) => ["failed", "cancelled"].includes(d.get("status")) && !d.get("refunded"));
    if (!pending.length) return docs;
    if (Date.now() > until) throw new Error(`${pending.length} refunds never landed`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it.each([[1], [2], [3]])("keeps credits == sum(ledger) and credits >= 0 under random interleavings (seed %i)", async (seed) => {
  const rand = rng(seed);
  const pickOf = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const users = await Promise.all([3, 5, 8, 12].map((credits) => createTestUser({ credits, prefix: "prop" })));
  const ids: Record<string, string[]> = Object.fromEntries(users.map((u) => [u.uid, []]));
  const outcomes: Record<string, number> = {};
  const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);

  const op = async () => {
    const u = pickOf(users);
    const caller: Caller = { uid: u.uid, role: "user", via: "id-token" };
    const mine = ids[u.uid];
    const r = rand();
    try {
      if (r < 0.4 || !mine.length) {
        const res = await createGenerationRequest(firestore(), caller, {
          model: pickOf(["A", "B"]), style: "anime", color: "muted", size: "512x512", prompt: "property test", numImages: 1 + Math.floor(rand() * 3),
        });
        mine.push(res.generationRequestId);
        count("created");
      } else if (r < 0.55) {
        await cancelRequest(firestore(), caller, pickOf(mine));
        count("cancelled");
      } else if (r < 0.7) {
        await transition(pickOf(mine), "failed");
        count("fail");
      } else if (r < 0.8) {
        await transition(pickOf(mine), "running");
        count("start");
      } else if (r < 0.9) {
        await transition(pickOf(mine), "succeeded");
        count("succeed");
      } else {
        await grantCredits(firestore(), { userId: u.uid, amount: 1 + Math.floor(rand() * 4), reason: "property test", actor: "test", auditActor: { uid: "test", role: "admin", via: "cli" } }, async () => true);
        count("grant");
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "INSUFFICIENT_CREDITS" && code !== "FAILED_PRECONDITION") throw err;
      count(code);
    }
  };

  // 8 lanes of 20 operations each: real concurrency on the same user documents.
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = 0; i < 20; i++) await op();
  }));
  expect(outcomes.created).toBeGreaterThan(10);

  for (const u of users) {
    const docs = await settle(ids[u.uid]);
    const state = await ledgerState(u.uid);
    expect(state.credits).toBe(state.ledgerSum);
    expect(state.credits).toBeGreaterThanOrEqual(0);
    for (const e of state.entries as any[]) expect(e.balanceAfter).toBeGreaterThanOrEqual(0);
    for (const d of docs) {
      const entries = state.entries.filter((e: any) => e.requestId === d.id);
      expect(entries.filter((e: any) => e.type === "debit")).toHaveLength(1);
      const refunds = entries.filter((e: any) => e.type === "refund");
      expect(refunds).toHaveLength(["failed", "cancelled"].includes(d.get("status")) ? 1 : 0);
    }
  }
});
