import { createHash, randomUUID } from "node:crypto";
import { predictedLora, trainingNames } from "../comfy/job-files";
import { renderWorkflow } from "../comfy/render-workflow";
import { runPrompt } from "../comfy/run-prompt";
import { isTrainingTemplate, progressSource } from "../comfy/templates";
import { errors, type RunnerError } from "../errors";
import { loraPath } from "../storage";
import { isReusable, type ExecuteDeps } from "./execute-job";
import type { ComfyIds } from "./job.repo";
import { photoNames, prepareTrainingPhoto } from "./training-photos";
import type { TrainingInput } from "./training-input";
import type { StoredLora } from "./training.repo";

export interface TrainingHooks {
  /** ComfyUI ids an earlier attempt recorded, if any. */
  previous: ComfyIds | null;
  /** Ids the claim saved: submit under them. */
  reserved: ComfyIds | null;
  signal: AbortSignal;
  onProgress: (fraction: number, step: number) => void;
  onSubmitted: (ids: ComfyIds) => Promise<void>;
  /** ComfyUI's execution time of the training prompt (ms), once it ended: the model's GPU time. */
  onExecutionSpan?: (ms: number) => void;
  /** Milestones (epoch ms), filled in as the run moves on. */
  timings: Record<string, number>;
}

const PREPARE_CONCURRENCY = 2;

/** Photos → ComfyUI → LoRA in storage, for one claimed training job; throws RunnerError. */
export async function runTraining(deps: ExecuteDeps, customModelId: string, input: TrainingInput, hooks: TrainingHooks): Promise<StoredLora> {
  const { config, comfy, log } = deps;
  const { train } = input;
  const template = deps.templates.get(train.workflow);
  if (!template || !isTrainingTemplate(template)) throw errors.invalidRequest(`unknown training template "${train.workflow}"`);
  // Progress from the trainer only, in steps (its ProgressBar counts micro-steps).
  const { node: trainer, ticksPerStep } = progressSource(template);
  const common = {
    timeoutMs: config.TRAIN_TIMEOUT_SECONDS * 1000, pollIntervalMs: config.COMFY_POLL_INTERVAL_MS, reconnectMs: config.COMFY_WS_RECONNECT_MS,
    signal: hooks.signal, onProgress: (f: number, value: number) => hooks.onProgress(f, Math.floor(value / ticksPerStep)), log, requireImages: false,
    progressNode: trainer, onExecutionSpan: hooks.onExecutionSpan,
  };
  let ids: ComfyIds;
  // A runner that died (or lost its lease) mid-training left its prompt running in ComfyUI:
  // follow it to the end instead of training a second time.
  if (hooks.previous && (await isReusable(comfy, hooks.previous.promptId, false))) {
    log.info("train.comfy.reattach", { promptId: hooks.previous.promptId });
    ids = hooks.previous;
    const run = await runPrompt(comfy, { ...common, ...ids, workflow: template.workflow, attach: true });
    Object.assign(hooks.timings, run.timings);
  } else {
    ids = hooks.reserved ?? { promptId: randomUUID(), clientId: randomUUID() };
    const names = trainingNames(customModelId, ids.promptId);
    await uploadPhotos(deps, train, names.folder, hooks.signal);
    hooks.timings.uploadedAt = Date.now();
    const workflow = renderWorkflow(template, { trainingFolder: names.folder, loraPrefix: names.loraPrefix, steps: train.steps, seed: train.seed });
    const reserved = hooks.reserved;
    const run = await runPrompt(comfy, {
      ...common, ...ids, workflow, onSubmitted: (got) => (reserved && got.promptId === reserved.promptId ? undefined : hooks.onSubmitted(got)),
    });
    Object.assign(hooks.timings, run.timings);
  }
  // SaveLoRA lists nothing in /history: download the file by the name it was bound to get.
  const bytes = await comfy.view(predictedLora(trainingNames(customModelId, ids.promptId).loraPrefix, train.steps));
  hooks.timings.fetchedAt = Date.now();
  if (hooks.signal.aborted) throw hooks.signal.reason as RunnerError;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const path = loraPath(input.userId, customModelId, sha256);
  await deps.storage.put(path, bytes, "application/octet-stream").catch((e) => { throw errors.storageUnavailable(e); });
  hooks.timings.storedAt = Date.now();
  return { path, sha256, bytes: bytes.length };
}

/** Fetch, check, orient, shrink and upload every photo with its caption into the job's own folder. */
async function uploadPhotos(deps: ExecuteDeps, train: TrainingInput["train"], folder: string, signal: AbortSignal): Promise<void> {
  const caption = Buffer.from(train.caption, "utf8");
  let next = 0;
  const worker = async () => {
    while (next < train.photos.length) {
      const i = next++;
      if (signal.aborted) throw signal.reason as RunnerError;
      const photo = train.photos[i];
      const bytes = await deps.storage.get(photo.path).catch((e) => { throw errors.storageUnavailable(e); });
      if (!bytes) throw errors.trainingInputInvalid(`training photo not found: ${photo.path}`);
      if (createHash("sha256").update(bytes).digest("hex") !== photo.sha256) throw errors.trainingInputInvalid(`training photo ${photo.path} does not match its sha256`);
      const prepared = await prepareTrainingPhoto(bytes).catch((e) => { throw errors.trainingInputInvalid(`training photo ${photo.path} is not a readable image: ${(e as Error).message}`); });
      const names = photoNames(i);
      await deps.comfy.uploadImage(prepared.png, names.image, folder);
      await deps.comfy.uploadFile(caption, names.caption, folder, "text/plain");
    }
  };
  await Promise.all(Array.from({ length: Math.min(PREPARE_CONCURRENCY, train.photos.length) }, worker));
}
