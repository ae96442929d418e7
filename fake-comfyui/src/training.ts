import { createHash } from "node:crypto";
import { loraMark, type Rgb } from "./lora-mark";
import { fakeLoraFile, readSafetensorsHeader } from "./safetensors";

// The fake's training and LoRA nodes. Dataset loader → MakeTrainingDataset → TrainLoraNode →
// SaveLoRA read and write real files; the loaders read the LoRA from ComfyUI's loras paths and
// attach its mark to the MODEL, which KSampler then paints into the image.

type Value = Record<string, unknown>;

/** A node failure with ComfyUI's exception type (what execution_error reports). */
export class NodeFailure extends Error {
  constructor(message: string, readonly exceptionType = "RuntimeError") { super(message); }
}

/** What these nodes need from the running prompt. */
export interface TrainingCtx {
  folderFiles(folder: string): { name: string; bytes: Buffer }[];
  readLora(name: string): Buffer | undefined;
  saveLora(prefix: string, bytes: Buffer): void;
  /** One training step: sleeps the fake's stepMs (or hangs/fails per the prompt's fault), then reports progress. */
  step(value: number, max: number): Promise<void>;
}

const IMAGE_EXT = /\.(png|jpe?g|webp)$/i;

/** Pure: images and captions of a dataset folder, as ComfyUI pairs them (`a.png` + `a.txt`; none = ""). */
export function readDataset(files: { name: string; bytes: Buffer }[]): { images: string[]; texts: string[] } {
  const captions = new Map(files.filter((f) => f.name.endsWith(".txt")).map((f) => [f.name.slice(0, -4), f.bytes.toString("utf8").trim()]));
  const images = files.filter((f) => IMAGE_EXT.test(f.name));
  if (images.length === 0) throw new NodeFailure("No valid images found in input", "ValueError");
  return {
    images: images.map((f) => createHash("sha256").update(f.bytes).digest("hex")),
    texts: images.map((f) => captions.get(f.name.replace(IMAGE_EXT, "")) ?? ""),
  };
}

/** Returns the node's output values, or null when `type` is not one of these nodes. */
export async function runTrainingNode(type: string, inp: Value, ctx: TrainingCtx): Promise<unknown[] | null> {
  switch (type) {
    case "LoadImageTextDataSetFromFolder":
    case "LoadImageDataSetFromFolder": {
      const ds = readDataset(ctx.folderFiles(String(inp.folder)));
      return [ds.images, ds.texts];
    }
    case "MakeTrainingDataset": {
      const images = inp.images as string[];
      const texts = (inp.texts as string[] | undefined) ?? [];
      // One text is repeated for every image; otherwise one per image.
      const conditioning = texts.length === 1 ? images.map(() => texts[0]) : images.map((_, i) => texts[i] ?? "");
      return [{ latents: images }, { conditioning }];
    }
    case "TrainLoraNode": return train(inp, ctx);
    case "SaveLoRA": {
      const lora = inp.lora as { digest: string; rank: number; steps: number };
      const steps = inp.steps === undefined ? undefined : Number(inp.steps);
      // SaveLoRA: `<prefix>_<steps>_steps_<counter>_.safetensors` under output/; no UI output.
      ctx.saveLora(steps === undefined ? String(inp.prefix) : `${String(inp.prefix)}_${steps}_steps`, fakeLoraFile(lora.digest, lora.rank, lora.steps));
      return [];
    }
    case "LoraLoader":
    case "LoraLoaderModelOnly": {
      const mark = loadMark(String(inp.lora_name), Number(inp.strength_model), ctx);
      const model = { ...(inp.model as Value), loraMarks: [...(((inp.model as Value).loraMarks as Rgb[] | undefined) ?? []), mark] };
      return type === "LoraLoader" ? [model, inp.clip] : [model];
    }
    default: return null;
  }
}

async function train(inp: Value, ctx: TrainingCtx): Promise<unknown[]> {
  const latents = (inp.latents as { latents: string[] }).latents;
  const conditioning = (inp.positive as { conditioning: string[] }).conditioning;
  const steps = Number(inp.steps);
  const max = steps * Number(inp.grad_accumulation_steps ?? 1);
  for (let value = 1; value <= max; value++) await ctx.step(value, max);
  const digest = createHash("sha256").update(JSON.stringify({ latents, conditioning, seed: Number(inp.seed), rank: Number(inp.rank) })).digest("hex");
  return [{ digest, rank: Number(inp.rank), steps }, { loss: [] }, steps];
}

function loadMark(name: string, strength: number, ctx: TrainingCtx): Rgb {
  const bytes = ctx.readLora(name);
  if (!bytes) throw new NodeFailure(`[Errno 2] No such file or directory: '${name}'`, "FileNotFoundError");
  try {
    readSafetensorsHeader(bytes);
  } catch (e) {
    throw new NodeFailure((e as Error).message, "SafetensorError");
  }
  return loraMark(bytes, strength);
}
