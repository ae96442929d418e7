// Backstop of the one refund path: whoever set a request to failed (the runner, the sweeper),
// the refund follows from the status change. Redelivered events are harmless: refundIfOwed
// re-reads the request and the deterministic refund entry inside its transaction.
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { firestore } from "../shared/firestore";
import { log } from "../shared/log";
import { refundIfOwed } from "./refund";
import { TERMINAL_REFUNDABLE } from "./types";
import { GENERATE, type JobKind } from "../dispatch/jobKinds";

export async function refundOnUpdate(after: DocumentSnapshot, eventId: string, kind: JobKind = GENERATE): Promise<void> {
  if (!TERMINAL_REFUNDABLE.has(after.get("status")) || after.get("refunded") === true) return;
  const decision = await refundIfOwed(firestore(), after.id, "system:refund-trigger", kind);
  log.info("refund trigger", { kind: kind.name, jobId: after.id, eventId, decision });
}
