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

const def = (name: string, category: string, required: Record<string, InputSpec>, output: string[], outputNode = false, optional?: Record<string, InputSpec>): NodeDef =>
  ({ input: { required, ...(optional ? { optional } : {}) }, output, output_node: outputNode, name, display_name: name, category });

/** What the combo inputs list, read fresh per call (as ComfyUI does). */
export interface ComboSources { inputFiles: () => string[]; inputFolders: () => string[]; loras: () => string[] }

const strength: InputSpec = ["FLOAT", { default: 1, min: -100, max: 100, step: 0.01 }];

export function nodeDefs(src: ComboSources): Record<string, NodeDef> {
  return {
    ...trainingNodeDefs(src),
    LoraLoader: def("LoraLoader", "loaders", { model: ["MODEL"], clip: ["CLIP"], lora_name: [src.loras()], strength_model: strength, strength_clip: strength }, ["MODEL", "CLIP"]),
    LoraLoaderModelOnly: def("LoraLoaderModelOnly", "loaders", { model: ["MODEL"], lora_name: [src.loras()], strength_model: strength }, ["MODEL"]),
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
    LoadImage: def("LoadImage", "image", { image: [src.inputFiles(), { image_upload: true }] }, ["IMAGE", "MASK"]),
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

/** ComfyUI's native training nodes (comfy_extras/nodes_train.py, nodes_dataset.py), current schema. */
function trainingNodeDefs(src: ComboSources): Record<string, NodeDef> {
  const choice = (options: string[]): InputSpec => [options, { default: options[0] }];
  const bool = (d: boolean): InputSpec => ["BOOLEAN", { default: d }];
  return {
    LoadImageTextDataSetFromFolder: def("LoadImageTextDataSetFromFolder", "dataset", { folder: [src.inputFolders()] }, ["IMAGE", "STRING"]),
    LoadImageDataSetFromFolder: def("LoadImageDataSetFromFolder", "dataset", { folder: [src.inputFolders()] }, ["IMAGE"]),
    MakeTrainingDataset: def("MakeTrainingDataset", "training", { images: ["IMAGE"], vae: ["VAE"], clip: ["CLIP"] }, ["LATENT", "CONDITIONING"], false, { texts: ["STRING"] }),
    TrainLoraNode: def("TrainLoraNode", "training", {
      model: ["MODEL"], latents: ["LATENT"], positive: ["CONDITIONING"],
      batch_size: ["INT", { default: 1, min: 1, max: 10000 }],
      grad_accumulation_steps: ["INT", { default: 1, min: 1, max: 1024 }],
      steps: ["INT", { default: 16, min: 1, max: 100000 }],
      learning_rate: ["FLOAT", { default: 0.0005, min: 0.0000001, max: 1, step: 0.0000001 }],
      rank: ["INT", { default: 8, min: 1, max: 128 }],
      optimizer: choice(["AdamW", "Adam", "SGD", "RMSprop"]),
      loss_function: choice(["MSE", "L1", "Huber", "SmoothL1"]),
      seed: ["INT", { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }],
      training_dtype: choice(["bf16", "fp32"]),
      lora_dtype: choice(["bf16", "fp32"]),
      algorithm: choice(["LoRA", "LoHa", "LoKr", "OFT"]),
      gradient_checkpointing: bool(true),
      checkpoint_depth: ["INT", { default: 1, min: 1, max: 5 }],
      offloading: bool(false),
      existing_lora: [["[None]", ...src.loras()], { default: "[None]" }],
      bucket_mode: bool(false),
      bypass_mode: bool(false),
    }, ["LORA_MODEL", "LOSS_MAP", "INT"]),
    SaveLoRA: def("SaveLoRA", "loaders", { lora: ["LORA_MODEL"], prefix: ["STRING", { default: "loras/ComfyUI_trained_lora" }] }, [], true, { steps: ["INT", { forceInput: true }] }),
  };
}
