// The node classes the fake knows, in /object_info's shape, enough to validate our templates
// the way ComfyUI does (types of links, required inputs, numeric ranges, combo lists).

export type InputSpec = [string | string[], Record<string, unknown>?];
export interface NodeDef {
  input: { required: Record<string, InputSpec>; optional?: Record<string, InputSpec> };
  output: string[];
  output_node: boolean;
  name: string;
  display_name: string;
  category: string;
}

export const CHECKPOINTS = ["v1-5-pruned-emaonly.safetensors", "sd_xl_base_1.0.safetensors"];
const SAMPLERS = ["euler", "euler_ancestral", "dpmpp_2m", "dpmpp_2m_sde", "ddim"];
const SCHEDULERS = ["normal", "karras", "exponential", "simple"];
const size = (def: number): InputSpec => ["INT", { default: def, min: 16, max: 16384, step: 8 }];

const def = (name: string, category: string, required: Record<string, InputSpec>, output: string[], outputNode = false): NodeDef =>
  ({ input: { required }, output, output_node: outputNode, name, display_name: name, category });

export function nodeDefs(inputFiles: () => string[]): Record<string, NodeDef> {
  return {
    CheckpointLoaderSimple: def("CheckpointLoaderSimple", "loaders", { ckpt_name: [CHECKPOINTS] }, ["MODEL", "CLIP", "VAE"]),
    CLIPTextEncode: def("CLIPTextEncode", "conditioning", { text: ["STRING", { multiline: true }], clip: ["CLIP"] }, ["CONDITIONING"]),
    EmptyLatentImage: def("EmptyLatentImage", "latent", { width: size(512), height: size(512), batch_size: ["INT", { default: 1, min: 1, max: 4096 }] }, ["LATENT"]),
    KSampler: def("KSampler", "sampling", {
      model: ["MODEL"],
      seed: ["INT", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }],
      steps: ["INT", { default: 20, min: 1, max: 10000 }],
      cfg: ["FLOAT", { default: 8, min: 0, max: 100 }],
      sampler_name: [SAMPLERS],
      scheduler: [SCHEDULERS],
      positive: ["CONDITIONING"],
      negative: ["CONDITIONING"],
      latent_image: ["LATENT"],
      denoise: ["FLOAT", { default: 1, min: 0, max: 1 }],
    }, ["LATENT"]),
    VAEDecode: def("VAEDecode", "latent", { samples: ["LATENT"], vae: ["VAE"] }, ["IMAGE"]),
    VAEEncode: def("VAEEncode", "latent", { pixels: ["IMAGE"], vae: ["VAE"] }, ["LATENT"]),
    RepeatLatentBatch: def("RepeatLatentBatch", "latent/batch", { samples: ["LATENT"], amount: ["INT", { default: 1, min: 1, max: 64 }] }, ["LATENT"]),
    LoadImage: def("LoadImage", "image", { image: [inputFiles(), { image_upload: true }] }, ["IMAGE", "MASK"]),
    ImageScale: def("ImageScale", "image/upscaling", {
      image: ["IMAGE"],
      upscale_method: [["nearest-exact", "bilinear", "area", "bicubic", "lanczos"]],
      width: ["INT", { default: 512, min: 0, max: 16384 }],
      height: ["INT", { default: 512, min: 0, max: 16384 }],
      crop: [["disabled", "center"]],
    }, ["IMAGE"]),
    SaveImage: def("SaveImage", "image", { images: ["IMAGE"], filename_prefix: ["STRING", { default: "ComfyUI" }] }, [], true),
    PreviewImage: def("PreviewImage", "image", { images: ["IMAGE"] }, [], true),
  };
}
