import fs from "node:fs/promises";
import path from "node:path";

// ComfyUI keeps every uploaded input and every saved output until someone deletes the file, and
// its HTTP API has no route for that (docs/comfyui-protocol.md). The runner shares ComfyUI's
// folders (same container, or a shared volume), so it deletes a job's files itself. Each job's
// files live under names derived from the request id alone, so any attempt (or another runner
// on the same host) can remove what an earlier attempt left behind.

export interface ComfyFolders { input: string; output: string }

/** Our namespace inside ComfyUI's input and output folders: nothing else there is ever touched. */
export const JOB_NAMESPACE = "imagegen";

export const inputUpload = (requestId: string) => ({ subfolder: JOB_NAMESPACE, name: `${requestId}.png` });
/** The mask of an inpainting job, beside its input (the request id has no "." so names cannot clash). */
export const maskUpload = (requestId: string) => ({ subfolder: JOB_NAMESPACE, name: `${requestId}.mask.png` });
export const filenamePrefix = (requestId: string, attempt: number) => `${JOB_NAMESPACE}/${requestId}/a${attempt}`;

/** Request ids are Firestore document ids; anything that could name another path is refused. */
const isSafeSegment = (s: string) => s.length > 0 && s !== "." && s !== ".." && !/[/\\\0]/.test(s);

/** Pure: `root/...segments` if it stays strictly inside `root`, else null. */
export function insideRoot(root: string, ...segments: string[]): string | null {
  const base = path.resolve(root);
  const target = path.resolve(base, ...segments);
  const rel = path.relative(base, target);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? target : null;
}

/** Pure: the files and folder a job may have left in ComfyUI's folders. */
export function jobPaths(folders: ComfyFolders, requestId: string): { inputFile: string; maskFile: string; outputDir: string } {
  if (!isSafeSegment(requestId)) throw new Error(`unsafe request id for a ComfyUI path: ${JSON.stringify(requestId)}`);
  const upload = inputUpload(requestId);
  const mask = maskUpload(requestId);
  const inputFile = insideRoot(folders.input, upload.subfolder, upload.name);
  const maskFile = insideRoot(folders.input, mask.subfolder, mask.name);
  const outputDir = insideRoot(folders.output, JOB_NAMESPACE, requestId);
  if (!inputFile || !maskFile || !outputDir) throw new Error(`request id ${JSON.stringify(requestId)} escapes ComfyUI's folders`);
  return { inputFile, maskFile, outputDir };
}

async function countFiles(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

/**
 * Deletes the job's uploaded input (and mask) and its whole output folder (every attempt's images).
 * Missing files are fine (nothing uploaded, or already removed); returns how many files went.
 */
export async function removeJobFiles(folders: ComfyFolders, requestId: string): Promise<number> {
  const { inputFile, maskFile, outputDir } = jobPaths(folders, requestId);
  let removed = await countFiles(outputDir);
  await fs.rm(outputDir, { recursive: true, force: true });
  for (const file of [inputFile, maskFile]) {
    try {
      await fs.unlink(file);
      removed++;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return removed;
}

// Training jobs: each submitted prompt gets its own dataset folder and SaveLoRA prefix, named
// from the custom model id and the prompt id, so a retry never reads an earlier attempt's photos
// (ComfyUI's dataset loader reads the whole folder) and the LoRA's file name can be predicted.
export const TRAIN_NAMESPACE = "imagegen-train";

export function trainingNames(customModelId: string, promptId: string): { folder: string; loraPrefix: string } {
  if (!isSafeSegment(customModelId) || !isSafeSegment(promptId)) throw new Error(`unsafe id for a ComfyUI path: ${JSON.stringify([customModelId, promptId])}`);
  return { folder: `${TRAIN_NAMESPACE}/${customModelId}/${promptId}`, loraPrefix: `loras/${TRAIN_NAMESPACE}/${customModelId}/${promptId}` };
}

/** Pure: where SaveLoRA writes (`<prefix>_<steps>_steps_00001_.safetensors` under output/; a fresh prefix starts at 1). */
export function predictedLora(loraPrefix: string, steps: number): { subfolder: string; filename: string; type: "output" } {
  const slash = loraPrefix.lastIndexOf("/");
  return { subfolder: loraPrefix.slice(0, slash), filename: `${loraPrefix.slice(slash + 1)}_${steps}_steps_00001_.safetensors`, type: "output" };
}

/** Deletes every attempt's dataset folder and saved LoRA of a custom model in ComfyUI's folders; returns the files removed. */
export async function removeTrainingFiles(folders: ComfyFolders, customModelId: string): Promise<number> {
  if (!isSafeSegment(customModelId)) throw new Error(`unsafe custom model id: ${JSON.stringify(customModelId)}`);
  const dirs = [insideRoot(folders.input, TRAIN_NAMESPACE, customModelId), insideRoot(folders.output, "loras", TRAIN_NAMESPACE, customModelId)];
  let removed = 0;
  for (const dir of dirs) {
    if (!dir) continue;
    removed += await countFiles(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
  return removed;
}
