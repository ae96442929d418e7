// Whether an account's erasure has started (startErasure sets users/{uid}.erasureStartedAt in the
// same commit that creates erasures/{uid}). Read by caller resolution (the caller itself: 401)
// and by the admin endpoints that act on another account (the target: 409 ACCOUNT_ERASED).
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";

export const isErasing = (user: DocumentSnapshot | undefined) => !!user?.get("erasureStartedAt");

/** The caller's own account is being erased: whatever credential is still valid, nothing more is done for it. */
export const accountErased = () => new ApiError("UNAUTHENTICATED", "this account has been erased", { reason: "account-erased" });

/** Whether `err` is the refusal above (a call made for an account whose erasure has started). */
export const isAccountErased = (err: unknown) => err instanceof ApiError && err.code === "UNAUTHENTICATED" && (err.details as { reason?: string } | undefined)?.reason === "account-erased";

/** Role changes, grants and plans are refused for an account being erased or erased. */
export function assertNotErased(user: DocumentSnapshot, action: string): void {
  if (!isErasing(user)) return;
  throw new ApiError("ACCOUNT_ERASED", `user '${user.id}' has been erased: ${action} refused`, { userId: user.id, erasedAt: user.get("erasedAt")?.toDate?.().toISOString() ?? null });
}
