// Who may erase whom: a superadmin anyone (but never by API key), a user themselves only with a
// fresh sign-in, so a stolen session an hour old cannot wipe an account.
import type { Auth } from "firebase-admin/auth";
import type { Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import { isFreshSignIn } from "./scrub";

export async function assertMayErase(auth: Pick<Auth, "verifyIdToken">, caller: Caller, target: string, authorization: string | undefined, freshSeconds: number): Promise<void> {
  if (caller.uid !== target) {
    if (caller.role !== "superadmin") throw new ApiError("PERMISSION_DENIED", "only a superadmin may erase another user");
    return;
  }
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  // The endpoint already verified this token; it is read again only for its auth_time.
  const decoded = token ? await auth.verifyIdToken(token) : null;
  if (!isFreshSignIn(decoded?.auth_time, Date.now(), freshSeconds)) {
    throw new ApiError("PERMISSION_DENIED", `erasing your own account needs a sign-in within the last ${freshSeconds} seconds; sign in again and retry`, { reason: "stale-sign-in", maxAgeSeconds: freshSeconds });
  }
}
