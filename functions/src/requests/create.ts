// createGenerationRequest: validate, price, then one transaction that writes the request, the
// debit entry and the new balance together (or nothing), then dispatch after the commit, which
// can never fail the call: a paid request that could not be enqueued is the sweeper's to retry.
import { randomInt } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { config } from "../config";
import { loadCatalog, pick } from "../catalog/catalog";
import { ApiError, invalidArgument } from "../http/errors";
import { parseInput } from "../http/validate";
import { targetUser, type Caller } from "../auth/caller";
import { debitEntryId } from "../ledger/types";
import { addUsage } from "../ledger/usage";
import { storage } from "../storage/storage";
import { log } from "../shared/log";
import { dispatchAfterCommit, type DispatcherSource } from "../dispatch/dispatch";
import { createRequestSchema, type CreateRequestInput } from "./schema";
import { normalizeInputImage, type NormalizedImage } from "./inputImage";
import { paramsHash, requestIdFor } from "./ids";
import { priceOf } from "./pricing";
import { renderSpec } from "./render";
import { checkWebhookUrl } from "./webhookUrl";
import { admitPrincipal } from "./rateLimit";
import { insufficientCredits, limitsOf, precheckCreate } from "./admission";
import { Semaphore } from "../shared/semaphore";
import { runMoneyTransaction } from "../shared/transaction";
import { API_KEYS, assertKeyUsable } from "../auth/apiKeyStore";

export interface CreateResult {
  generationRequestId: string;
  deductedCredits: number;
  currentCredits: number;
  status: string;
  replayed: boolean;
}

/** One decode at a time per core on the 1 GiB instance; more wait briefly or get 503. */
const decodes = new Semaphore(2, 16);

/** `deps.dispatcher` lets tests simulate an enqueue (or a dispatcher) that fails after the commit. */
export async function createGenerationRequest(db: Firestore, caller: Caller, rawBody: unknown, deps: { dispatcher?: DispatcherSource } = {}): Promise<CreateResult> {
  const cfg = config();
  const input = parseInput(createRequestSchema(cfg), rawBody);
  const uid = targetUser(caller, input.userId);
  if (input.webhookUrl) checkWebhookUrl(input.webhookUrl, cfg.EMULATED);
  const catalog = await loadCatalog();
  const model = pick(catalog, "models", input.model);
  const style = pick(catalog, "styles", input.style);
  const color = pick(catalog, "colors", input.color);
  const size = pick(catalog, "sizes", input.size);
  if (model.kind === "image-to-image" && !input.inputImage) throw invalidArgument("inputImage", `is required by model '${model.id}' (image-to-image)`);
  if (model.kind === "text-to-image" && input.inputImage) throw invalidArgument("inputImage", `is not accepted by model '${model.id}' (text-to-image)`);
  const cost = priceOf(model, size, input.numImages);
  const requestId = input.idempotencyKey ? requestIdFor(uid, input.idempotencyKey) : db.collection("generationRequests").doc().id;

  const image = input.inputImage ? await storedInputImage(db, caller, uid, cost, input.inputImage) : undefined;
  const fingerprint = paramsHash({ ...fingerprintFields(input), userId: uid, inputImageSha256: image?.sha256 });

  const result = await runMoneyTransaction(db, async (tx): Promise<CreateResult> => {
    const requestRef = db.doc(`generationRequests/${requestId}`);
    const userRef = db.doc(`users/${uid}`);
    // The principal whose limits this create counts against: the API key, or else the user.
    const keyRef = caller.key ? db.doc(`${API_KEYS}/${caller.key.keyId}`) : null;
    const [existing, user, key] = await Promise.all([tx.get(requestRef), tx.get(userRef), keyRef ? tx.get(keyRef) : null]);
    if (existing.exists) return replayOf(existing, uid, fingerprint);
    const now = new Date();
    // A key revoked or expired since authentication must not debit.
    if (key) assertKeyUsable(key, now);
    const usage = admitPrincipal((key ?? user).data() ?? {}, limitsOf(key, cfg.MAX_CREATES_PER_MINUTE), now.getTime());
    const balance = (user.get("credits") as number | undefined) ?? 0;
    if (balance < cost) throw insufficientCredits(cost, balance);
    const balanceAfter = balance - cost;
    const seed = input.seed ?? randomInt(0, 2 ** 32);
    tx.set(requestRef, {
      userId: uid,
      status: "queued",
      model: model.id,
      style: style.id,
      color: color.id,
      size: size.id,
      prompt: input.prompt,
      negativePrompt: input.negativePrompt ?? null,
      numImages: input.numImages,
      seed,
      cost,
      balanceAfterDebit: balanceAfter,
      render: renderSpec({ model, style, color, size, prompt: input.prompt, negativePrompt: input.negativePrompt, numImages: input.numImages, seed, inputImagePath: image?.path }),
      inputImage: image ?? null,
      attempts: 0,
      progress: 0,
      outputs: [],
      error: null,
      refunded: false,
      lease: null,
      dispatch: { state: "pending", attempts: 0, updatedAt: now },
      idempotencyKey: input.idempotencyKey ?? null,
      paramsHash: fingerprint,
      webhookUrl: input.webhookUrl ?? null,
      createdBy: caller.uid,
      createdAt: now,
      updatedAt: now,
    });
    tx.create(db.doc(`users/${uid}/ledger/${debitEntryId(requestId)}`), {
      type: "debit",
      amount: -cost,
      balanceAfter,
      requestId,
      reason: `generation ${model.id} ${size.id} x${input.numImages}`,
      actor: caller.uid === uid ? `user:${uid}` : `admin:${caller.uid}`,
      createdAt: now,
    });
    tx.set(userRef, { credits: balanceAfter, updatedAt: now, ...(key ? {} : usage) }, { merge: true });
    if (key) tx.update(key.ref, { ...usage, lastUsedAt: now });
    addUsage(db, tx, uid, now, { requests: 1, images: input.numImages, creditsDebited: cost }, now);
    return { generationRequestId: requestId, deductedCredits: cost, currentCredits: balanceAfter, status: "queued", replayed: false };
  });

  if (!result.replayed) {
    log.info("generation request created", { requestId, uid, cost, model: model.id, size: size.id, numImages: input.numImages });
    await dispatchAfterCommit(db, requestId, deps.dispatcher);
  }
  return result;
}

