// Opaque pagination cursors: base64url JSON of the last item's sort key (timestamp + doc id, so
// equal timestamps never skip or repeat items). Clients must treat them as opaque.
import { Timestamp } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";

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
    if (!Number.isInteger(b.s) || !Number.isInteger(b.n) || typeof b.id !== "string" || !b.id) throw new Error("shape");
    return { createdAt: new Timestamp(b.s, b.n), id: b.id };
  } catch {
    throw new ApiError("INVALID_ARGUMENT", "cursor: not a cursor returned by this API", { fields: [{ path: "cursor", message: "invalid" }] });
  }
}
