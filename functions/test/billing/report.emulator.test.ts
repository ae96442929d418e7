// The weekly report counts what money came in, by grant source, and what expired unspent.
import { callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { parseIsoWeek } from "../../src/shared/isoWeek";
import { WalletSession } from "../../src/ledger/grants/session";
import { walletFields, walletOf } from "../../src/ledger/grants/wallet";
import { writeSession } from "../../src/ledger/grants/write";
import { userWallet } from "../../src/ledger/walletRef";
import { firestore } from "../../src/shared/firestore";
import { prepareCreate } from "../../src/requests/create";
import { commitCreates } from "../../src/requests/optimisticCommit";

// A week nobody else writes into, far from the other report tests' weeks.
const WEEK = "2035-W10";
// Hours into the week (UTC) stay well inside it in any report time zone.

it("shows credits granted by source and credits expired", async () => {
  const { start } = parseIsoWeek(WEEK, "UTC");
  const u = await createTestUser({ credits: 0, prefix: "rep" });
  const at = (h: number) => new Date(start.getTime() + h * 3_600_000);
  // Grants and the expiry through the wallet session's own writes; the spend is a real create
  // (request, debit and usage counter in the create's commit), with the commit's clock at hour 15.
  let spent = 0;
  const steps: [number, (s: WalletSession) => void][] = [
    [12, (s) => s.grant({ id: "plan-x", source: "plan", amount: 200, expiresAtMs: at(50).getTime(), origin: {} }, { reason: "t", actor: "t" })],
    [13, (s) => s.grant({ id: "pack-x", source: "pack", amount: 100, expiresAtMs: null, origin: {} }, { reason: "t", actor: "t" })],
    [14, (s) => s.grant({ id: "promo-x", source: "promo", amount: 7, expiresAtMs: null, origin: {} }, { reason: "t", actor: "t" })],
    [15, () => undefined],
    // Opening a session after the plan's end expires what it had left.
    [60, () => undefined],
  ];
  for (const [hour, act] of steps) {
    const now = at(hour);
    if (hour === 15) {
      const item = await prepareCreate(firestore(), { uid: u.uid, role: "user", via: "id-token" }, { model: "B", style: "realistic", color: "vibrant", size: "512x512", prompt: "spend", numImages: 4 });
      const [made] = await commitCreates(firestore(), u.uid, [item], { defaultPerMinute: 60, now: () => now });
      expect(made.kind).toBe("created");
      spent = item.cost;
      continue;
    }
    const user = await db().doc(`users/${u.uid}`).get();
    const s = new WalletSession(walletOf(user.data()), now.getTime());
    act(s);
    const batch = firestore().batch();
    writeSession(firestore(), batch, userWallet(u.uid), s, now);
    batch.set(firestore().doc(`users/${u.uid}`), walletFields(s.wallet), { merge: true });
    await batch.commit();
  }
  const admin = await signIn("admin@example.com");
  const res = await callFunction("scheduleWeeklyReport", { token: admin, body: { week: WEEK } });
  expect(res.status).toBe(200);
  const doc = (await db().doc(`reports/${WEEK}`).get()).data()!;
  // The spend drew on the soonest-expiring grant, the plan's; the rest of it expired.
  expect(spent).toBe(8);
  expect(doc.credits).toMatchObject({ granted: 307, debited: spent, expired: 200 - spent, grantedBySource: { plan: 200, pack: 100, promo: 7, admin: 0 } });
});
