import sharp from "sharp";

/** ComfyUI encodes training images at their native size: big phone photos run out of memory. */
export const MAX_TRAINING_SIDE = 1024;

/**
 * A stored photo as ComfyUI's dataset loader should see it: EXIF orientation applied (the loader
 * does not transpose), longer side at most 1024 (never enlarged), PNG without metadata.
 */
export async function prepareTrainingPhoto(bytes: Buffer): Promise<{ png: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes, { limitInputPixels: 100_000_000 })
    .rotate()
    .resize({ width: MAX_TRAINING_SIDE, height: MAX_TRAINING_SIDE, fit: "inside", withoutEnlargement: true })
    .png({ compressionLevel: 3 })
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

/** `01.png` + `01.txt`: the loader pairs an image with the caption file of the same stem. */
export const photoNames = (index: number) => {
  const stem = String(index + 1).padStart(2, "0");
  return { image: `${stem}.png`, caption: `${stem}.txt` };
};
