import type { ModelItem, SizeItem } from "../catalog/types";

/**
 * Credits for a request: model credits per image × images × size factor × upscale factor (1
 * without upscaling). Always a positive integer.
 */
export function priceOf(model: Pick<ModelItem, "creditsPerImage">, size: Pick<SizeItem, "creditMultiplier">, numImages: number, upscaleMultiplier = 1): number {
  const cost = model.creditsPerImage * numImages * size.creditMultiplier * upscaleMultiplier;
  if (!Number.isInteger(cost) || cost <= 0) {
    throw new Error(`catalog misconfigured: price ${cost} is not a positive integer`);
  }
  return cost;
}
