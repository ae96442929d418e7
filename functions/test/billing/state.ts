// Reads one wallet's document, ledger and grant documents from the emulator (a user's, or an
// organisation's) and lists every violated invariant of issue 16 (see invariants.ts).
import { db } from "../../../test-support/emulator";
import { walletOf, creditsOf } from "../../src/ledger/grants/wallet";
import { violations, type Entry, type GrantDoc } from "./invariants";
import { userWallet, walletPath, type WalletRef } from "../../src/ledger/walletRef";

/** `owner`: a user's uid, or any wallet. */
export async function grantViolations(owner: string | WalletRef): Promise<string[]> {
  const path = walletPath(typeof owner === "string" ? userWallet(owner) : owner);
  const [user, ledger, grants] = await Promise.all([db().doc(path).get(), db().collection(`${path}/ledger`).get(), db().collection(`${path}/grants`).get()]);
  const w = walletOf(user.data());
  const credits = (user.get("credits") as number | undefined) ?? 0;
  const out = creditsOf(w) === credits ? [] : [`stored credits ${credits} != wallet ${creditsOf(w)}`];
  return out.concat(violations(
    { ...w, credits },
    ledger.docs.map((d) => ({ id: d.id, ...d.data() }) as Entry),
    grants.docs.map((d) => ({ id: d.id, ...d.data() }) as GrantDoc),
  ));
}
