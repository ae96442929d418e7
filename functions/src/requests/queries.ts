import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import type { RequestStatus } from "./schema";

/** A request the caller may see; someone else's id is NOT_FOUND, so ids leak nothing. */
export async function readOwnRequest(db: Firestore, caller: Caller, id: string) {
  const doc = await db.doc(`generationRequests/${id}`).get();
  if (!doc.exists || (doc.get("userId") !== caller.uid && !isAdmin(caller))) {
    throw new ApiError("NOT_FOUND", `generation request '${id}' not found`);
  }
  return doc;
}

export async function listRequests(db: Firestore, uid: string, opts: { status?: RequestStatus; limit: number; cursor?: string }) {
  let q = db.collection("generationRequests").where("userId", "==", uid);
  if (opts.status) q = q.where("status", "==", opts.status);
  q = q.orderBy("createdAt", "desc").orderBy("__name__", "desc");
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    q = q.startAfter(c.createdAt, c.id);
  }
  const snap = await q.limit(opts.limit + 1).get();
  const docs = snap.docs.slice(0, opts.limit);
  const last = docs[docs.length - 1];
  const nextCursor = snap.docs.length > opts.limit && last ? encodeCursor(last.get("createdAt"), last.id) : null;
  return { docs, nextCursor };
}
