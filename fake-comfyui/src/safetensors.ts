import { createHash } from "node:crypto";

// The safetensors container: 8-byte little-endian header length N, N bytes of JSON
// `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {...}}`, then the raw
// tensor bytes. Enough of it for the fake's SaveLoRA to write real files and its loaders to
// refuse broken ones.

export interface Tensor { shape: number[]; data: Float32Array }

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name];
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  // Pad the header with spaces to a multiple of 8, as the reference writer does.
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([len, Buffer.from(json), ...blobs]);
}

/** Throws (as safetensors' loader does) unless the header is valid JSON and every tensor fits the data. */
export function readSafetensorsHeader(bytes: Buffer): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  if (bytes.length < 8) throw new Error("Error while deserializing header: HeaderTooSmall");
  const n = Number(bytes.readBigUInt64LE(0));
  if (n > bytes.length - 8) throw new Error("Error while deserializing header: InvalidHeaderLength");
  let header: Record<string, any>;
  try {
    header = JSON.parse(bytes.toString("utf8", 8, 8 + n));
  } catch {
    throw new Error("Error while deserializing header: InvalidHeaderDeserialization");
  }
  const dataLen = bytes.length - 8 - n;
  const { __metadata__: _meta, ...tensors } = header;
  for (const [name, t] of Object.entries(tensors)) {
    const [begin, end] = t?.data_offsets ?? [];
    const count = (t?.shape as number[] | undefined)?.reduce((a, b) => a * b, 1);
    if (t?.dtype !== "F32" || typeof begin !== "number" || end > dataLen || end - begin !== (count ?? -1) * 4)
      throw new Error(`Error while deserializing header: InvalidOffset(${JSON.stringify(name)})`);
  }
  return tensors;
}

/** Deterministic pseudo-random floats in [-0.05, 0.05) from a seed string (xorshift over sha256). */
function floats(seed: string, count: number): Float32Array {
  const out = new Float32Array(count);
  let state = createHash("sha256").update(seed).digest().readUInt32LE(0) || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    out[i] = ((state >>> 0) / 0x100000000 - 0.5) / 10;
  }
  return out;
}

const MODULES = ["lora_unet_down_blocks_0_attentions_0_proj_in", "lora_unet_mid_block_attentions_0_proj_out"];
const WIDTH = 16;

/** A small LoRA: `lora_up`/`lora_down`/`alpha` per module, all derived from `digest` (images + captions + seed). */
export function fakeLoraFile(digest: string, rank: number, steps: number): Buffer {
  const r = Math.max(1, Math.min(rank, 8));
  const tensors: Record<string, Tensor> = {};
  for (const m of MODULES) {
    tensors[`${m}.lora_down.weight`] = { shape: [r, WIDTH], data: floats(`${digest}:${m}:down`, r * WIDTH) };
    tensors[`${m}.lora_up.weight`] = { shape: [WIDTH, r], data: floats(`${digest}:${m}:up`, WIDTH * r) };
    tensors[`${m}.alpha`] = { shape: [], data: Float32Array.of(1) };
  }
  return encodeSafetensors(tensors, { ss_network_dim: String(rank), ss_network_alpha: "1.0", ss_steps: String(steps), fake_digest: digest });
}
