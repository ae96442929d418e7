// Whose wallet a paid create charges: the caller's own (or, for a platform admin, the named
// user's), or an organisation's when the body names `orgId` or the caller is an organisation's
// API key (which always acts for its organisation). Acting for an organisation needs membership.
import type { Firestore } from "firebase-admin/firestore";
import { targetUser, type Caller } from "../auth/caller";
import { orgWallet, userWallet, type WalletRef } from "../ledger/walletRef";
import { orgAccess } from "./access";

export interface Acting {
  /** The member (or user) the create is made by; recorded as the request's `userId`. */
  uid: string;
  wallet: WalletRef;
  orgId: string | null;
}

export async function actingFor(db: Firestore, caller: Caller, orgId: string | undefined, requestedUser: string | undefined): Promise<Acting> {
  const org = orgId ?? caller.key?.orgId ?? undefined;
  const uid = targetUser(caller, requestedUser);
  if (!org) return { uid, wallet: userWallet(uid), orgId: null };
  await orgAccess(db, caller, org, "generate");
  return { uid, wallet: orgWallet(org), orgId: org };
}
