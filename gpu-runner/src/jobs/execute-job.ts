import type { Config } from "../config";
import { ComfyHttp } from "../comfy/http-client";
import { renderWorkflow, RenderError } from "../comfy/render-workflow";
import { readOutcome } from "../comfy/history";
import { filenamePrefix, inputUpload, maskUpload } from "../comfy/job-files";
import { StageError } from "../comfy/stages";
import { runPrompt, type RunResult } from "../comfy/run-prompt";
import { progressSource, type Template } from "../comfy/templates";
import { errors, RunnerError } from "../errors";
import type { Logger } from "../log";
import { postprocessImage } from "../postprocess/postprocess";
import { outputPath, thumbnailPath, type Storage } from "../storage";
import type { JobInput } from "./job-input";
import type { LoraCache } from "./lora-cache";
import type { ComfyIds, Output } from "./job.repo";
import type { JobTimings } from "./timings";

export interface ExecuteDeps {
  config: Config;
  comfy: ComfyHttp;
  storage: Storage;
  templates: Map<string, Template>;
  log: Logger;
  /** ComfyUI's models/loras folder as a cache; null = this host cannot run LoRA jobs. */
  loraCache: LoraCache | null;
}

export type { ComfyIds } from "./job.repo";

export interface ExecuteHooks {
  /** ComfyUI ids recorded by an earlier attempt, if any. */
  previous: ComfyIds | null;
  /** Ids already saved by the claim: submit under them, and save again only if ComfyUI picks others. */
  reserved?: ComfyIds | null;
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
  /** Sampler preview frames (encoded JPEG or PNG), when the caller wants them. */
  onPreview?: (image: Buffer) => void;
  onSubmitted: (ids: { promptId: string; clientId: string }) => Promise<void>;
  /** Filled in as the job moves on. */
  timings: JobTimings;
  /** ComfyUI's execution time of this attempt's prompt (ms), once it ended: the job's GPU time. */
  onExecutionSpan?: (ms: number) => void;
  /** Every storage path this attempt wrote (or began to write), so a refused final write can take them back. */
  stored?: string[];
}

/** ComfyUI run + post-processing + storage for one claimed job; throws RunnerError. */
export async function executeJob(deps: ExecuteDeps, requestId: string, attempt: number, job: JobInput, hooks: ExecuteHooks): Promise<Output[]> {
  const { config, comfy, storage, log } = deps;
  const r = job.render;
  const template = deps.templates.get(r.workflow);
  if (!template) throw errors.invalidRequest(`unknown workflow template "${r.workflow}"`);
  const common = {
    timeoutMs: config.JOB_TIMEOUT_SECONDS * 1000, pollIntervalMs: config.COMFY_POLL_INTERVAL_MS,
    reconnectMs: config.COMFY_WS_RECONNECT_MS, signal: hooks.signal, onProgress: hooks.onProgress, onPreview: hooks.onPreview, log,
    // Progress only from the sampler (the node `steps` is mapped to), not tiled VAE or custom nodes.
    progressNode: progressSource(template).node, onExecutionSpan: hooks.onExecutionSpan,
  };
  // An earlier attempt's prompt that finished or is still in ComfyUI is followed, not re-run
  // (the runner that submitted it died or lost its lease): the GPU time is already spent.
  if (hooks.previous && (await isReusable(comfy, hooks.previous.promptId))) {
    log.info("job.comfy.reattach", { promptId: hooks.previous.promptId });
    const run = await runPrompt(comfy, { ...common, ...hooks.previous, workflow: template.workflow, attach: true });
    return finish(deps, requestId, job, run, hooks);
  }
  const inputImage = r.inputImagePath ? await uploadInput(deps, r.inputImagePath, inputUpload(requestId)) : undefined;
  const maskImage = r.maskImagePath ? await uploadInput(deps, r.maskImagePath, maskUpload(requestId)) : undefined;
  let lora: { name: string; strength: number } | undefined;
  if (r.lora) {
    if (!deps.loraCache) throw errors.loraUnavailable("COMFY_BASE_DIR (or COMFY_LORA_DIR) is not set: no loras folder to put the file in");
    lora = { name: await deps.loraCache.ensure(storage, r.lora), strength: r.lora.strength };
  }
  let workflow;
  try {
    // A prefix unique per attempt defeats ComfyUI's cache returning an earlier run's files.
    workflow = renderWorkflow(template, { ...r, lora, inputImage, maskImage, filenamePrefix: filenamePrefix(requestId, attempt) });
  } catch (e) {
    if (e instanceof RenderError || e instanceof StageError) throw errors.invalidRequest(e.message);
    throw e;
  }
  const reserved = hooks.reserved ?? null;
  const onSubmitted = (ids: ComfyIds) => (reserved && ids.promptId === reserved.promptId ? undefined : hooks.onSubmitted(ids));
  const run = await runPrompt(comfy, { ...common, workflow, ...(reserved ?? {}), onSubmitted });
  log.info("job.comfy.done", { promptId: run.promptId, images: run.images.length, wsReconnects: run.wsReconnects });
  return finish(deps, requestId, job, run, hooks);
}

