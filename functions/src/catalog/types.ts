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
