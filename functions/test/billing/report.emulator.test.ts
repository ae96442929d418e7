// The weekly report counts what money came in, by grant source, and what expired unspent.
import { callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";
import { parseIsoWeek } from "../../src/shared/isoWeek";
import { WalletSession } from "../../src/ledger/grants/session";
import { walletFields, walletOf } from "../../src/ledger/grants/wallet";
import { writeSession } from "../../src/ledger/grants/write";
import { userWallet } from "../../src/ledger/walletRef";
import { firestore } from "../../src/shared/firestore";

// A week nobody else writes into, far from the other report tests' weeks.
const WEEK = "2035-W10";
// Hours into the week (UTC) stay well inside it in any report time zone.

it("shows credits granted by source and credits expired", async () => {
  const { start } = parseIsoWeek(WEEK, "UTC");
  const u = await createTestUser({ credits: 0, prefix: "rep" });
  const at = (h: number) => new Date(start.getTime() + h * 3_600_000);
  const steps: [number, (s: WalletSession) => void][] = [
    [12, (s) => s.grant({ id: "plan-x", source: "plan", amount: 200, expiresAtMs: at(50).getTime(), origin: {} }, { reason: "t", actor: "t" })],
    [13, (s) => s.grant({ id: "pack-x", source: "pack", amount: 100, expiresAtMs: null, origin: {} }, { reason: "t", actor: "t" })],
    [14, (s) => s.grant({ id: "promo-x", source: "promo", amount: 7, expiresAtMs: null, origin: {} }, { reason: "t", actor: "t" })],
    [15, (s) => s.debit("debit-x", 50, { reason: "t", actor: "t" })],
    // Opening a session after the plan's end expires what it had left (150).
    [60, () => undefined],
  ];
  for (const [hour, act] of steps) {
    const now = at(hour);
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
  expect(doc.credits).toMatchObject({ granted: 307, expired: 150, grantedBySource: { plan: 200, pack: 100, promo: 7, admin: 0 } });
});