/**
 * Upscaled outputs must be exactly factor × the paid size: an upscale model with another scale
 * (the catalog names the file) would otherwise deliver, and charge for, the wrong thing.
 */
function checkSize(img: { width: number; height: number }, r: JobInput["render"]): void {
  if (!r.upscale) return;
  const paid = `${r.width * r.upscale.factor}x${r.height * r.upscale.factor}`;
  if (`${img.width}x${img.height}` !== paid) throw errors.comfyWrongSize(`${img.width}x${img.height}`, paid);
}

/** Copies a stored input (image or mask) into ComfyUI's input folder; returns the name LoadImage takes. */
async function uploadInput(deps: ExecuteDeps, storedPath: string, target: { subfolder: string; name: string }): Promise<string> {
  const bytes = await deps.storage.get(storedPath).catch((e) => { throw errors.storageUnavailable(e); });
  if (!bytes) throw errors.inputImageMissing(storedPath);
  const uploaded = await deps.comfy.uploadImage(bytes, target.name, target.subfolder);
  return uploaded.subfolder ? `${uploaded.subfolder}/${uploaded.name}` : uploaded.name;
}

/**
 * A request is paid per image: fewer images than paid for end the job failed (and so refunded in
 * full through the one refund path) rather than `succeeded` at the full price. Extra images (a
 * workflow with a second save node) are not stored.
 */
async function finish(deps: ExecuteDeps, requestId: string, job: JobInput, run: RunResult, hooks: ExecuteHooks): Promise<Output[]> {
  Object.assign(hooks.timings, run.timings);
  const paid = job.render.batchSize;
  if (run.images.length < paid) throw errors.comfyIncompleteOutput(run.images.length, paid);
  const outputs = await storeOutputs(deps, requestId, job, run.images.slice(0, paid), hooks.signal, hooks.stored ?? []);
  hooks.timings.storedAt = Date.now();
  return outputs;
}

/** An earlier attempt's prompt that succeeded or is still queued/running: follow it instead of re-running. */
export async function isReusable(comfy: ComfyHttp, promptId: string, requireImages = true): Promise<boolean> {
  const entry = await comfy.history(promptId);
  if (entry) return readOutcome(promptId, entry, requireImages).state === "success";
  return comfy.isQueued(promptId);
}

async function storeOutputs(deps: ExecuteDeps, requestId: string, job: JobInput, images: RunResult["images"], signal: AbortSignal, stored: string[]): Promise<Output[]> {
  const { config, storage } = deps;
  const r = job.render;
  const outputs: Output[] = [];
  for (const [i, img] of images.entries()) {
    if (signal.aborted) throw signal.reason as RunnerError;
    const processed = await postprocessImage(img.bytes, {
      format: config.OUTPUT_FORMAT, quality: config.OUTPUT_QUALITY, thumbnailSize: config.THUMBNAIL_SIZE, webpEffort: config.OUTPUT_WEBP_EFFORT,
    })
      .catch((e) => { throw errors.postprocessFailed(e); });
    checkSize(processed, r);
    const path = outputPath(job.userId, requestId, i, processed.ext);
    const thumb = thumbnailPath(job.userId, requestId, i);
    stored.push(path, thumb);
    try {
      await Promise.all([storage.put(path, processed.bytes, processed.contentType), storage.put(thumb, processed.thumbnail, "image/webp")]);
    } catch (e) {
      throw errors.storageUnavailable(e);
    }
    outputs.push({ path, thumbnailPath: thumb, contentType: processed.contentType, width: processed.width, height: processed.height, bytes: processed.bytes.length, seed: r.seed });
  }
  return outputs;
}