/**
 * Checks what is cheap first (key, rate window, funds), then decodes within the per-instance
 * bound and stores the image under its content hash. Content addressing makes the write
 * idempotent and shared: a retry, a replay or a refused reuse of an idempotency key writes the
 * same bytes to the same name (or another name), so nothing a committed request references is
 * ever overwritten or deleted here. An object left by a refused create is swept by retention.
 */
async function storedInputImage(db: Firestore, caller: Caller, uid: string, cost: number, dataUrl: string) {
  const cfg = config();
  await precheckCreate(db, caller, uid, cost, cfg.MAX_CREATES_PER_MINUTE, new Date());
  const image: NormalizedImage = await decodes.run(() =>
    normalizeInputImage(dataUrl, { maxBytes: cfg.MAX_INPUT_IMAGE_BYTES, maxPixels: cfg.MAX_INPUT_IMAGE_PIXELS, minSide: cfg.MIN_INPUT_IMAGE_SIDE }));
  const path = inputImagePath(uid, image.sha256);
  await storage().save(path, image.png, "image/png");
  return { path, width: image.width, height: image.height, sourceFormat: image.sourceFormat, sha256: image.sha256 };
}

export const inputImagePath = (uid: string, sha256: string) => `inputs/${uid}/${sha256}.png`;

function replayOf(existing: FirebaseFirestore.DocumentSnapshot, uid: string, fingerprint: string): CreateResult {
  if (existing.get("userId") !== uid || existing.get("paramsHash") !== fingerprint) {
    throw new ApiError("FAILED_PRECONDITION", "idempotencyKey was already used with different parameters", { generationRequestId: existing.id });
  }
  return {
    generationRequestId: existing.id,
    deductedCredits: existing.get("cost"),
    currentCredits: existing.get("balanceAfterDebit"),
    status: existing.get("status"),
    replayed: true,
  };
}

function fingerprintFields(input: CreateRequestInput) {
  const { inputImage: _image, idempotencyKey: _key, ...rest } = input;
  return rest;
}
