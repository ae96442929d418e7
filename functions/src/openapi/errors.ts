// The error envelope every endpoint answers with, and which codes an endpoint can raise. The
// meanings are typed against ERROR_STATUS, so a new code cannot be left out of the reference.
import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../http/errors";
import type { DescribedSpec } from "../http/endpoint";

const CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const errorEnvelopeSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(CODES).meta({ description: "stable machine code: branch on this, not on the message" }),
    message: z.string().meta({ description: "for people; names the field first when a field is at fault" }),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: "e.g. fields[] (path, message), allowed ids, required/available credits, retryAfterSeconds" }),
  }),
}).meta({ id: "Error" });

export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  INVALID_ARGUMENT: "bad JSON, wrong types, unknown keys, out-of-range values, unknown or disabled catalog ids (details.fields[] has every path)",
  UNAUTHENTICATED: "missing, malformed, forged or expired ID token or API key",
  API_KEY_REVOKED: "the API key was revoked",
  API_KEY_EXPIRED: "the API key's expiresAt has passed",
  INSUFFICIENT_CREDITS: "the balance is below the price (details.required, details.available)",
  BUDGET_EXCEEDED: "an organisation member's or key's budget would be exceeded (details.limit, details.used, details.period, details.resetsAt)",
  PERMISSION_DENIED: "the caller's role does not allow this, or a non-admin named another userId",
  INSUFFICIENT_SCOPE: "the API key lacks the endpoint's scope (details.required, details.granted)",
  NOT_FOUND: "no such item, or someone else's",
  METHOD_NOT_ALLOWED: "wrong HTTP method",
  FAILED_PRECONDITION: "the item's state forbids it (e.g. cancelling a running request, reusing an idempotency key with other parameters)",
  ACCOUNT_ERASED: "the named user's account is erased (or being erased): roles, grants and plans no longer apply to it",
  PAYLOAD_TOO_LARGE: "the body is larger than the endpoint accepts",
  RATE_LIMITED: "too many paid creates (or uploads) this minute, or too many create calls of one API key in progress (Retry-After header, details.retryAfterSeconds)",
  QUOTA_EXCEEDED: "the API key's daily quota is used up (Retry-After: seconds to 00:00 UTC), or too many unused uploads (Retry-After: until the oldest expires)",
  INTERNAL: "a bug; logged with a call id",
  UNAVAILABLE: "a dependency is down, the account is too busy, or this server is decoding too many images (details.reason DECODES_BUSY); retry after Retry-After",
};

/** Codes any call to this endpoint can meet, then the endpoint's own. */
export function errorCodesOf(spec: Pick<DescribedSpec, "access" | "scope" | "errors" | "input">): ErrorCode[] {
  if (spec.access === "public") return ["INTERNAL"];
  const keys: ErrorCode[] = spec.scope ? ["API_KEY_REVOKED", "API_KEY_EXPIRED", "INSUFFICIENT_SCOPE"] : [];
  const common: ErrorCode[] = ["INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "METHOD_NOT_ALLOWED", "INTERNAL", ...keys];
  return [...new Set([...common, ...(spec.errors ?? [])])];
}

/** Codes grouped by HTTP status, in status order. */
export function byStatus(codes: ErrorCode[]): Array<[number, ErrorCode[]]> {
  const groups = new Map<number, ErrorCode[]>();
  for (const c of codes) groups.set(ERROR_STATUS[c], [...(groups.get(ERROR_STATUS[c]) ?? []), c]);
  return [...groups.entries()].sort((a, b) => a[0] - b[0]);
}
