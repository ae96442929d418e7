// exportUserData's cursor: which section the next page starts in and that section's own cursor.
// Opaque to clients (base64url JSON), validated on the way back in.
import { ApiError } from "../http/errors";

export interface ExportPosition {
  section: number;
  inner: string | null;
}

export function encodeExportCursor(p: ExportPosition): string {
  return Buffer.from(JSON.stringify({ s: p.section, c: p.inner })).toString("base64url");
}

export function decodeExportCursor(cursor: string, sections: number): ExportPosition {
  try {
    const b = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { s: unknown; c: unknown };
    if (!Number.isInteger(b.s) || (b.s as number) < 0 || (b.s as number) >= sections) throw new Error("section");
    if (b.c !== null && (typeof b.c !== "string" || b.c.length > 512)) throw new Error("inner");
    return { section: b.s as number, inner: b.c as string | null };
  } catch {
    throw new ApiError("INVALID_ARGUMENT", "cursor: not a cursor returned by exportUserData", { fields: [{ path: "cursor", message: "invalid" }] });
  }
}

/** Where a page goes next after a section answered `next` (null: that section is exhausted). */
export function advance(at: ExportPosition, next: string | null, sections: number): ExportPosition | null {
  if (next !== null) return { section: at.section, inner: next };
  return at.section + 1 < sections ? { section: at.section + 1, inner: null } : null;
}
