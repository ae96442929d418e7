// One schema for every id a client may send (request ids, user ids, key ids, cursors' ids).
// Each becomes one segment of a Firestore path, so anything that could address another
// document ('/', '.', '..', the reserved `__x__` form) or exceed a uid's 128 characters is a
// 400 here, before any read or write.
import { z } from "zod";

const ID_CHARS = /^[A-Za-z0-9_.:@+=-]{1,128}$/;

/** Whether `s` is safe as a single Firestore document id of ours. */
export function isDocId(s: unknown): s is string {
  return typeof s === "string" && ID_CHARS.test(s) && s !== "." && s !== ".." && !/^__.*__$/.test(s);
}

export const docId = z.string().refine(isDocId, "must be an id of 1-128 letters, digits or _ . : @ + = - (no '/')");
