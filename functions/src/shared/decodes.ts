// One bound on image decodes per function instance, shared by every path that decodes: inline
// and uploaded generation inputs (requests/create.ts) and training photos (models/photos.ts).
// A decode holds up to a few hundred MiB (the compressed bytes, libvips' working set); the
// instances have 1 GiB. Two run at once (one per vCPU), sixteen may wait; past that the caller
// gets 503 UNAVAILABLE with Retry-After (details.reason DECODES_BUSY) instead of an out-of-memory kill.
import { ApiError } from "../http/errors";
import { Semaphore } from "./semaphore";

export const DECODES_BUSY = "DECODES_BUSY";

export const decodesBusy = () =>
  new ApiError("UNAVAILABLE", "too many images are being processed on this server right now; retry shortly", { retryAfterSeconds: 2, reason: DECODES_BUSY });

export const decodes = new Semaphore(2, 16, decodesBusy);
