// createCustomModel: validate, price from the catalog, refuse what is cheap to refuse (a replay
// answers, no slot, no funds), count the call in the caller's per-minute window, check every
// photo (decoded within the instance's decode bound, before any money moves), store the photos
// where the runner reads them, then one transaction (commit.ts)
// writes the model, the debit and the balance, or nothing. Dispatch follows and never fails the
// call: a paid model whose task could not be enqueued is the sweeper's to retry.
import { createHash, randomInt } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { slotsFor } from "../billing/userPlan";
import { walletOf } from "../ledger/grants/wallet";
import { targetUser, type Caller } from "../auth/caller";
import { loadCatalog } from "../catalog/catalog";
import type { ModelItem, TrainingSpec } from "../catalog/types";
import { config } from "../config";
import { dispatchAfterCommit, type DispatcherSource } from "../dispatch/dispatch";
import { TRAIN } from "../dispatch/jobKinds";
import { invalidArgument } from "../http/errors";
import { parseInput } from "../http/validate";
import { countCreate } from "../requests/admission";
import { withCreateSlot } from "../requests/create";
import { paramsHash } from "../requests/ids";
import { checkWebhookUrl } from "../requests/webhookUrl";
import { log } from "../shared/log";
import { storage, type ObjectStorage } from "../storage/storage";
import { commitCustomModel, type CommitOutcome, type PreparedModel } from "./commit";
import { CONTENT_TYPE_OF_FORMAT, customModelIdFor, EXT_OF_FORMAT, generatedTriggerWord, newCustomModelId, trainingPhotoPath } from "./ids";
import { collectPhotos, type Photo } from "./photos";
import { isAccountErased } from "../lifecycle/erased";
import { planTrainingCommit, type StoredModel, type TrainingResult } from "./plan";
import { createCustomModelSchema, SLOT_STATUSES, type CreateCustomModelInput } from "./schema";

type Deps = { dispatcher?: DispatcherSource; files?: ObjectStorage };

/** An API key's call holds one of its in-flight slots on this instance, as a generation create does. */
export function createCustomModel(db: Firestore, caller: Caller, rawBody: unknown, deps: Deps = {}): Promise<TrainingResult> {
  return withCreateSlot(caller, () => create(db, caller, rawBody, deps));
}

async function create(db: Firestore, caller: Caller, rawBody: unknown, deps: Deps): Promise<TrainingResult> {
  const cfg = config();
  const files = deps.files ?? storage();
  const input = parseInput(createCustomModelSchema(cfg), rawBody);
  const uid = targetUser(caller, input.userId);
  if (input.webhookUrl) checkWebhookUrl(input.webhookUrl, cfg.EMULATED);
  const { model, training } = trainable(await loadCatalog(), input.baseModel);
  const steps = input.steps ?? training.defaultSteps;
  if (steps > training.maxSteps) throw invalidArgument("steps", `must be at most ${training.maxSteps} for model '${model.id}'`);
  const id = input.idempotencyKey ? customModelIdFor(uid, input.idempotencyKey) : newCustomModelId();
  const fingerprint = fingerprintOf(uid, input);
  const base = { uid, fingerprint, cost: training.creditsPerRun, maxModels: cfg.MAX_CUSTOM_MODELS_PER_USER };

  // Cheap refusals first (plain reads; the transaction re-checks): a replay, no slot, no funds.
  const early = await precheck(db, id, base);
  if (early) return early;
  await countCreate(db, caller, uid, cfg.MAX_CREATES_PER_MINUTE, new Date());
  const photos = await collectPhotos(db, files, cfg, uid, id, input);
  const paths = await storePhotos(files, uid, id, photos);
  const triggerWord = input.triggerWord ?? generatedTriggerWord();
  const prepared: PreparedModel = {
    ...base, id,
    uploadIds: photos.flatMap((p) => (p.uploadId ? [p.uploadId] : [])),
    ledgerReason: `training ${model.id} x${steps} steps`,
    actor: caller.uid === uid ? `user:${uid}` : `admin:${caller.uid}`,
    fields: modelFields({ uid, input, model, training, steps, triggerWord, photos, paths, caller }),
  };
  // A refused commit deletes nothing: a concurrent call with the same idempotency key may commit
  // the model that points at these very names after this one failed. What no model references
  // is removed by the lifecycle sweep's training-orphan pass (lifecycle/trainingOrphans.ts).
  // Except when the refusal is the account's erasure: no model of it can commit any more, and the
  // erasure's storage step may already have run, so these personal photos go now, not in an hour.
  const { created, ...result }: CommitOutcome = await commitCustomModel(db, prepared).catch(async (err: unknown) => {
    if (isAccountErased(err)) await Promise.all(paths.map((p) => files.remove(p)));
    throw err;
  });
  if (created) {
    log.info("custom model created", { customModelId: id, uid, cost: prepared.cost, baseModel: model.id, steps, images: photos.length });
    await dispatchAfterCommit(db, id, deps.dispatcher, TRAIN);
  }
  return result;
}

