// Escrow holds against the emulator: an instance (its own Firestore client, its own group
// committer and hold keeper, as a function instance has) that sees a wallet hot takes a hold and
// spends its creates from it without writing the wallet; it is killed mid-burst (its client
// terminated, whatever commit was in flight left to its fate); another instance keeps creating
// on the direct path; the sweeper, run at a time past the hold's expiry (an injected clock),
// returns what the dead instance held. Afterwards nothing is held, the balance is exactly what
// was granted less what the landed creates cost, and the money audit passes on the wallet.
import { initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import { createTestUser, db, PROJECT_ID } from "../../../test-support/emulator";
import { auditWallet } from "../../../test-support/money-audit/checks";
import { readUserWallet } from "../../../test-support/money-audit/read";
import type { Caller } from "../../src/auth/caller";
import { HoldKeeper } from "../../src/ledger/holds/keeper";
import { heldCredits } from "../../src/ledger/holds/store";
import { sweepExpiredHolds } from "../../src/ledger/holds/sweep";
import { userWallet } from "../../src/ledger/walletRef";
import type { Outcome } from "../../src/requests/commitPlan";
import { prepareCreate } from "../../src/requests/create";
import { GroupCommitter } from "../../src/requests/groupCommit";
import { commitCreates, type PreparedCreate } from "../../src/requests/optimisticCommit";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const TTL_MS = 60_000;
// Hot after 3 creates seen within an hour: the switch to a hold does not depend on the machine's speed.
const POLICY = { hotCreates: 3, windowMs: 3_600_000, horizonMs: 3_600_000, maxCredits: 60 };

/** One function instance: a Firestore client, its group committer and its hold keeper. */
function instance(name: string): { app: App; fs: Firestore; keeper: HoldKeeper; dieAfterCommits: (n: number) => void; create: (caller: Caller, i: number) => Promise<Outcome | string> } {
  const app = initializeApp({ projectId: PROJECT_ID }, `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`);
  const fs = getFirestore(app);
  const keeper = new HoldKeeper(fs, { policy: POLICY, ttlMs: TTL_MS, marginMs: 1_000, idleMs: 3_600_000 });
  // Killed: the process is gone between two commits; nothing it had queued is committed, and it never returns its hold.
  let dead = false;
  let commitsToLive = Infinity;
  const committer = new GroupCommitter<PreparedCreate, Outcome>(async (account, items, pull) => {
    if (dead) throw new Error("instance killed");
    const out = await commitCreates(fs, account, items, { defaultPerMinute: 10_000, holds: keeper }, pull);
    if (--commitsToLive <= 0) dead = true;
    return out;
  }, 50);
  const create = async (caller: Caller, i: number) => {
    try {
      const item = await prepareCreate(fs, caller, { ...CAT, prompt: `${name} ${i}` });
      const [outcome] = await committer.submit(`users/${caller.uid}`, [item]);
      return outcome;
    } catch (err) {
      return String((err as { code?: unknown }).code ?? (err as Error).message);
    }
  };
  return { app, fs, keeper, create, dieAfterCommits: (n) => { commitsToLive = n; } };
}

const kinds = (outcomes: (Outcome | string)[]) => outcomes.map((o) => (typeof o === "string" ? "error" : o.kind));

it("an instance killed mid-burst leaves its hold open; the sweeper returns it and the balance is exact", async () => {
  const user = await createTestUser({ credits: 400, prefix: "hold" });
  const caller: Caller = { uid: user.uid, role: "user", via: "id-token" };
  const a = instance("hold-a");
  const b = instance("hold-b");

  // Warm-up on A, one after another: the wallet becomes hot on A, which takes a hold.
  const warm: (Outcome | string)[] = [];
  for (let i = 0; i < 5; i++) warm.push(await a.create(caller, i));
  expect(kinds(warm)).toEqual(["created", "created", "created", "created", "created"]);
  expect(a.keeper.counters.reserved).toBe(1);
  const holds = db().collection(`users/${user.uid}/holds`);
  expect((await holds.where("state", "==", "open").get()).size).toBe(1);

  // A burst on A; A dies once its first commit of the burst has landed, with the rest queued.
  a.dieAfterCommits(1);
  const burst = Array.from({ length: 20 }, (_, i) => a.create(caller, 100 + i));
  const outcomes = await Promise.all(burst);
  await a.fs.terminate();
  expect(kinds(outcomes)).toContain("created");
  expect(kinds(outcomes)).toContain("error");
  // B, quiet, keeps the direct path meanwhile; its creates never touch A's hold.
  for (let i = 0; i < 2; i++) expect(kinds([await b.create(caller, i)])).toEqual(["created"]);
  expect(b.keeper.counters.reserved).toBe(0);
  // What the dead instance held (its first hold, or the one it rolled to for the burst) is still open.
  const stillOpen = (await holds.where("state", "==", "open").get()).docs;
  expect(stillOpen).toHaveLength(1);
  const held = stillOpen[0];

  // The sweeper, at a time past the hold's expiry, returns what A had left.
  const swept = await sweepExpiredHolds(db(), new Date(Date.now() + TTL_MS + 1_000), { limit: 10, wallets: [userWallet(user.uid)] });
  expect(swept.released).toBe(1);
  expect(await sweepExpiredHolds(db(), new Date(Date.now() + TTL_MS + 1_000), { limit: 10, wallets: [userWallet(user.uid)] })).toEqual({ released: 0, returned: 0, forfeited: 0 });
  expect((await holds.where("state", "==", "open").get()).size).toBe(0);
  expect(await heldCredits(db(), userWallet(user.uid))).toBe(0);

  const requests = await db().collection("generationRequests").where("userId", "==", user.uid).get();
  const spent = requests.docs.reduce((s, d) => s + (d.get("cost") as number), 0);
  expect((await db().doc(`users/${user.uid}`).get()).get("credits")).toBe(400 - spent);
  const fromHold = (await db().collection(`users/${user.uid}/ledger`).where("holdId", "==", held.id).get()).docs;
  expect(fromHold.filter((d) => d.get("type") === "debit").length).toBeGreaterThan(1);
  expect(fromHold.find((d) => d.get("type") === "release")?.get("actor")).toBe("system:hold-sweep");
  expect(auditWallet(await readUserWallet(db(), user.uid))).toEqual([]);
  await b.fs.terminate();
});
