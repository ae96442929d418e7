// The fake's image, mask and upscale nodes, on real pixels (pixels.ts). An IMAGE value is its
// size and batch plus either `frames` (raw pixels) or, straight from a sampler, `rendered` PNGs
// (drawn while the steps run). Node definitions: the fixture (nodes.py, comfy_extras/
// nodes_upscale_model.py, nodes_mask.py, nodes_images.py).
import sharp from "sharp";
import { UPSCALE_MODELS } from "./nodes";
import { composite, decodeFrame, maskFromFrame, resizeFrame, type Frame, type Mask } from "./pixels";

type Value = Record<string, unknown>;
export interface ImageNodeCtx {
  /** An input file's bytes (LoadImage), or null when missing. */
  readInput: (name: string) => Buffer | null | undefined;
  /** The PNGs a sampler's output stands for (drawn on demand when not already). */
  renderAll: (img: Value) => Promise<Buffer[]>;
  fail: (message: string) => Error;
}

/** Lazy work whose failure surfaces where it is awaited, never as an unhandled rejection. */
function lazy<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export function framesOf(img: Value, ctx: ImageNodeCtx): Promise<Frame[]> {
  if (img.frames) return img.frames as Promise<Frame[]>;
  const pngs = (img.rendered as Promise<Buffer[]> | undefined) ?? ctx.renderAll(img);
  return lazy(pngs.then((all) => Promise.all(all.map(decodeFrame))));
}

const mapFrames = (img: Value, ctx: ImageNodeCtx, fn: (f: Frame[]) => Promise<Frame[]> | Frame[]) => lazy(framesOf(img, ctx).then(fn));

/** Runs one of these nodes, or returns null when `type` is not one of them. */
export async function runImageNode(type: string, inp: Value, ctx: ImageNodeCtx): Promise<unknown[] | null> {
  switch (type) {
    case "LoadImage": {
      const bytes = ctx.readInput(String(inp.image));
      if (!bytes) throw ctx.fail(`Invalid image file: ${String(inp.image)}`);
      const meta = await sharp(bytes).metadata();
      return [{ width: meta.width, height: meta.height, batch: 1, frames: lazy(decodeFrame(bytes).then((f) => [f])) }, {}];
    }
    case "ImageScale": {
      const [w, h] = [Number(inp.width), Number(inp.height)];
      const img = inp.image as Value;
      return [{ ...img, width: w, height: h, rendered: undefined, frames: mapFrames(img, ctx, (fs) => Promise.all(fs.map((f) => resizeFrame(f, w, h, String(inp.crop))))) }];
    }
    case "UpscaleModelLoader": {
      const scale = UPSCALE_MODELS[String(inp.model_name)];
      if (!scale) throw ctx.fail(`upscale model not found: ${String(inp.model_name)}`);
      return [{ upscaleModel: String(inp.model_name), scale }];
    }
    case "ImageUpscaleWithModel": {
      const img = inp.image as Value;
      const scale = (inp.upscale_model as { scale: number }).scale;
      const [w, h] = [Number(img.width) * scale, Number(img.height) * scale];
      return [{ ...img, width: w, height: h, rendered: undefined, frames: mapFrames(img, ctx, (fs) => Promise.all(fs.map((f) => resizeFrame(f, w, h)))) }];
    }
    case "ImageToMask": {
      const img = inp.image as Value;
      return [{ mask: lazy(framesOf(img, ctx).then((fs) => maskFromFrame(fs[0], String(inp.channel)))) }];
    }
    case "SetLatentNoiseMask": return [{ ...(inp.samples as Value), noiseMask: (inp.mask as Value).mask }];
    case "RepeatImageBatch": {
      const img = inp.image as Value;
      const n = Number(inp.amount);
      return [{ ...img, batch: Number(img.batch ?? 1) * n, rendered: undefined, frames: mapFrames(img, ctx, (fs) => Array.from({ length: n }, () => fs).flat()) }];
    }
    case "ImageCompositeMasked": {
      const [dest, src] = [inp.destination as Value, inp.source as Value];
      const mask = (inp.mask as Value | undefined)?.mask as Promise<Mask> | undefined;
      const frames = lazy(Promise.all([framesOf(dest, ctx), framesOf(src, ctx), mask]).then(([d, s, m]) =>
        // The output has the destination's batch; the source repeats to it (repeat_to_batch_size).
        d.map((f, i) => composite(f, s[i % s.length], Number(inp.x), Number(inp.y), m)),
      ));
      return [{ ...dest, rendered: undefined, frames }];
    }
    default: return null;
  }
}