function trainable(catalog: Awaited<ReturnType<typeof loadCatalog>>, id: string): { model: ModelItem; training: TrainingSpec } {
  const model = catalog.models.get(id);
  const trainableIds = [...catalog.models.values()].filter((m) => m.enabled && m.training).map((m) => m.id).sort();
  if (!model || !model.enabled) throw invalidArgument("baseModel", `'${id}' is ${model ? "disabled" : "unknown"}; trainable models: ${trainableIds.join(", ")}`);
  if (!model.training) throw invalidArgument("baseModel", `'${id}' cannot be trained; trainable models: ${trainableIds.join(", ")}`);
  return { model, training: model.training };
}

async function precheck(db: Firestore, id: string, base: { uid: string; fingerprint: string; cost: number; maxModels: number }): Promise<TrainingResult | null> {
  const [user, existing, active] = await Promise.all([
    db.doc(`users/${base.uid}`).get(),
    db.doc(`customModels/${id}`).get(),
    db.collection("customModels").where("userId", "==", base.uid).where("status", "in", SLOT_STATUSES).select("status").get(),
  ]);
  const decision = planTrainingCommit({
    ...base, id, maxModels: slotsFor(user.data(), base.maxModels), wallet: walletOf(user.data()), nowMs: Date.now(), debitFields: {},
    activeModels: active.size, existing: existing.exists ? (existing.data() as StoredModel) : null,
  });
  if (decision.kind === "refuse") throw decision.error;
  return decision.kind === "replay" ? { customModelId: id, ...decision.result } : null;
}

/** Idempotent by path (content-addressed); two at a time, each photo's bytes read again just for its write. */
async function storePhotos(files: ObjectStorage, uid: string, id: string, photos: Photo[]): Promise<string[]> {
  const paths = photos.map((p) => trainingPhotoPath(uid, id, p.sha256, EXT_OF_FORMAT[p.format]));
  for (let i = 0; i < photos.length; i += 2) {
    await Promise.all(photos.slice(i, i + 2).map(async (p, j) => files.save(paths[i + j], await p.bytes(), CONTENT_TYPE_OF_FORMAT[p.format])));
  }
  return paths;
}

function fingerprintOf(uid: string, input: CreateCustomModelInput): string {
  const { images, idempotencyKey: _key, ...rest } = input;
  const inline = images?.map((s) => createHash("sha256").update(s).digest("hex"));
  return paramsHash({ ...rest, images: inline, userId: uid });
}

interface FieldArgs {
  uid: string;
  input: CreateCustomModelInput;
  model: ModelItem;
  training: TrainingSpec;
  steps: number;
  triggerWord: string;
  photos: Photo[];
  paths: string[];
  caller: Caller;
}

/** The document of the custom-model contract (docs/custom-models.md), as far as it is fixed before the commit. */
function modelFields({ uid, input, model, training, steps, triggerWord, photos, paths, caller }: FieldArgs): Record<string, unknown> {
  return {
    userId: uid, name: input.name, baseModel: model.id, subject: input.subject, triggerWord,
    progress: 0, step: 0, steps, imageCount: photos.length, error: null,
    train: {
      workflow: training.workflow, steps, seed: randomInt(0, 2 ** 32), caption: `${triggerWord} ${input.subject}`,
      photos: photos.map((p, i) => ({ path: paths[i], sha256: p.sha256 })),
    },
    loraLoader: training.loraLoader ?? "LoraLoader",
    lease: null, attempts: 0, heartbeatAt: null, lora: null,
    startedAt: null, readyAt: null, deletedAt: null,
    idempotencyKey: input.idempotencyKey ?? null, webhookUrl: input.webhookUrl ?? null, createdBy: caller.uid,
    keyId: caller.key?.keyId ?? null,
  };
}
