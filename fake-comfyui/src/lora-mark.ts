import { createHash } from "node:crypto";

// How the fake shows that a LoRA was applied: the top LORA_MARK_ROWS rows of every generated
// image are painted one flat colour derived from the LoRA file's bytes and its strength (several
// LoRAs: the last one wins). Tests compute the expected colour with `loraMark` and compare it with
// the stored image (lossy formats move a flat band by a few levels at most).

export const LORA_MARK_ROWS = 8;

export interface Rgb { r: number; g: number; b: number }

export function loraMark(loraBytes: Buffer, strength: number): Rgb {
  const h = createHash("sha256").update(loraBytes).update(`:${Math.round(strength * 1000)}`).digest();
  return { r: h[0], g: h[1], b: h[2] };
}
