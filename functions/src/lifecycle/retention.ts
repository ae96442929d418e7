// The retention purge, bounded and resumable like the sweeper: each pass walks finished requests
// in `finishedAt` order up to its cutoff, a batch at a time, and saves its position in
// lifecycle/retention after every batch; a killed run repeats at most one batch, and every
// per-document action is idempotent. A third pass deletes input objects no request holds
// (refused creates' leftovers) once they are older than input retention.
import type { DocumentSnapshot, Firestore, Timestamp } from "firebase-admin/firestore";
import type { ManagedStorage } from "../storage/storage";
import { log } from "../shared/log";
import { inputHeldElsewhere, releaseInput } from "./inputRefs";
import { parseInputPath, requestOutputsPrefix } from "./paths";
import { inputDue, objectExpired, outputsDue, retentionCutoffs, retentionFacts } from "./retentionPlan";

export interface RetentionOptions {
  db: Firestore;
  files: ManagedStorage;
  now: Date;
  outputDays: number;
  inputDays: number;
  batchLimit: number;
  maxBatches: number;
  /** Where the passes keep their position; tests use their own. */
  stateDoc?: string;
}

export interface RetentionSummary {
  outputsExpired: string[];
  inputsReleased: string[];
  orphansDeleted: string[];
  /** Every pass reached its end (false: the next run continues). */
  done: boolean;
}

type Apply = (d: DocumentSnapshot) => Promise<boolean>;

export async function purgeExpired(o: RetentionOptions): Promise<RetentionSummary> {
  const cut = retentionCutoffs(o.now, o.outputDays, o.inputDays);
  const outputs = await pass(o, "outputs", cut.outputs, (d) => expireOutputs(o, d));
  const inputs = await pass(o, "inputs", cut.inputs, (d) => expireInput(o, d));
  const orphans = await orphanPass(o, cut.inputs);
  const summary = { outputsExpired: outputs.touched, inputsReleased: inputs.touched, orphansDeleted: orphans.deleted, done: outputs.done && inputs.done && orphans.done };
  log.info("lifecycle.retention_done", { outputsExpired: summary.outputsExpired.length, inputsReleased: summary.inputsReleased.length, orphansDeleted: summary.orphansDeleted.length, done: summary.done });
  return summary;
}

async function pass(o: RetentionOptions, kind: "outputs" | "inputs", cutoff: Date, apply: Apply) {
  const state = o.db.doc(o.stateDoc ?? "lifecycle/retention");
  let cursor = (await state.get()).get(kind) as { at: Timestamp; id: string } | undefined;
  const touched: string[] = [];
  for (let n = 0; n < o.maxBatches; n++) {
    let q = o.db.collection("generationRequests").where("finishedAt", "<=", cutoff).orderBy("finishedAt").orderBy("__name__");
    if (cursor) q = q.startAfter(cursor.at, cursor.id);
    const page = await q.limit(o.batchLimit).get();
    for (const d of page.docs) if (await apply(d)) touched.push(d.id);
    if (page.empty) return { touched, done: true };
    const last = page.docs[page.docs.length - 1];
    cursor = { at: last.get("finishedAt"), id: last.id };
    await state.set({ [kind]: cursor, updatedAt: new Date() }, { merge: true });
    if (page.docs.length < o.batchLimit) return { touched, done: true };
  }
  return { touched, done: false };
}

async function expireOutputs(o: RetentionOptions, d: DocumentSnapshot): Promise<boolean> {
  const f = retentionFacts(d.data() ?? {});
  if (!outputsDue(f)) return false;
  const outputs = d.get("outputs") as Array<{ path?: string; thumbnailPath?: string }>;
  await Promise.all(outputs.flatMap((x) => [x.path, x.thumbnailPath]).filter((p): p is string => !!p).map((p) => o.files.remove(p)));
  await o.files.removePrefix(requestOutputsPrefix(d.get("userId"), d.id));
  await d.ref.update({ outputs: [], expiredOutputs: f.outputs, outputsExpiredAt: o.now });
  return true;
}

async function expireInput(o: RetentionOptions, d: DocumentSnapshot): Promise<boolean> {
  const f = retentionFacts(d.data() ?? {});
  if (!inputDue(f)) return false;
  // Let go first: a crash before the delete leaves an orphan, which the orphan pass removes.
  await d.ref.update({ inputImage: null, inputExpiredAt: o.now });
  await releaseInput(o.db, o.files, d.get("userId"), f.inputSha256!, d.id);
  return true;
}

async function orphanPass(o: RetentionOptions, cutoff: Date) {
  const state = o.db.doc(o.stateDoc ?? "lifecycle/retention");
  let token = ((await state.get()).get("orphansToken") as string | null | undefined) ?? undefined;
  const deleted: string[] = [];
  for (let n = 0; n < o.maxBatches; n++) {
    const page = await o.files.list("inputs/", { maxResults: o.batchLimit, pageToken: token });
    for (const obj of page.items) {
      const parsed = parseInputPath(obj.path);
      if (!parsed || !objectExpired(obj.updatedAt, cutoff)) continue;
      if (await inputHeldElsewhere(o.db, parsed.uid, parsed.sha256, "")) continue;
      await o.files.remove(obj.path);
      deleted.push(obj.path);
    }
    token = page.nextPageToken ?? undefined;
    await state.set({ orphansToken: token ?? null }, { merge: true });
    if (!token) return { deleted, done: true };
  }
  return { deleted, done: false };
}
