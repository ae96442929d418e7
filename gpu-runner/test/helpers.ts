import sharp from "sharp";
import { addPngTextChunks } from "../../fake-comfyui/src/png-text";
import { createLogger, type Logger } from "../src/log";
import type { FakeComfy } from "../../fake-comfyui/src/server";

/** FourCCs of a RIFF/WebP file's top-level chunks (VP8, VP8L, VP8X, EXIF, XMP, ICCP...). */
export function webpChunks(buf: Buffer): string[] {
  if (buf.toString("latin1", 0, 4) !== "RIFF" || buf.toString("latin1", 8, 12) !== "WEBP") throw new Error("not a WebP");
  const out: string[] = [];
  for (let off = 12; off + 8 <= buf.length; ) {
    const size = buf.readUInt32LE(off + 4);
    out.push(buf.toString("latin1", off, off + 4));
    off += 8 + size + (size % 2);
  }
  return out;
}

/** A PNG like ComfyUI writes: real pixels plus prompt/workflow tEXt chunks. */
export async function comfyLikePng(width = 64, height = 48): Promise<Buffer> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
  return addPngTextChunks(png, { prompt: JSON.stringify({ "3": { class_type: "KSampler", inputs: { seed: 42 } } }), workflow: JSON.stringify({ nodes: [{ id: 3 }] }) });
}

export function captureLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  return { log: createLogger("debug", (l) => lines.push(l)), lines: () => lines.map((l) => JSON.parse(l)) };
}

export const quietLogger = () => createLogger("silent");

type HistoryMessages = [string, Record<string, unknown>][];

/** A prompt's status messages as the fake ComfyUI's history records them. */
export function historyMessages(fake: FakeComfy, promptId: string): HistoryMessages {
  return (fake.engine.history.get(promptId) as { status: { messages: HistoryMessages } }).status.messages;
}

/** ComfyUI's execution span of a prompt (ms), from `execution_start` to `end`, by its history's timestamps. */
export function historySpanMs(fake: FakeComfy, promptId: string, end: string): number {
  const at = (name: string) => historyMessages(fake, promptId).find(([n]) => n === name)![1].timestamp as number;
  return at(end) - at("execution_start");
}
