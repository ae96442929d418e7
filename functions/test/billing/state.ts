// Reads one user's wallet, ledger and grant documents from the emulator and lists every violated
// invariant of issue 16 (see invariants.ts).
import { db } from "../../../test-support/emulator";
import { walletOf, creditsOf } from "../../src/ledger/grants/wallet";
import { violations, type Entry, type GrantDoc } from "./invariants";

export async function grantViolations(uid: string): Promise<string[]> {
  const [user, ledger, grants] = await Promise.all([
    db().doc(`users/${uid}`).get(), db().collection(`users/${uid}/ledger`).get(), db().collection(`users/${uid}/grants`).get(),
  ]);
  const w = walletOf(user.data());
  const credits = (user.get("credits") as number | undefined) ?? 0;
  const out = creditsOf(w) === credits ? [] : [`stored credits ${credits} != wallet ${creditsOf(w)}`];
  return out.concat(violations(
    { ...w, credits },
    ledger.docs.map((d) => ({ id: d.id, ...d.data() }) as Entry),
    grants.docs.map((d) => ({ id: d.id, ...d.data() }) as GrantDoc),
  ));
}
