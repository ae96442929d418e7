// Opaque pagination cursors: base64url JSON of the last item's sort key (timestamp + doc id, so
// equal timestamps never skip or repeat items). Clients must treat them as opaque.
import { Timestamp } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { isDocId } from "../http/ids";

interface CursorBody {
  s: number;
  n: number;
  id: string;
}

export function encodeCursor(createdAt: Timestamp, id: string): string {
  const body: CursorBody = { s: createdAt.seconds, n: createdAt.nanoseconds, id };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Timestamp; id: string } {
  try {
    const b = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorBody;
    if (!Number.isInteger(b.s) || !Number.isInteger(b.n) || !isDocId(b.id)) throw new Error("shape");
    return { createdAt: new Timestamp(b.s, b.n), id: b.id };
  } catch {
    throw new ApiError("INVALID_ARGUMENT", "cursor: not a cursor returned by this API", { fields: [{ path: "cursor", message: "invalid" }] });
  }
}

export interface PageQuery { limit: number; cursor?: string }

/**
 * One page of `query`, newest first by `field` then by document id (ties never skip or repeat),
 * plus the cursor of the next page or null. `query` carries the filters only.
 */
export async function pageOf(query: FirebaseFirestore.Query, field: string, page: PageQuery) {
  let q = query.orderBy(field, "desc").orderBy("__name__", "desc");
  if (page.cursor) {
    const c = decodeCursor(page.cursor);
    q = q.startAfter(c.createdAt, c.id);
  }
  const snap = await q.limit(page.limit + 1).get();
  const docs = snap.docs.slice(0, page.limit);
  const last = docs[docs.length - 1];
  return { docs, nextCursor: snap.docs.length > page.limit && last ? encodeCursor(last.get(field), last.id) : null };
}
