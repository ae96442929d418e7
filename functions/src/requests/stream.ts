// streamGenerationRequest: one request's live state as server-sent events. Firestore's snapshot
// listener on the request drives it (the runner's status, progress and preview writes), the
// queue figures are recomputed at most every few seconds while it waits or runs, a comment line
// keeps proxies from closing an idle stream, and it ends at a terminal state (a `done` event
// with the final request and its output URLs) or, politely, before the function's timeout with
// a `retry:` hint, from where the client's EventSource reconnects with Last-Event-ID.
import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import type { DocumentSnapshot, Firestore } from "firebase-admin/firestore";
import type { Config } from "../config";
import { log } from "../shared/log";
import type { ObjectStorage } from "../storage/storage";
import type { QueueFigures } from "../queue/eta";
import { queueFigures } from "../queue/queue";
import { detailView } from "./view";
import { nextEvents, parseLastEventId, TERMINAL, type Seen } from "./streamEvents";

type StreamConfig = Pick<Config, "STREAM_MAX_SECONDS" | "STREAM_HEARTBEAT_SECONDS" | "STREAM_RETRY_MS" | "SIGNED_URL_TTL_SECONDS" | "QUEUE_POOL_SLOTS" | "ETA_DEFAULT_SECONDS_PER_IMAGE" | "QUEUE_SCAN_LIMIT">;

/** Queue figures are recomputed at most this often (a few reads each time). */
const QUEUE_REFRESH_MS = 3000;

export function streamRequest(db: Firestore, files: ObjectStorage, doc: DocumentSnapshot, lastEventId: string | undefined, req: Request, res: Response, cfg: StreamConfig): Promise<void> {
  res.status(200).set({ "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" });
  res.flushHeaders();
  let seen: Seen = parseLastEventId(lastEventId);
  let queue: QueueFigures | null = null;
  let queueAt = 0;
  let latest = doc;
  let ended = false;
  const write = (text: string) => { if (!ended) res.write(text); };

  return new Promise<void>((resolve) => {
    let chain = Promise.resolve();
    const finish = (tail = "") => {
      if (ended) return;
      write(tail);
      ended = true;
      clearInterval(heartbeat);
      clearInterval(refresh);
      clearTimeout(deadline);
      unsubscribe();
      res.end();
      resolve();
    };
    const update = (snap: DocumentSnapshot, forceQueue = false) => {
      chain = chain.then(async () => {
        if (ended) return;
        const status = String(snap.get("status"));
        if ((status === "queued" || status === "running") && (forceQueue || Date.now() - queueAt >= QUEUE_REFRESH_MS || status !== seen.status)) {
          queue = (await queueFigures(db, [snap], cfg)).get(snap.id) ?? null;
          queueAt = Date.now();
        }
        const previewAt = (snap.get("preview.updatedAt") as { toMillis(): number } | undefined)?.toMillis() ?? null;
        const next = nextEvents(seen, { status, progress: Number(snap.get("progress") ?? 0), previewAt, queue: TERMINAL.has(status) ? null : queue });
        for (const e of next.events) {
          const data = e.event === "preview" ? { ...e.data, url: await files.signedUrl(String(snap.get("preview.path")), cfg.SIGNED_URL_TTL_SECONDS) } : e.data;
          write(`id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(data)}\n\n`);
        }
        seen = next.seen;
        if (TERMINAL.has(status)) {
          const final = { ...(await detailView(snap, files, cfg.SIGNED_URL_TTL_SECONDS)), queue: null };
          finish(`id: done\nevent: done\ndata: ${JSON.stringify(final)}\n\n`);
        }
      }).catch((e) => {
        log.warn("stream update failed", { requestId: snap.id, error: (e as Error).message });
        finish(`retry: ${cfg.STREAM_RETRY_MS}\n\n`);
      });
    };
    const heartbeat = setInterval(() => write(": heartbeat\n\n"), cfg.STREAM_HEARTBEAT_SECONDS * 1000);
    const refresh = setInterval(() => update(latest, true), QUEUE_REFRESH_MS * 2);
    const deadline = setTimeout(() => finish(`retry: ${cfg.STREAM_RETRY_MS}\n\n`), cfg.STREAM_MAX_SECONDS * 1000);
    const unsubscribe = doc.ref.onSnapshot((snap) => { latest = snap; update(snap); }, () => finish(`retry: ${cfg.STREAM_RETRY_MS}\n\n`));
    req.on("close", () => finish());
  });
}
