import type { Engine, QueueItem } from "./engine";
import type { Faults } from "./faults";
import type { FileStore } from "./file-store";
import type { Rgb } from "./lora-mark";
import { renderFakeImage } from "./render-image";
import { runImageNode, type ImageNodeCtx } from "./image-nodes";
import { decodeFrame, denoiseFrom, encodeFrame, type Frame, type Mask } from "./pixels";
import { addPngTextChunks } from "./png-text";
import { previewFrame, previewsWanted } from "./previews";
import { NodeFailure, runTrainingNode, type TrainingCtx } from "./training";
import type { WsHub } from "./ws-hub";

export class Interrupted extends Error {}
class ExecutionFailed extends Error {
  constructor(readonly nodeId: string, readonly nodeType: string, message: string, readonly exceptionType = "torch.OutOfMemoryError") { super(message); }
}

interface Ctx { engine: Engine; hub: WsHub; files: FileStore; faults: Faults; emit: (type: string, data: Record<string, unknown>) => void }
type Value = Record<string, unknown>;
type Msg = [string, Record<string, unknown>];

/** Runs one prompt's graph, emitting ComfyUI's WebSocket events; returns history outputs. */
export async function executePrompt(item: QueueItem, ctx: Ctx): Promise<{ ok: boolean; outputs: Record<string, { images: unknown[] }>; messages: Msg[] }> {
  const messages: Msg[] = [];
  const record = (type: string, data: Record<string, unknown>) => {
    const full = { ...data, prompt_id: item.promptId, timestamp: Date.now() };
    messages.push([type, full]);
    if (type === "execution_interrupted") ctx.hub.broadcast(type, full);
    else ctx.emit(type, full);
  };
  const outputs: Record<string, { images: unknown[] }> = {};
  const values = new Map<string, unknown[]>();
  const executed: string[] = [];
  record("execution_start", {});
  record("execution_cached", { nodes: [] });
  if (ctx.faults.wsDrop && item.clientId) {
    ctx.hub.blocked.add(item.clientId);
    ctx.hub.drop(item.clientId);
  }
  let current = { id: "", type: "" };
  try {
    for (const id of order(item)) {
      const node = item.prompt[id];
      current = { id, type: node.class_type as string };
      ctx.engine.currentNode = id;
      ctx.emit("executing", { node: id, display_node: id, prompt_id: item.promptId });
      const inputs = resolveInputs(node.inputs ?? {}, values);
      const result = await runNode(current.type, inputs, id, item, ctx);
      values.set(id, result.values);
      if (result.images) {
        outputs[id] = { images: result.images };
        ctx.emit("executed", { node: id, display_node: id, output: { images: result.images }, prompt_id: item.promptId });
      }
      executed.push(id);
    }
    record("execution_success", {});
    return { ok: true, outputs, messages };
  } catch (e) {
    if (e instanceof Interrupted) {
      record("execution_interrupted", { node_id: current.id, node_type: current.type, executed });
    } else {
      const err = e instanceof ExecutionFailed ? e : new ExecutionFailed(current.id, current.type, (e as Error).message);
      record("execution_error", {
        node_id: err.nodeId, node_type: err.nodeType, executed, exception_message: err.message,
        exception_type: err.exceptionType, traceback: [`  File "execution.py", line 1, in ${err.nodeType}\n`], current_inputs: {}, current_outputs: executed,
      });
    }
    return { ok: false, outputs, messages };
  } finally {
    if (item.clientId) ctx.hub.blocked.delete(item.clientId);
  }
}

/** Ancestors of the outputs, dependencies first. */
function order(item: QueueItem): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const v of Object.values(item.prompt[id].inputs ?? {})) if (Array.isArray(v)) visit(v[0] as string);
    out.push(id);
  };
  item.outputs.forEach(visit);
  return out;
}

function resolveInputs(inputs: Record<string, unknown>, values: Map<string, unknown[]>): Value {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, Array.isArray(v) ? values.get(v[0] as string)?.[v[1] as number] : v]));
}

async function runNode(type: string, inp: Value, id: string, item: QueueItem, ctx: Ctx): Promise<{ values: unknown[]; images?: unknown[] }> {
  const img = inp.images as Value | undefined;
  switch (type) {
    case "CheckpointLoaderSimple": return { values: [{ model: inp.ckpt_name }, { clip: inp.ckpt_name }, { vae: inp.ckpt_name }] };
    case "CLIPTextEncode": return { values: [{ text: String(inp.text) }] };
    case "EmptyLatentImage": return { values: [{ width: Number(inp.width), height: Number(inp.height), batch: Number(inp.batch_size) }] };
    case "VAEEncode": return { values: [{ ...(inp.pixels as Value) }] };
    case "RepeatLatentBatch": return { values: [{ ...(inp.samples as Value), batch: Number((inp.samples as Value).batch) * Number(inp.amount) }] };
    case "KSampler": return { values: [await sample(inp, id, item, ctx)] };
    case "VAEDecode": return { values: [{ ...(inp.samples as Value) }] };
    case "SaveImage":
    case "PreviewImage": {
      const all = img?.frames ? await encodeAll(img, item) : await ((img?.rendered as Promise<Buffer[]> | undefined) ?? renderAll(img!, item));
      const images = (item.fault === "short_batch" ? all.slice(0, 1) : all).map((png) =>
        ctx.files.saveOutput(type === "SaveImage" ? "output" : "temp", type === "SaveImage" ? String(inp.filename_prefix) : "ComfyUI_temp", png));
      return { values: [], images };
    }
    default: {
      const image = await runImageNode(type, inp, imageCtx(id, type, item, ctx));
      if (image) return { values: image };
      let values: unknown[] | null;
      try {
        values = await runTrainingNode(type, inp, trainingCtx(id, item, ctx));
      } catch (e) {
        if (e instanceof NodeFailure) throw new ExecutionFailed(id, type, e.message, e.exceptionType);
        throw e;
      }
      if (!values) throw new ExecutionFailed(id, type, `fake ComfyUI cannot execute ${type}`);
      return { values };
    }
  }
}

