// Following generation requests to the end through Firestore listeners.

/** Resolves with Date.now() at the first snapshot that shows `succeeded`; rejects on failed/cancelled or timeout. */
export function succeededAt(db, id, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (stop(), reject(new Error(`${id} not succeeded after ${timeoutMs} ms`))), timeoutMs);
    const stop = db.doc(`generationRequests/${id}`).onSnapshot((s) => {
      const status = s.get("status");
      if (status === "succeeded") (clearTimeout(timer), stop(), resolve(Date.now()));
      else if (status === "failed" || status === "cancelled") (clearTimeout(timer), stop(), reject(new Error(`${id} ended ${status}: ${JSON.stringify(s.get("error"))}`)));
    }, (e) => (clearTimeout(timer), reject(e)));
  });
}

const ms = (ts) => (ts && typeof ts.toMillis === "function" ? ts.toMillis() : undefined);

/** The request's timeline in epoch ms: createdAt plus the runner's `timings`. */
export async function timeline(db, id) {
  const d = (await db.doc(`generationRequests/${id}`).get()).data();
  const t = Object.fromEntries(Object.entries(d.timings ?? {}).map(([k, v]) => [k, ms(v)]));
  return { id, createdAt: ms(d.createdAt), promptId: d.comfy?.promptId, ...t };
}
