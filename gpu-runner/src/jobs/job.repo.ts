import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { decideClaim } from "./claim-decision";
import { GENERATE, type JobKind } from "./job-kind";
import { timingsToFirestore, type JobTimings } from "./timings";

export const jobDoc = (db: Firestore, id: string, kind: JobKind = GENERATE) => db.collection(kind.collection).doc(id);
export const requestDoc = (db: Firestore, id: string) => jobDoc(db, id);

export interface ComfyIds { promptId: string; clientId: string }

export type Claim =
  | { kind: "unknown" | "terminal" | "busy" | "invalid"; status?: unknown }
  | { kind: "claim"; data: FirebaseFirestore.DocumentData; attempts: number; reserved: ComfyIds | null };

export interface Output { path: string; thumbnailPath: string; contentType: string; width: number; height: number; bytes: number; seed: number }

/**
 * queued (or running with an expired lease) → running under our lease; all reads before writes.
 * `progress` is left as is: writes never lower it, so a retried job never appears to go backwards.
 * A job without ComfyUI ids gets `fresh` ones in the same write (`reserved`), so submitting the
 * prompt needs no second transaction; a runner that dies before submitting leaves ids that
 * ComfyUI does not know, which the next attempt treats as "not reusable" and replaces.
 */
export async function claimJob(
  db: Firestore, id: string, owner: string, leaseMs: number, now = Date.now(), fresh: ComfyIds | null = null, job: JobKind = GENERATE,
): Promise<Claim> {
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(jobDoc(db, id, job));
    const data = snap.data();
    const kind = decideClaim(data, now, owner, job);
    // Our own earlier commit of this very transaction: the same claim, counted once.
    if (kind === "reclaim") return { kind: "claim", data: data!, attempts: data!.attempts, reserved: fresh && data!.comfy?.promptId === fresh.promptId ? fresh : null };
    if (kind !== "claim") return { kind, status: data?.status } as Claim;
    const attempts = (typeof data!.attempts === "number" ? data!.attempts : 0) + 1;
    const ts = Timestamp.fromMillis(now);
    const reserved = fresh && !data!.comfy?.promptId ? fresh : null;
    tx.update(snap.ref, {
      status: job.running,
      attempts,
      lease: { owner, expiresAt: Timestamp.fromMillis(now + leaseMs) },
      updatedAt: ts,
      ...(data!.startedAt ? {} : { startedAt: ts }),
      ...(reserved ? { comfy: reserved } : {}),
    });
    return { kind: "claim", data: data!, attempts, reserved };
  });
}

/** Applies `patch` only while `owner` still holds the running job; false when the lease is gone. */
export async function whileOwner(
  db: Firestore, id: string, owner: string, patch: (data: FirebaseFirestore.DocumentData) => Record<string, unknown> | null, kind: JobKind = GENERATE,
): Promise<boolean> {
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(jobDoc(db, id, kind));
    const data = snap.data();
    if (!data || data.status !== kind.running || data.lease?.owner !== owner) return false;
    const update = patch(data);
    if (update) tx.update(snap.ref, { ...update, updatedAt: Timestamp.now() });
    return true;
  });
}

export const renewLease = (db: Firestore, id: string, owner: string, leaseMs: number) =>
  whileOwner(db, id, owner, () => ({ "lease.expiresAt": Timestamp.fromMillis(Date.now() + leaseMs) }));

export const writeProgress = (db: Firestore, id: string, owner: string, progress: number) =>
  whileOwner(db, id, owner, (d) => (typeof d.progress === "number" && d.progress >= progress ? null : { progress }));

/** The latest live preview (jobs/preview.ts); a lost lease drops it like any other write. */
export const writePreview = (db: Firestore, id: string, owner: string, path: string) =>
  whileOwner(db, id, owner, () => ({ preview: { path, updatedAt: Timestamp.now() } }));

export const recordComfyIds = (db: Firestore, id: string, owner: string, comfy: { promptId: string; clientId: string }, kind: JobKind = GENERATE) =>
  whileOwner(db, id, owner, () => ({ comfy }), kind);

/** `now` is the wall clock except where past history is seeded through this path. */
export function completeJob(
  db: Firestore, id: string, owner: string, outputs: Output[], attemptStartedMs: number, timings: JobTimings = { deliveredAt: attemptStartedMs }, gpuMs: number | null = null, now = Date.now(),
): Promise<boolean> {
  timings.completedAt = now;
  return whileOwner(db, id, owner, () => ({
    status: "succeeded", outputs, progress: 1, error: null, lease: null,
    finishedAt: Timestamp.fromMillis(now), durationMs: now - attemptStartedMs, timings: timingsToFirestore(timings), ...gpuSecondsField(gpuMs),
  }));
}

/** Ends the job `failed`; the functions package sees the status and refunds (never the runner). */
export function failJob(
  db: Firestore, id: string, owner: string, error: { code: string; message: string }, attemptStartedMs: number, gpuMs: number | null = null,
): Promise<boolean> {
  const now = Date.now();
  return whileOwner(db, id, owner, () => ({
    status: "failed", error, lease: null, finishedAt: Timestamp.fromMillis(now), durationMs: now - attemptStartedMs, ...gpuSecondsField(gpuMs),
  }));
}

/**
 * `gpuSeconds` written with the terminal status (ms precision); the functions package counts it
 * into the usage counters. Absent when the prompt never executed (nothing ran on the GPU).
 */
export const gpuSecondsField = (gpuMs: number | null): { gpuSeconds?: number } => (gpuMs === null ? {} : { gpuSeconds: Math.max(0, gpuMs) / 1000 });

/**
 * Gives the job back for a retry. It stays `running` (status only moves forward, see
 * docs/data-model.md) with a lease that expires now, which the claim rule treats as free.
 */
export const releaseJob = (db: Firestore, id: string, owner: string, kind: JobKind = GENERATE) =>
  whileOwner(db, id, owner, () => ({ "lease.expiresAt": Timestamp.now(), "lease.owner": `released:${owner}` }), kind);
