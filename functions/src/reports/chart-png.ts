// Rasterises the trend chart's SVG (chart.ts) for the stored report; kept apart so the SVG
// drawing stays free of native modules and the browser console can import it.
import sharp from "sharp";

export async function renderPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer();
}
