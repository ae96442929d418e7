import { crc32 } from "node:zlib";

// Minimal PNG chunk codec: the runner strips ComfyUI's metadata chunks, and the tests prove its
// outputs carry none (the fake ComfyUI, in its own package, writes them).

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
}

export function isPng(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(SIGNATURE);
}

export function readPngChunks(buf: Buffer): PngChunk[] {
  if (!isPng(buf)) throw new Error("not a PNG");
  const chunks: PngChunk[] = [];
  for (let off = 8; off + 12 <= buf.length; ) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString("latin1", off + 4, off + 8);
    chunks.push({ type, data: buf.subarray(off + 8, off + 8 + len) });
    off += 12 + len;
    if (type === "IEND") break;
  }
  return chunks;
}

function encodeChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function readPngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of readPngChunks(png)) {
    if (c.type !== "tEXt") continue;
    const nul = c.data.indexOf(0);
    out[c.data.toString("latin1", 0, nul)] = c.data.toString("latin1", nul + 1);
  }
  return out;
}

// Chunks that carry pixels or how to show them; everything else (tEXt/iTXt/zTXt with ComfyUI's
// prompt and workflow, eXIf, tIME, private chunks) is dropped. An allowlist, so nothing unknown leaks.
const PIXEL_CHUNKS = new Set(["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "pHYs"]);

/** The same PNG without its metadata, pixels untouched (no decode, no re-encode). */
export function stripPngMetadata(png: Buffer): { bytes: Buffer; width: number; height: number } {
  const chunks = readPngChunks(png);
  const ihdr = chunks[0];
  if (ihdr?.type !== "IHDR" || chunks.at(-1)?.type !== "IEND") throw new Error("PNG without IHDR/IEND");
  const kept = chunks.filter((c) => PIXEL_CHUNKS.has(c.type)).map((c) => encodeChunk(c.type, c.data));
  return { bytes: Buffer.concat([SIGNATURE, ...kept]), width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4) };
}
