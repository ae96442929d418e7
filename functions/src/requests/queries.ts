import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import { pageOf, type PageQuery } from "../shared/cursor";
import type { RequestStatus } from "./schema";

/** A request the caller may see; someone else's id is NOT_FOUND, so ids leak nothing. */
export async function readOwnRequest(db: Firestore, caller: Caller, id: string) {
  const doc = await db.doc(`generationRequests/${id}`).get();
  if (!doc.exists || (doc.get("userId") !== caller.uid && !isAdmin(caller))) {
    throw new ApiError("NOT_FOUND", `generation request '${id}' not found`);
  }
  return doc;
}

export async function listRequests(db: Firestore, uid: string, opts: { status?: RequestStatus } & PageQuery) {
  let q = db.collection("generationRequests").where("userId", "==", uid);
  if (opts.status) q = q.where("status", "==", opts.status);
  return pageOf(q, "createdAt", opts);
}
