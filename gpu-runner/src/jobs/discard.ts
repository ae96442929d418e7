// Files an attempt stored whose final write was refused (the sweeper or an erasure ended the job,
// or another runner took it over). Nobody would ever list them, so they go, except those the job
// still points at or may yet point at: a job another runner holds now (it may follow the same
// ComfyUI prompt and write the very same paths), and a finished job whose document names them.
import type { Firestore } from "firebase-admin/firestore";
import type { Logger } from "../log";
import type { Storage } from "../storage";
import { jobDoc } from "./job.repo";
import { GENERATE, type JobKind } from "./job-kind";

/** Paths of `stored` that the job document, as it is now, may still need. */
export function stillWanted(job: FirebaseFirestore.DocumentData | undefined, kind: JobKind, stored: string[]): Set<string> {
  if (!job) return new Set();
  if (job.status === kind.running) return new Set(stored);
  const referenced = kind === GENERATE
    ? ((job.outputs ?? []) as Array<{ path?: string; thumbnailPath?: string }>).flatMap((o) => [o.path, o.thumbnailPath])
    : [job.lora?.path];
  return new Set(stored.filter((p) => referenced.includes(p)));
}

/** Deletes what this attempt stored and the job does not need; returns the deleted paths. Never throws (logged). */
export async function discardAttemptFiles(db: Firestore, storage: Storage, kind: JobKind, id: string, stored: string[], log: Logger): Promise<string[]> {
  if (!stored.length) return [];
  try {
    const wanted = stillWanted((await jobDoc(db, id, kind).get()).data(), kind, stored);
    const orphans = stored.filter((p) => !wanted.has(p));
    await Promise.all(orphans.map((p) => storage.delete(p)));
    log.info("job.attempt_files_discarded", { kind: kind.name, id, deleted: orphans.length, kept: wanted.size });
    return orphans;
  } catch (e) {
    log.error("job.attempt_files_discard_failed", { kind: kind.name, id, paths: stored, error: e });
    return [];
  }
}
