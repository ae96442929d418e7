// Which wallet a movement of credits belongs to: a user's (`users/{uid}`) or an organisation's
// (`orgs/{orgId}`). Both are the same shape (the wallet fields on the document, a `ledger` and a
// `grants` subcollection) and go through the same code; only the document differs. A paid job
// names its wallet by `orgId` (an organisation's) or else `userId` (its user's).
export type WalletKind = "user" | "org";

export interface WalletRef {
  kind: WalletKind;
  id: string;
}

export const userWallet = (uid: string): WalletRef => ({ kind: "user", id: uid });
export const orgWallet = (orgId: string): WalletRef => ({ kind: "org", id: orgId });

const COLLECTION: Record<WalletKind, string> = { user: "users", org: "orgs" };

/** The document holding the wallet's fields; its `ledger` and `grants` subcollections hang below it. */
export const walletPath = (w: WalletRef) => `${COLLECTION[w.kind]}/${w.id}`;
export const ledgerEntryPath = (w: WalletRef, entryId: string) => `${walletPath(w)}/ledger/${entryId}`;
export const grantDocPath = (w: WalletRef, grantId: string) => `${walletPath(w)}/grants/${grantId}`;

/** The wallet a paid job (generation request, custom model) was charged to. */
export function walletOfJob(job: { get(field: string): unknown }): WalletRef {
  const orgId = job.get("orgId");
  return typeof orgId === "string" && orgId ? orgWallet(orgId) : userWallet(job.get("userId") as string);
}

/** The actor named on an entry written for the wallet's own account (a user, or a member of an org). */
export const sameWallet = (a: WalletRef, b: WalletRef) => a.kind === b.kind && a.id === b.id;
