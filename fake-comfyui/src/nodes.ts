import fs from "node:fs";
import path from "node:path";

// The node classes the fake knows, in /object_info's shape. They are not written here: they come
// from a committed fixture transcribed from the pinned ComfyUI tag's source (see its `sources`),
// so the fake, the runner's node check and the tests all read the same facts. Lists ComfyUI
// reads from disk per call are placeholders in the fixture, filled from the fake's own folders.

export type InputSpec = [string | string[], Record<string, unknown>?];
export interface NodeDef {
  input: { required: Record<string, InputSpec>; optional?: Record<string, InputSpec> };
  input_order?: { required?: string[]; optional?: string[] };
  output: string[];
  output_is_list?: boolean[];
  output_name?: string[];
  output_node: boolean;
  name: string;
  display_name: string;
  category: string;
}

export const OBJECT_INFO_FIXTURE = path.join(__dirname, "..", "fixtures", "object_info.v0.16.2.json");
interface Fixture { comfyui_version: string; comfyui_ref: string; nodes: Record<string, unknown> }
let fixture: Fixture | null = null;
/** The pinned tag's facts: its version and its node definitions (with placeholders). */
export function objectInfoFixture(): Fixture {
  return (fixture ??= JSON.parse(fs.readFileSync(OBJECT_INFO_FIXTURE, "utf8")) as Fixture);
}

export const CHECKPOINTS = ["v1-5-pruned-emaonly.safetensors", "sd_xl_base_1.0.safetensors"];

/** The fake's models/upscale_models and each model's own scale (real ComfyUI reads it from the weights). */
export const UPSCALE_MODELS: Record<string, number> = { "RealESRGAN_x2plus.pth": 2, "RealESRGAN_x4plus.pth": 4 };

/** What the combo inputs list, read fresh per call (as ComfyUI does). */
export interface ComboSources { inputFiles: () => string[]; inputFolders: () => string[]; loras: () => string[] }

function fill(value: unknown, lists: Record<string, () => string[]>): unknown {
  if (Array.isArray(value)) return value.map((v) => fill(v, lists));
  if (!value || typeof value !== "object") return value;
  const ref = (value as { $list?: unknown }).$list;
  if (typeof ref === "string") {
    if (!lists[ref]) throw new Error(`object_info fixture: unknown list "${ref}"`);
    return lists[ref]();
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, lists)]));
}

export function nodeDefs(src: ComboSources): Record<string, NodeDef> {
  const lists: Record<string, () => string[]> = {
    checkpoints: () => CHECKPOINTS,
    upscaleModels: () => Object.keys(UPSCALE_MODELS),
    inputFiles: src.inputFiles,
    inputFolders: src.inputFolders,
    loras: src.loras,
    // TrainLoraNode.existing_lora: get_filename_list("loras") + ["[None]"]
    lorasThenNone: () => [...src.loras(), "[None]"],
  };
  return fill(objectInfoFixture().nodes, lists) as Record<string, NodeDef>;
}
