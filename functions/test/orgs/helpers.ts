// An organisation set up over HTTP the way clients do it: an owner creates it, invites members,
// they accept with their own (verified) accounts, and an admin funds its wallet.
import { auth, callFunction, createTestUser, db, signIn } from "../../../test-support/emulator";

export const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };

export type TestUser = Awaited<ReturnType<typeof createTestUser>>;

/** A fresh user whose email is verified (a fresh ID token carries it). */
export async function verifiedUser(credits = 0): Promise<TestUser> {
  const u = await createTestUser({ credits, prefix: "org" });
  await auth().updateUser(u.uid, { emailVerified: true });
  return { ...u, token: await signIn(u.email) };
}

export async function newOrg(owner: TestUser, name = "Acme Staging"): Promise<string> {
  const r = await callFunction("createOrganization", { token: owner.token, body: { name } });
  if (r.status !== 201) throw new Error(`createOrganization: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.orgId;
}

export async function join(orgId: string, inviter: TestUser, invitee: TestUser, role: string): Promise<void> {
  const inv = await callFunction("inviteMember", { token: inviter.token, body: { orgId, email: invitee.email, role } });
  if (inv.status !== 201) throw new Error(`inviteMember: ${inv.status} ${JSON.stringify(inv.body)}`);
  const acc = await callFunction("acceptInvitation", { token: invitee.token, body: { invitationId: inv.body.invitationId } });
  if (acc.status !== 200) throw new Error(`acceptInvitation: ${acc.status} ${JSON.stringify(acc.body)}`);
}

export async function fundOrg(orgId: string, amount: number): Promise<void> {
  const admin = await signIn("admin@example.com");
  const r = await callFunction("grantCredits", { token: admin, body: { orgId, amount, reason: "org test funding" } });
  if (r.status !== 201) throw new Error(`grantCredits: ${r.status} ${JSON.stringify(r.body)}`);
}

/** The organisation wallet's balance and the sum of its ledger. */
export async function orgLedger(orgId: string) {
  const [org, ledger] = await Promise.all([db().doc(`orgs/${orgId}`).get(), db().collection(`orgs/${orgId}/ledger`).get()]);
  return { credits: org.get("credits") as number, ledgerSum: ledger.docs.reduce((s, d) => s + (d.get("amount") as number), 0), entries: ledger.size };
}
