import type { Firestore } from "firebase-admin/firestore";
import { isAdmin, type Caller } from "../auth/caller";
import { ApiError } from "../http/errors";
import { pageOf, type PageQuery } from "../shared/cursor";
import type { CustomModelStatus } from "./schema";

/** A model the caller may see; someone else's id is NOT_FOUND, so ids leak nothing. */
export async function readOwnModel(db: Firestore, caller: Caller, id: string) {
  const doc = await db.doc(`customModels/${id}`).get();
  if (!doc.exists || (doc.get("userId") !== caller.uid && !isAdmin(caller))) throw new ApiError("NOT_FOUND", `custom model '${id}' not found`);
  return doc;
}

export async function listModels(db: Firestore, uid: string, opts: { status?: CustomModelStatus } & PageQuery) {
  let q = db.collection("customModels").where("userId", "==", uid);
  if (opts.status) q = q.where("status", "==", opts.status);
  return pageOf(q, "createdAt", opts);
}