/** Files and steps for the training nodes, with the prompt's fault applied to the steps. */
function trainingCtx(id: string, item: QueueItem, ctx: Ctx): TrainingCtx {
  return {
    folderFiles: (folder) => ctx.files.folderFiles(folder),
    readLora: (name) => ctx.files.readLora(name),
    // SaveLoRA counts on the bare prefix; `_<steps>_steps_` sits between it and the counter.
    saveLora: (prefix, bytes) => {
      const m = /^(.*)_(\d+)_steps$/.exec(prefix);
      void ctx.files.saveOutput("output", m ? m[1] : prefix, bytes, ".safetensors", m ? `${m[2]}_steps_` : "");
    },
    step: async (value, max) => {
      if (item.fault === "execution_error" && value > max / 2) throw new ExecutionFailed(id, "TrainLoraNode", "Allocation on device 0 would exceed allowed memory. (fake: out of memory)");
      await ctx.engine.sleep(value > 1 ? hangOf(item) ?? ctx.faults.stepMs : ctx.faults.stepMs);
      ctx.emit("progress", { value, max, prompt_id: item.promptId, node: id });
    },
  };
}

function imageCtx(id: string, type: string, item: QueueItem, ctx: Ctx): ImageNodeCtx {
  return {
    readInput: (name) => {
      const slash = name.lastIndexOf("/");
      return ctx.files.get("input", slash >= 0 ? name.slice(0, slash) : "", slash >= 0 ? name.slice(slash + 1) : name);
    },
    renderAll: (img) => renderAll(img, item),
    fail: (message) => new ExecutionFailed(id, type, message),
  };
}

/** SaveImage of pixels: PNGs with the prompt and workflow as tEXt chunks, like a sampler's. */
async function encodeAll(img: Value, item: QueueItem): Promise<Buffer[]> {
  const frames = await (img.frames as Promise<Frame[]>);
  return Promise.all(frames.map(async (f) => addPngTextChunks(await encodeFrame(f), pngInfoOf(item))));
}

const pngInfoOf = (item: QueueItem) => ({ prompt: JSON.stringify(item.prompt), workflow: JSON.stringify((item.extraData.extra_pnginfo as Value | undefined)?.workflow ?? { nodes: [] }) });

/** How the prompt's fault hangs a step, if it does. */
const hangOf = (item: QueueItem): "forever" | "stuck" | null => (item.fault === "hang" ? "forever" : item.fault === "hard_hang" ? "stuck" : null);

function renderAll(img: Value, item: QueueItem): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: Number(img.batch ?? 1) }, (_, i) => renderFakeImage({
    width: Number(img.width), height: Number(img.height), seed: Number(img.seed ?? 0), text: String(img.text ?? ""), index: i, loraMarks: img.loraMarks as Rgb[] | undefined,
    pngInfo: pngInfoOf(item),
  })));
}

async function sample(inp: Value, id: string, item: QueueItem, ctx: Ctx): Promise<Value> {
  const latent = inp.latent_image as Value;
  const { frames: source, noiseMask, ...size } = latent;
  const out: Value = { ...size, seed: Number(inp.seed), text: String((inp.positive as Value).text), loraMarks: (inp.model as Value | undefined)?.loraMarks };
  const denoise = inp.denoise === undefined ? 1 : Number(inp.denoise);
  ctx.engine.samplerPasses.push({ promptId: item.promptId, node: id, width: Number(latent.width), height: Number(latent.height), steps: Number(inp.steps), denoise, fromPixels: Boolean(source), masked: Boolean(noiseMask) });
  // The pictures are drawn while the steps "run", so a prompt takes imageMs per image (or the
  // drawing time, if longer) instead of imageMs plus the drawing: a fixed GPU time per image.
  const rendered = renderAll(out, item);
  rendered.catch(() => undefined);
  const steps = Number(inp.steps);
  const stepMs = (ctx.faults.imageMs * Number(latent.batch)) / steps;
  for (let step = 1; step <= steps; step++) {
    if (item.fault === "execution_error" && step > steps / 2) throw new ExecutionFailed(id, "KSampler", "Allocation on device 0 would exceed allowed memory. (fake: out of memory)");
    if (step === steps) await ctx.engine.gate();
    await ctx.engine.sleep(step > 1 ? hangOf(item) ?? stepMs : stepMs);
    ctx.emit("progress", { value: step, max: steps, prompt_id: item.promptId, node: id });
    if (item.clientId && previewsWanted(item.extraData)) ctx.hub.sendBinary(item.clientId, await previewFrame(Number(latent.width), Number(latent.height), step, steps, Number(inp.seed)));
  }
  if (!source) return { ...out, rendered };
  // Started from pixels (img2img, a mask, a refine pass): they move towards fresh ones by denoise.
  const frames = Promise.all([rendered, source as Promise<Frame[]>, noiseMask as Promise<Mask> | undefined]).then(([pngs, src, mask]) =>
    Promise.all(pngs.map(async (png, i) => denoiseFrom(src[i % src.length], await decodeFrame(png), denoise, mask))));
  frames.catch(() => undefined);
  return { ...out, frames };
}
