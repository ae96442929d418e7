// Training photos, from uploads and/or inline data URLs: every one is read and fully decoded
// before any money moves, and the create is refused with every bad one named (field path and
// why). The original bytes are what the runner gets (it orients, resizes and converts itself).
// Each read and decode holds one of the instance's shared decode slots (shared/decodes.ts), and a
// checked photo keeps only its hash: its bytes are read again when stored, so a call never holds
// twenty photos at once.
import type { Firestore } from "firebase-admin/firestore";
import type { Config } from "../config";
import { createHash } from "node:crypto";
import { ApiError, type FieldIssue } from "../http/errors";
import { decodes } from "../shared/decodes";
import { decodeDataUrl, verifyImageBytes, type ImageLimits } from "../requests/inputImage";
import type { ObjectStorage } from "../storage/storage";
import { readUpload } from "../uploads/use";

export interface Photo {
  /** Where it came from, as a field path (`imageUploadIds.3`, `images.0`). */
  source: string;
  uploadId?: string;
  format: string;
  sha256: string;
  /** The checked bytes again (an upload is immutable once PUT; a data URL is re-read from the body). */
  bytes(): Promise<Buffer>;
}

interface Candidate {
  source: string;
  uploadId?: string;
  load(): Promise<Buffer | { refused: string }>;
}

type PhotoLimits = Pick<Config, "MAX_UPLOAD_BYTES" | "MAX_INPUT_IMAGE_PIXELS" | "MIN_INPUT_IMAGE_SIDE" | "MIN_TRAINING_IMAGES" | "MAX_TRAINING_IMAGES" | "UPLOAD_MAX_AGE_SECONDS">;

/** Two at a time per call; the instance-wide bound is the decode slots. */
const PARALLEL = 2;

export async function collectPhotos(db: Firestore, files: ObjectStorage, cfg: PhotoLimits, uid: string, customModelId: string, input: { imageUploadIds?: string[]; images?: string[] }): Promise<Photo[]> {
  const limits: ImageLimits = { maxBytes: cfg.MAX_UPLOAD_BYTES, maxPixels: cfg.MAX_INPUT_IMAGE_PIXELS, minSide: cfg.MIN_INPUT_IMAGE_SIDE };
  const candidates: Candidate[] = [
    ...(input.imageUploadIds ?? []).map((id, i): Candidate => ({
      source: `imageUploadIds.${i}`, uploadId: id,
      load: async () => {
        const r = await readUpload(db, files, uid, id, "training-image", customModelId);
        return "refused" in r ? r : r.bytes;
      },
    })),
    ...(input.images ?? []).map((dataUrl, i): Candidate => ({ source: `images.${i}`, load: async () => decodeDataUrl(dataUrl, limits.maxBytes, `images.${i}`) })),
  ];
  const results: Array<Photo | FieldIssue> = new Array(candidates.length);
  for (let i = 0; i < candidates.length; i += PARALLEL) {
    await Promise.all(candidates.slice(i, i + PARALLEL).map(async (c, j) => (results[i + j] = await checkOne(c, limits))));
  }
  const issues = [...duplicateIssues(candidates), ...results.filter((r): r is FieldIssue => "path" in r)];
  const photos = results.filter((r): r is Photo => "sha256" in r);
  refuseUnless(issues, photos.length, candidates.length, cfg);
  return photos;
}

async function checkOne(c: Candidate, limits: ImageLimits): Promise<Photo | FieldIssue> {
  try {
    // Reading inside the slot too: the raw bytes waiting for a decode count against the bound.
    const checked = await decodes.run(async () => {
      const loaded = await c.load();
      if (!Buffer.isBuffer(loaded)) return loaded;
      return verifyImageBytes(loaded, limits, c.source);
    });
    if ("refused" in checked) return { path: c.source, message: `${c.uploadId ? `'${c.uploadId}': ` : ""}${checked.refused}` };
    return { source: c.source, uploadId: c.uploadId, format: checked.format, sha256: checked.sha256, bytes: () => reload(c, checked.sha256) };
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return { path: c.source, message: messageOf(err, c) };
    throw err;
  }
}

async function reload(c: Candidate, sha256: string): Promise<Buffer> {
  const bytes = await c.load();
  if (!Buffer.isBuffer(bytes) || createHash("sha256").update(bytes).digest("hex") !== sha256) {
    throw new ApiError("FAILED_PRECONDITION", `${c.source}: changed while the create was running; send it again`);
  }
  return bytes;
}

/** The image checks name the field themselves ("images.2: ..."); keep only the reason. */
function messageOf(err: ApiError, c: Candidate): string {
  const reason = err.message.startsWith(`${c.source}: `) ? err.message.slice(c.source.length + 2) : err.message;
  return c.uploadId ? `'${c.uploadId}': ${reason}` : reason;
}

function duplicateIssues(candidates: Candidate[]): FieldIssue[] {
  const seen = new Map<string, string>();
  const out: FieldIssue[] = [];
  for (const c of candidates) {
    if (!c.uploadId) continue;
    const first = seen.get(c.uploadId);
    if (first) out.push({ path: c.source, message: `'${c.uploadId}' is the same upload as ${first}` });
    else seen.set(c.uploadId, c.source);
  }
  return out;
}

/** Every photo must be usable, and there must be MIN..MAX of them. */
function refuseUnless(issues: FieldIssue[], usable: number, given: number, cfg: PhotoLimits): void {
  if (issues.length) {
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new ApiError("INVALID_ARGUMENT", `${issues.length} of ${given} images cannot be used (${usable} usable; at least ${cfg.MIN_TRAINING_IMAGES} needed): ${summary}`, { fields: issues });
  }
  if (usable < cfg.MIN_TRAINING_IMAGES || usable > cfg.MAX_TRAINING_IMAGES) {
    throw new ApiError("INVALID_ARGUMENT", `imageUploadIds: training needs ${cfg.MIN_TRAINING_IMAGES} to ${cfg.MAX_TRAINING_IMAGES} usable images; got ${usable}`, {
      fields: [{ path: "imageUploadIds", message: `${usable} usable images; at least ${cfg.MIN_TRAINING_IMAGES} needed` }],
    });
  }
}
