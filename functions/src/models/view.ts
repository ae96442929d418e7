// A custom model as its owner sees it: no lease, no training internals, no storage paths.
import type { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import type { CustomModelReply } from "./schema";

const iso = (t: Timestamp | Date | null | undefined) => (t ? ("toDate" in t ? t.toDate() : t).toISOString() : null);

/** Training is charged when it succeeds (ready; deleting a ready model later changes nothing). */
export function modelCharge(status: string, refunded: boolean): CustomModelReply["charge"] {
  if (refunded) return "refunded";
  if (status === "failed" || status === "cancelled") return "refund-pending";
  return status === "queued" || status === "training" ? "reserved" : "charged";
}

export function modelView(doc: DocumentSnapshot): CustomModelReply {
  const d = doc.data() ?? {};
  return {
    id: doc.id,
    userId: d.userId,
    name: d.name,
    baseModel: d.baseModel,
    subject: d.subject,
    triggerWord: d.triggerWord,
    status: d.status,
    progress: d.progress ?? 0,
    step: d.step ?? 0,
    steps: d.steps ?? 0,
    cost: d.cost ?? 0,
    charge: modelCharge(d.status, d.refunded === true),
    error: d.error ? { code: String(d.error.code), message: String(d.error.message) } : null,
    imageCount: d.imageCount ?? 0,
    createdAt: iso(d.createdAt),
    startedAt: iso(d.startedAt),
    readyAt: iso(d.readyAt),
    gpuSeconds: typeof d.gpuSeconds === "number" ? d.gpuSeconds : null,
    deletedAt: iso(d.deletedAt),
  };
}
