// createGenerationRequest: validate, price, then one transaction that writes the request, the
// debit entry and the new balance together (or nothing), then dispatch after the commit.
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
import { dispatchAfterCommit } from "../dispatch/dispatch";
import type { Dispatcher } from "../dispatch/dispatcher";
import { createRequestSchema, type CreateRequestInput } from "./schema";
import { normalizeInputImage, type NormalizedImage } from "./inputImage";
import { paramsHash, requestIdFor } from "./ids";
import { priceOf } from "./pricing";
import { renderSpec } from "./render";
import { checkWebhookUrl } from "./webhookUrl";
import { admitPrincipal, type PrincipalLimits } from "./rateLimit";
import { API_KEYS, assertKeyUsable } from "../auth/apiKeyStore";

export interface CreateResult {
  generationRequestId: string;
  deductedCredits: number;
  currentCredits: number;
  status: string;
  replayed: boolean;
}

/** `deps.dispatcher` lets tests simulate an enqueue that fails after the commit. */
export async function createGenerationRequest(db: Firestore, caller: Caller, rawBody: unknown, deps: { dispatcher?: Dispatcher } = {}): Promise<CreateResult> {
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

  const image = input.inputImage
    ? await normalizeInputImage(input.inputImage, { maxBytes: cfg.MAX_INPUT_IMAGE_BYTES, maxPixels: cfg.MAX_INPUT_IMAGE_PIXELS, minSide: cfg.MIN_INPUT_IMAGE_SIDE })
    : undefined;
  const requestId = input.idempotencyKey ? requestIdFor(uid, input.idempotencyKey) : db.collection("generationRequests").doc().id;
  const fingerprint = paramsHash({ ...fingerprintFields(input), userId: uid, inputImageSha256: image?.sha256 });
  const inputImagePath = image ? `inputs/${uid}/${requestId}/input.png` : undefined;
  if (image && inputImagePath) await storage().save(inputImagePath, image.png, "image/png");

  let result: CreateResult;
  try {
    result = await db.runTransaction(async (tx) => {
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
      if (balance < cost) {
        throw new ApiError("INSUFFICIENT_CREDITS", `this request costs ${cost} credits; the balance is ${balance}`, { required: cost, available: balance });
      }
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
        render: renderSpec({ model, style, color, size, prompt: input.prompt, negativePrompt: input.negativePrompt, numImages: input.numImages, seed, inputImagePath }),
        inputImage: image ? imageFacts(image, inputImagePath!) : null,
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
    }, { maxAttempts: 30 });
  } catch (err) {
    // Nothing was charged, so the stored input image belongs to no request. A replay keeps it.
    if (inputImagePath) await storage().remove(inputImagePath).catch(() => undefined);
    throw err;
  }

  if (!result.replayed) {
    log.info("generation request created", { requestId, uid, cost, model: model.id, size: size.id, numImages: input.numImages });
    await dispatchAfterCommit(db, requestId, deps.dispatcher);
  }
  return result;
}

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

function imageFacts(image: NormalizedImage, path: string) {
  return { path, width: image.width, height: image.height, sourceFormat: image.sourceFormat, sha256: image.sha256 };
}

/** A key's own limits (from the snapshot this transaction read), else the per-user default. */
function limitsOf(key: FirebaseFirestore.DocumentSnapshot | null, defaultPerMinute: number): PrincipalLimits {
  return { perMinute: key?.get("ratePerMinute") ?? defaultPerMinute, dailyQuota: key?.get("dailyQuota") ?? null, countDaily: !!key };
}
