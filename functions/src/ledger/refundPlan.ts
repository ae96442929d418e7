// Whether a request is owed a refund: pure, so the rule is unit-tested apart from Firestore.
import { TERMINAL_REFUNDABLE } from "./types";

export interface RefundFacts {
  status: string;
  cost: number;
  refunded: boolean;
  refundEntryExists: boolean;
}

export type RefundDecision =
  | { action: "refund"; amount: number }
  | { action: "skip"; why: "not-refundable-status" | "already-refunded" | "free" }
  | { action: "mark-only"; why: "entry-exists" };

export function planRefund(f: RefundFacts): RefundDecision {
  if (!TERMINAL_REFUNDABLE.has(f.status)) return { action: "skip", why: "not-refundable-status" };
  if (f.refunded) return { action: "skip", why: "already-refunded" };
  // The entry id is deterministic, so its existence is the ground truth even if the flag was lost.
  if (f.refundEntryExists) return { action: "mark-only", why: "entry-exists" };
  if (f.cost <= 0) return { action: "skip", why: "free" };
  return { action: "refund", amount: f.cost };
}
