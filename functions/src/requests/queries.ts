import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import { pageOf, type PageQuery } from "../shared/cursor";
import type { RequestStatus } from "./schema";
import { orgAccess } from "../orgs/access";
import { mayDo } from "../orgs/roles";

/**
 * A request the caller may see: their own, or (owners and admins of its organisation) any of
 * the organisation's. Someone else's id is NOT_FOUND, so ids leak nothing.
 */
export async function readOwnRequest(db: Firestore, caller: Caller, id: string) {
  const doc = await db.doc(`generationRequests/${id}`).get();
  const orgId = doc.get("orgId") as string | null | undefined;
  const visible = doc.exists && (doc.get("userId") === caller.uid || isAdmin(caller) || (orgId && (await mayReadAll(db, caller, orgId))));
  if (!visible) throw new ApiError("NOT_FOUND", `generation request '${id}' not found`);
  return doc;
}

async function mayReadAll(db: Firestore, caller: Caller, orgId: string): Promise<boolean> {
  return orgAccess(db, caller, orgId, "readAll").then(() => true, (err) => {
    if (err instanceof ApiError) return false;
    throw err;
  });
}

/** Whose requests a list shows: a user's own, a member's within an organisation, or all of an organisation's. */
export type RequestScope = { uid: string; orgId?: undefined } | { orgId: string; uid: string | null };

/** The scope of `listGenerationRequests?orgId=`: owners and admins see every member's, the others their own. */
export async function orgListScope(db: Firestore, caller: Caller, orgId: string): Promise<RequestScope> {
  const access = await orgAccess(db, caller, orgId, "read");
  return { orgId, uid: mayDo(access.role, "readAll") ? null : caller.uid };
}

export async function listRequests(db: Firestore, scope: RequestScope, opts: { status?: RequestStatus } & PageQuery) {
  let q: FirebaseFirestore.Query = db.collection("generationRequests");
  if (scope.orgId) q = q.where("orgId", "==", scope.orgId);
  if (scope.uid) q = q.where("userId", "==", scope.uid);
  if (opts.status) q = q.where("status", "==", opts.status);
  return pageOf(q, "createdAt", opts);
}
