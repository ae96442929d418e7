// One erasure step: idempotent (re-running a finished or half-finished step is harmless) and
// bounded per call by `batchLimit`-sized pages. Steps run in ERASE_STEPS order; the erasure
// document records each one as it finishes, so an interrupted erasure resumes at the first
// unfinished step. A feature that stores user data adds one step file and one list entry.
import type { Firestore } from "firebase-admin/firestore";
import type { ManagedStorage } from "../../storage/storage";

/** The part of firebase-admin's Auth that erasure uses (tests and the admin SDK both fit). */
export interface EraseAuth {
  revokeRefreshTokens(uid: string): Promise<void>;
  updateUser(uid: string, props: { disabled?: boolean; email?: string; displayName?: string | null; photoURL?: string | null }): Promise<unknown>;
}

/** The part of the Stripe API that erasure uses (the stripe client fits; tests point it at the stand-in). */
export interface EraseBilling {
  subscriptions: {
    cancel(id: string): Promise<{ id: string; status: string; customer: string | { id: string } }>;
    retrieve(id: string): Promise<{ id: string; status: string; customer: string | { id: string } }>;
  };
  customers: { del(id: string): Promise<{ id: string; deleted?: boolean }> };
}

export interface EraseContext {
  db: Firestore;
  auth: EraseAuth;
  /** Stripe; null where no Stripe key is configured (nothing was ever sold through it). */
  billing: EraseBilling | null;
  files: ManagedStorage;
  uid: string;
  batchLimit: number;
  now: () => Date;
}

export interface EraseStep {
  name: string;
  run(ctx: EraseContext): Promise<void>;
}

/** Runs `apply` on every document `query` returns, a page at a time, until a page comes back short. */
export async function forEachPage(
  query: FirebaseFirestore.Query, limit: number, apply: (docs: FirebaseFirestore.QueryDocumentSnapshot[]) => Promise<void>,
): Promise<void> {
  let after: FirebaseFirestore.QueryDocumentSnapshot | undefined;
  for (;;) {
    const q = query.orderBy("__name__").limit(limit);
    const page = await (after ? q.startAfter(after) : q).get();
    if (page.docs.length) await apply(page.docs);
    if (page.docs.length < limit) return;
    after = page.docs[page.docs.length - 1];
  }
}

/** Auth calls on an account that no longer exists have nothing left to do. */
export async function ignoreMissingUser(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if ((err as { code?: string }).code !== "auth/user-not-found") throw err;
  }
}
