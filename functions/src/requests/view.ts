// The request as its owner sees it: no lease internals, no render spec, storage paths turned
// into download URLs, timestamps as ISO strings, and the charge outcome spelled out.
import type { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import type { ObjectStorage } from "../storage/storage";
import type { QueueFigures } from "../queue/eta";

export interface OutputView {
  url: string;
  thumbnailUrl?: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  seed?: number;
}

const iso = (t: Timestamp | Date | null | undefined) => (t ? ("toDate" in t ? t.toDate() : t).toISOString() : null);

export function chargeOutcome(status: string, refunded: boolean): "charged" | "refunded" | "refund-pending" | "reserved" {
  if (refunded) return "refunded";
  if (status === "failed" || status === "cancelled") return "refund-pending";
  return status === "succeeded" ? "charged" : "reserved";
}

/** Everything but the URLs: pure, used by both list (no URLs) and get (with URLs). */
export function summaryView(doc: DocumentSnapshot) {
  const d = doc.data() ?? {};
  return {
    id: doc.id,
    userId: d.userId,
    status: d.status,
    model: d.model,
    style: d.style,
    color: d.color,
    size: d.size,
    prompt: d.prompt,
    negativePrompt: d.negativePrompt ?? null,
    numImages: d.numImages,
    seed: d.seed,
    cost: d.cost,
    charge: chargeOutcome(d.status, d.refunded === true),
    progress: d.progress ?? 0,
    attempts: d.attempts ?? 0,
    error: d.error ?? null,
    webhookUrl: d.webhookUrl ?? null,
    createdAt: iso(d.createdAt),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    durationMs: d.durationMs ?? null,
    gpuSeconds: typeof d.gpuSeconds === "number" ? d.gpuSeconds : null,
    outputsState: outputsState(d),
    deletedAt: iso(d.deletedAt),
    outputsExpiredAt: iso(d.outputsExpiredAt),
    // Filled in by the read endpoints (queue/queue.ts); webhooks and exports carry none.
    queue: null as QueueFigures | null,
  };
}

/** Whether the outputs can be downloaded, and if not, why (deleted by the user, or past retention: a 410-style answer). */
export function outputsState(d: Record<string, any>): "available" | "deleted" | "expired" | "none" {
  if (d.deletedAt) return "deleted";
  if (d.outputsExpiredAt) return "expired";
  return d.status === "succeeded" && Array.isArray(d.outputs) && d.outputs.length > 0 ? "available" : "none";
}

export async function detailView(doc: DocumentSnapshot, files: ObjectStorage, ttlSeconds: number) {
  const outputs = (doc.get("outputs") ?? []) as Array<{ path: string; thumbnailPath?: string; contentType: string; width: number; height: number; bytes: number; seed?: number }>;
  const withUrls: OutputView[] = await Promise.all(
    outputs.map(async (o) => ({
      url: await files.signedUrl(o.path, ttlSeconds),
      ...(o.thumbnailPath ? { thumbnailUrl: await files.signedUrl(o.thumbnailPath, ttlSeconds) } : {}),
      contentType: o.contentType,
      width: o.width,
      height: o.height,
      bytes: o.bytes,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    })),
  );
  const preview = doc.get("preview.path") as string | undefined;
  const previewUrl = doc.get("status") === "running" && preview ? await files.signedUrl(preview, ttlSeconds) : null;
  return { ...summaryView(doc), outputs: withUrls, previewUrl };
}
