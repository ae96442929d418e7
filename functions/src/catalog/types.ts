export interface CatalogItem {
  id: string;
  displayName: string;
  enabled: boolean;
}
export interface ModelItem extends CatalogItem {
  creditsPerImage: number;
  workflow: string;
  kind: "text-to-image" | "image-to-image";
  steps: number;
  cfg?: number;
  denoise?: number;
  /** Present on models users may train a LoRA for (custom models). */
  training?: TrainingSpec;
  /** The GPU pool its jobs run on (queue positions count within it); absent = "default". */
  pool?: string;
  /** Upscale factors this model offers (keys "2" and "4"); absent = no upscaling. */
  upscale?: Partial<Record<UpscaleFactorKey, UpscaleOption>>;
}
export type UpscaleFactorKey = "2" | "4";
export interface UpscaleOption {
  /** A file in ComfyUI's models/upscale_models whose own scale is the factor. */
  upscaleModel: string;
  creditMultiplier: number;
  /** The multiplier with `refine: true`; absent = refine not offered at this factor. */
  refineCreditMultiplier?: number;
}
export interface TrainingSpec {
  creditsPerRun: number;
  defaultSteps: number;
  maxSteps: number;
  /** The runner's training template. */
  workflow: string;
  loraLoader?: "LoraLoader" | "LoraLoaderModelOnly";
}
export interface PromptItem extends CatalogItem {
  prompt: string;
}
export interface SizeItem extends CatalogItem {
  width: number;
  height: number;
  creditMultiplier: number;
}
export interface Catalog {
  models: Map<string, ModelItem>;
  styles: Map<string, PromptItem>;
  colors: Map<string, PromptItem>;
  sizes: Map<string, SizeItem>;
}
export type CatalogKind = keyof Catalog;
export const CATALOG_KINDS: CatalogKind[] = ["models", "styles", "colors", "sizes"];
