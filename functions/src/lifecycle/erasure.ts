// eraseUser as a resumable sequence: erasures/{uid} records who asked, why, and which steps have
// finished. Every call (and the scheduled run, for one left unfinished) continues from the first
// unfinished step; a finished erasure is answered as it stands and changes nothing.
import { FieldValue, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import { recordAudit, type AuditActor } from "../audit/audit";
import { log } from "../shared/log";
import { ERASE_STEPS } from "./steps";
import { storageStep } from "./steps/storage";
import type { EraseContext, EraseStep } from "./steps/types";

export const ERASURES = "erasures";

export interface ErasureView {
  userId: string;
  status: "running" | "completed";
  alreadyErased: boolean;
  stepsDone: string[];
  startedAt: string;
  completedAt: string | null;
}

/** Creates the erasure record (or finds the existing one) and marks the profile so new creates are refused. */
export async function startErasure(db: Firestore, uid: string, actor: AuditActor, reason: string, now = new Date()): Promise<DocumentSnapshot> {
  const ref = db.doc(`${ERASURES}/${uid}`);
  await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (snap.exists) return;
    tx.create(ref, { userId: uid, status: "running", reason, requestedBy: actor, stepsDone: [], startedAt: now, updatedAt: now, completedAt: null });
    // The create commit reads this field (requests/optimisticCommit.ts): from here on, nothing new is charged.
    tx.set(db.doc(`users/${uid}`), { erasureStartedAt: now }, { merge: true });
  });
  return ref.get();
}

/**
 * Runs the steps not yet recorded on the erasure document, then completes it with its audit entry.
 * `stopAfter` ends the run early after that many steps (the tests' interrupted run).
 */
export async function runErasure(ctx: EraseContext, opts: { steps?: EraseStep[]; stopAfter?: number } = {}): Promise<ErasureView> {
  const ref = ctx.db.doc(`${ERASURES}/${ctx.uid}`);
  let snap = await ref.get();
  if (!snap.exists) throw new Error(`no erasure started for ${ctx.uid}`);
  if (snap.get("status") === "completed") return viewOf(snap, true);
  let ran = 0;
  for (const step of opts.steps ?? ERASE_STEPS) {
    if ((snap.get("stepsDone") as string[]).includes(step.name)) continue;
    if (opts.stopAfter !== undefined && ran >= opts.stopAfter) return viewOf(await ref.get(), false);
    await step.run(ctx);
    await ref.update({ stepsDone: FieldValue.arrayUnion(step.name), updatedAt: ctx.now() });
    snap = await ref.get();
    ran++;
    log.info("lifecycle.erase_step", { uid: ctx.uid, step: step.name });
  }
  await complete(ctx, snap);
  return viewOf(await ref.get(), false);
}

async function complete(ctx: EraseContext, snap: DocumentSnapshot): Promise<void> {
  await ctx.db.runTransaction(async (tx) => {
    const fresh = await tx.get(snap.ref);
    if (fresh.get("status") === "completed") return;
    const now = ctx.now();
    tx.update(snap.ref, { status: "completed", completedAt: now, updatedAt: now });
    recordAudit(ctx.db, tx, {
      action: "user.erase", actor: fresh.get("requestedBy"), target: { userId: ctx.uid },
      before: null, after: { stepsDone: fresh.get("stepsDone") }, reason: fresh.get("reason"),
    }, now);
  });
  log.info("lifecycle.erase_completed", { uid: ctx.uid });
}

function viewOf(snap: DocumentSnapshot, alreadyErased: boolean): ErasureView {
  const iso = (t: FirebaseFirestore.Timestamp | null | undefined) => t?.toDate().toISOString() ?? null;
  return {
    userId: snap.get("userId"), status: snap.get("status"), alreadyErased, stepsDone: snap.get("stepsDone") ?? [],
    startedAt: iso(snap.get("startedAt"))!, completedAt: iso(snap.get("completedAt")),
  };
}

/**
 * The scheduled backstop: resumes erasures nobody has touched for `idleMs` (their caller died or
 * gave up), and re-deletes the folders of ones completed within `recheckMs`, in case a runner
 * that was interrupted mid-job stored a file after the storage step.
 */
export async function resumeErasures(ctxFor: (uid: string) => EraseContext, opts: { db: Firestore; now: Date; idleMs: number; recheckMs: number; limit: number }) {
  const col = opts.db.collection(ERASURES);
  const [stale, recent] = await Promise.all([
    col.where("status", "==", "running").where("updatedAt", "<=", new Date(opts.now.getTime() - opts.idleMs)).limit(opts.limit).get(),
    col.where("completedAt", ">=", new Date(opts.now.getTime() - opts.recheckMs)).limit(opts.limit).get(),
  ]);
  const resumed: string[] = [];
  for (const d of stale.docs) {
    await runErasure(ctxFor(d.id));
    resumed.push(d.id);
  }
  for (const d of recent.docs) await storageStep.run(ctxFor(d.id));
  return { resumed, rechecked: recent.docs.map((d) => d.id) };
}
