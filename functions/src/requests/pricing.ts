import type { ModelItem, SizeItem } from "../catalog/types";

/** Credits for a request: model credits per image × images × size factor. Always a positive integer. */
export function priceOf(model: Pick<ModelItem, "creditsPerImage">, size: Pick<SizeItem, "creditMultiplier">, numImages: number): number {
  const cost = model.creditsPerImage * numImages * size.creditMultiplier;
  if (!Number.isInteger(cost) || cost <= 0) {
    throw new Error(`catalog misconfigured: price ${cost} is not a positive integer`);
  }
  return cost;
}
