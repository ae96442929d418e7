// createGenerationRequest: validate and price here, then hand the create to its account's group
// committer (groupCommit.ts), whose one atomic commit (optimisticCommit.ts) writes the request,
// the debit entry and the new balance together, or nothing. Dispatch follows the commit and can
// never fail the call: a paid request that could not be enqueued is the sweeper's to retry.
import { randomInt } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { config } from "../config";
import { loadCatalog, pick } from "../catalog/catalog";
import type { ModelItem, PromptItem, SizeItem } from "../catalog/types";
import { invalidArgument } from "../http/errors";
import { parseInput } from "../http/validate";
import type { Caller } from "../auth/caller";
import { actingFor, type Acting } from "../orgs/acting";
import { walletPath } from "../ledger/walletRef";
import { storage } from "../storage/storage";
import { log } from "../shared/log";
import { dispatchAfterCommit, type DispatcherSource } from "../dispatch/dispatch";
import { createRequestSchema, type CreateRequestInput } from "./schema";
import { normalizeImageBytes, normalizeInputImage, type NormalizedImage } from "./inputImage";
import { DEFAULT_LORA_STRENGTH, loraForRequest, withTriggerWord, type LoraRef } from "../models/lora";
import { uploadBytesOrThrow } from "../uploads/use";
import { paramsHash, requestIdFor } from "./ids";
import { priceOf } from "./pricing";
import { normalizeMask } from "./mask";
import { etaKeyOf } from "../queue/eta";
import { DEFAULT_POOL } from "../queue/queue";
import { resolveUpscale, type UpscaleSpec } from "./upscale";
import { renderSpec } from "./render";
import { checkWebhookUrl } from "./webhookUrl";
import { precheckCreate } from "./admission";
import { decodes } from "../shared/decodes";
import { keyPrincipal, memberPrincipal, USER_PRINCIPAL, type CreateResult, type Outcome } from "./commitPlan";
import { GroupCommitter } from "./groupCommit";
import { InFlight } from "./inFlight";
import { commitCreates, type PreparedCreate } from "./optimisticCommit";
import { keeperFor } from "../ledger/holds/instances";

export type { CreateResult } from "./commitPlan";

const inFlight = new InFlight();

/** Creates per commit: 2 documents each plus a few counters, far below Firestore's 500 writes. */
export const MAX_GROUP = 50;
const committers = new WeakMap<Firestore, GroupCommitter<PreparedCreate, Outcome>>();

export function committerFor(db: Firestore): GroupCommitter<PreparedCreate, Outcome> {
  let committer = committers.get(db);
  if (!committer) {
    const holds = keeperFor(db);
    committer = new GroupCommitter((account, items, pull) => commitCreates(db, account, items, { defaultPerMinute: config().MAX_CREATES_PER_MINUTE, holds }, pull), MAX_GROUP);
    committers.set(db, committer);
  }
  return committer;
}

/** `deps.dispatcher` lets tests simulate an enqueue (or a dispatcher) that fails after the commit. */
export async function createGenerationRequest(db: Firestore, caller: Caller, rawBody: unknown, deps: { dispatcher?: DispatcherSource } = {}): Promise<CreateResult> {
  return withCreateSlot(caller, async () => {
    const item = await prepareCreate(db, caller, rawBody);
    const [outcome] = await committerFor(db).submit(walletPath(item.wallet), [item]);
    if (outcome.kind === "refused") throw outcome.error;
    if (outcome.kind === "created") await afterCommit(db, item, deps.dispatcher);
    return outcome.result;
  });
}

/** An API key's create calls hold one of its in-flight slots on this instance (inFlight.ts). */
export function withCreateSlot<T>(caller: Caller, work: () => Promise<T>): Promise<T> {
  if (!caller.key) return work();
  return inFlight.run(caller.key.keyId, caller.key.maxConcurrentCreates ?? config().MAX_CONCURRENT_CREATES_PER_KEY, work);
}

export async function afterCommit(db: Firestore, item: PreparedCreate, dispatcher?: DispatcherSource): Promise<void> {
  const { model, size, numImages } = item.fields;
  log.info("generation request created", { requestId: item.requestId, uid: item.userId, cost: item.cost, model, size, numImages });
  await dispatchAfterCommit(db, item.requestId, dispatcher);
}

