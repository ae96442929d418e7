// What the retention purge does with one finished request: pure, unit-tested without Firestore.
const DAY_MS = 86_400_000;

export interface RetentionFacts {
  outputs: number;
  outputsExpired: boolean;
  deleted: boolean;
  inputSha256: string | null;
}

export function retentionCutoffs(now: Date, outputDays: number, inputDays: number) {
  return { outputs: new Date(now.getTime() - outputDays * DAY_MS), inputs: new Date(now.getTime() - inputDays * DAY_MS) };
}

/** A request past output retention loses its outputs once; tombstones have none left to lose. */
export const outputsDue = (f: RetentionFacts) => !f.deleted && !f.outputsExpired && f.outputs > 0;

/** A request past input retention lets go of its input photo (deleted when no other request holds it). */
export const inputDue = (f: RetentionFacts) => !f.deleted && f.inputSha256 !== null;

/** An object under inputs/ is an orphan candidate once it is older than input retention (every create rewrites it). */
export const objectExpired = (updatedAt: Date, inputCutoff: Date) => updatedAt.getTime() <= inputCutoff.getTime();

export function retentionFacts(d: FirebaseFirestore.DocumentData): RetentionFacts {
  return {
    outputs: Array.isArray(d.outputs) ? d.outputs.length : 0,
    outputsExpired: !!d.outputsExpiredAt,
    deleted: !!d.deletedAt,
    inputSha256: typeof d.inputImage?.sha256 === "string" ? d.inputImage.sha256 : null,
  };
}
