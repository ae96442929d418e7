import { crc32 } from "node:zlib";

// ComfyUI's SaveImage embeds the prompt and the UI workflow as PNG tEXt chunks; sharp cannot
// write them. IHDR is always the first chunk (8-byte signature + 8-byte header + 13 + 4 CRC).
const AFTER_IHDR = 33;

function textChunk(keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, "latin1"), Buffer.from([0]), Buffer.from(text, "latin1")]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write("tEXt", 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Inserts `keyword\0text` tEXt chunks right after IHDR, as ComfyUI's SaveImage does. */
export function addPngTextChunks(png: Buffer, entries: Record<string, string>): Buffer {
  if (png.toString("latin1", 12, 16) !== "IHDR") throw new Error("not a PNG starting with IHDR");
  const text = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return Buffer.concat([png.subarray(0, AFTER_IHDR), ...text, png.subarray(AFTER_IHDR)]);
}