/** Validation, pricing and the input image: everything a create needs before its commit. */
export async function prepareCreate(db: Firestore, caller: Caller, rawBody: unknown): Promise<PreparedCreate> {
  const cfg = config();
  const input = parseInput(createRequestSchema(cfg), rawBody);
  const acting = await actingFor(db, caller, input.orgId, input.userId);
  const uid = acting.uid;
  if (input.webhookUrl) checkWebhookUrl(input.webhookUrl, cfg.EMULATED);
  const catalog = await loadCatalog();
  const model = pick(catalog, "models", input.model);
  const style = pick(catalog, "styles", input.style);
  const color = pick(catalog, "colors", input.color);
  const size = pick(catalog, "sizes", input.size);
  const imageSource = input.inputImage ? { dataUrl: input.inputImage } : input.inputImageUploadId ? { uploadId: input.inputImageUploadId } : undefined;
  const maskSource = input.maskImage ? { dataUrl: input.maskImage } : input.maskUploadId ? { uploadId: input.maskUploadId } : undefined;
  if (model.kind === "image-to-image" && !imageSource) throw invalidArgument("inputImage", `(or inputImageUploadId) is required by model '${model.id}' (image-to-image)`);
  if (model.kind === "text-to-image" && imageSource) throw invalidArgument("inputImage", `is not accepted by model '${model.id}' (text-to-image)`);
  if (maskSource && !imageSource) throw invalidArgument(input.maskImage ? "maskImage" : "maskUploadId", "needs an input image (an image-to-image model with inputImage or inputImageUploadId)");
  const upscale = resolveUpscale(model, input.upscale, input.refine);
  const custom = input.customModelId ? await loraForRequest(db, uid, input.customModelId, model.id, input.loraStrength ?? DEFAULT_LORA_STRENGTH) : undefined;
  const cost = priceOf(model, size, input.numImages, upscale?.creditMultiplier);
  const requestId = input.idempotencyKey ? requestIdFor(uid, input.idempotencyKey) : db.collection("generationRequests").doc().id;
  const image = imageSource ? await storedInputImage(db, caller, acting, cost, imageSource, maskSource) : undefined;
  const fingerprint = paramsHash({ ...fingerprintFields(input), userId: uid, orgId: acting.orgId, inputImageSha256: image?.sha256, maskSha256: image?.mask?.sha256 });
  return preparedItem({ caller, acting, uid, input, picked: { model, style, color, size }, cost, requestId, image, fingerprint, custom, upscale: upscale?.spec });
}

interface Resolved {
  caller: Caller;
  acting: Acting;
  uid: string;
  input: CreateRequestInput;
  picked: { model: ModelItem; style: PromptItem; color: PromptItem; size: SizeItem };
  cost: number;
  requestId: string;
  image: StoredImage | undefined;
  fingerprint: string;
  custom?: { lora: LoraRef; triggerWord: string };
  upscale?: UpscaleSpec;
}

function preparedItem({ caller, acting, uid, input, picked, cost, requestId, image, fingerprint, custom, upscale }: Resolved): PreparedCreate {
  const { model, style, color, size } = picked;
  const seed = input.seed ?? randomInt(0, 2 ** 32);
  return {
    requestId,
    userId: uid,
    cost,
    numImages: input.numImages,
    fingerprint,
    principal: caller.key ? keyPrincipal(caller.key.keyId) : acting.orgId ? memberPrincipal(uid) : USER_PRINCIPAL,
    // An organisation's creates count against the key's budget, or else the member's.
    budgets: acting.orgId ? [caller.key ? keyPrincipal(caller.key.keyId) : memberPrincipal(uid)] : [],
    wallet: acting.wallet,
    keyId: caller.key?.keyId ?? null,
    mayExist: !!input.idempotencyKey,
    ledgerReason: `generation ${model.id} ${size.id} x${input.numImages}${upscale ? ` upscale ${upscale.factor}${upscale.refine ? " refine" : ""}` : ""}`,
    actor: caller.uid === uid ? `user:${uid}` : `admin:${caller.uid}`,
    fields: {
      userId: uid,
      orgId: acting.orgId,
      model: model.id,
      style: style.id,
      color: color.id,
      size: size.id,
      prompt: input.prompt,
      negativePrompt: input.negativePrompt ?? null,
      numImages: input.numImages,
      seed,
      cost,
      pool: model.pool ?? DEFAULT_POOL,
      render: renderSpec({
        model, style, color, size, negativePrompt: input.negativePrompt, numImages: input.numImages, seed, inputImagePath: image?.path,
        prompt: custom ? withTriggerWord(input.prompt, custom.triggerWord) : input.prompt, lora: custom?.lora, maskImagePath: image?.mask?.path, upscale,
      }),
      inputImage: image ? withoutMask(image) : null,
      etaKey: etaKeyOf({ workflow: model.workflow, width: size.width, height: size.height, upscale }),
      maskImage: image?.mask ?? null,
      upscale: upscale?.factor ?? null,
      refine: Boolean(upscale?.refine),
      customModelId: input.customModelId ?? null,
      attempts: 0,
      progress: 0,
      outputs: [],
      error: null,
      refunded: false,
      lease: null,
      idempotencyKey: input.idempotencyKey ?? null,
      paramsHash: fingerprint,
      webhookUrl: input.webhookUrl ?? null,
      createdBy: caller.uid,
      // The key it was made with (null: signed in), for the usage counters' per-key figures.
      keyId: caller.key?.keyId ?? null,
    },
  };
}

