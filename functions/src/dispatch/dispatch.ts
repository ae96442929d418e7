import type { Firestore } from "firebase-admin/firestore";
import { config } from "../config";
import { errorFields, log } from "../shared/log";
import { RecordingDispatcher, type Dispatcher } from "./dispatcher";

let instance: Dispatcher | undefined;

export function dispatcher(): Dispatcher {
  if (instance) return instance;
  const mode = config().DISPATCH_MODE;
  if (mode !== "record") throw new Error(`dispatch mode '${mode}' is not available in this build`);
  instance = new RecordingDispatcher();
  return instance;
}

/**
 * Enqueues after the create transaction committed. A failure here must not lose the job nor
 * fail the client's call: the request keeps `dispatch.state = "pending"` and the sweeper
 * re-dispatches it later.
 */
export async function dispatchAfterCommit(db: Firestore, requestId: string): Promise<boolean> {
  const ref = db.doc(`generationRequests/${requestId}`);
  const d = dispatcher();
  try {
    await d.dispatch({ requestId });
    await ref.update({ "dispatch.state": "enqueued", "dispatch.mode": d.mode, "dispatch.updatedAt": new Date(), "dispatch.lastError": null });
    return true;
  } catch (err) {
    log.warn("dispatch failed; the sweeper will retry", { requestId, mode: d.mode, ...errorFields(err) });
    await ref.update({ "dispatch.lastError": String((err as Error)?.message ?? err), "dispatch.updatedAt": new Date() }).catch(() => undefined);
    return false;
  }
}