/**
 * Checks what is cheap first (key, rate window, funds), then decodes within the per-instance
 * bound and stores the image under its content hash. Content addressing makes the write
 * idempotent and shared: a retry, a replay or a refused reuse of an idempotency key writes the
 * same bytes to the same name (or another name), so nothing a committed request references is
 * ever overwritten or deleted here. An object left by a refused create is swept by retention.
 */
type StoredImage = Awaited<ReturnType<typeof storedInputImage>>;

async function storedInputImage(db: Firestore, caller: Caller, acting: Acting, cost: number, source: ImageSource, maskSource?: ImageSource) {
  const cfg = config();
  const uid = acting.uid;
  await precheckCreate(db, caller, uid, cost, cfg.MAX_CREATES_PER_MINUTE, new Date(), acting.wallet);
  const limits = { maxBytes: cfg.MAX_INPUT_IMAGE_BYTES, maxPixels: cfg.MAX_INPUT_IMAGE_PIXELS, minSide: cfg.MIN_INPUT_IMAGE_SIDE };
  const uploadLimits = { ...limits, maxBytes: cfg.MAX_UPLOAD_BYTES };
  // An upload is checked exactly like a data URL; it may feed several requests while it lives.
  const readUpload = (id: string, field: string) => uploadBytesOrThrow(db, storage(), uid, id, "input-image", field);
  const bytes = "uploadId" in source ? await readUpload(source.uploadId, "inputImageUploadId") : undefined;
  const image: NormalizedImage = await decodes.run(() =>
    bytes ? normalizeImageBytes(bytes, uploadLimits, "inputImageUploadId") : normalizeInputImage((source as { dataUrl: string }).dataUrl, limits));
  const maskBytes = maskSource && "uploadId" in maskSource ? await readUpload(maskSource.uploadId, "maskUploadId") : undefined;
  const mask = maskSource
    ? await decodes.run(() => maskBytes ? normalizeMask({ bytes: maskBytes }, uploadLimits, image, "maskUploadId") : normalizeMask(maskSource as { dataUrl: string }, limits, image, "maskImage"))
    : undefined;
  const path = inputImagePath(uid, image.sha256);
  await storage().save(path, image.png, "image/png");
  if (mask) await storage().save(inputImagePath(uid, mask.sha256), mask.png, "image/png");
  return {
    path, width: image.width, height: image.height, sourceFormat: image.sourceFormat, sha256: image.sha256,
    mask: mask ? { path: inputImagePath(uid, mask.sha256), width: mask.width, height: mask.height, sourceFormat: mask.sourceFormat, sha256: mask.sha256 } : undefined,
  };
}

type ImageSource = { dataUrl: string } | { uploadId: string };
const withoutMask = ({ mask: _mask, ...image }: StoredImage) => image;

export const inputImagePath = (uid: string, sha256: string) => `inputs/${uid}/${sha256}.png`;

function fingerprintFields(input: CreateRequestInput) {
  const { inputImage: _image, maskImage: _mask, idempotencyKey: _key, ...rest } = input;
  return rest;
}
