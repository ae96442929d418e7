// Where a user's files live (docs/data-model.md). The runner writes outputs under the request's
// folder, inputs are content-addressed per user; custom-model work (issue 15) adds the last three.
export const requestOutputsPrefix = (uid: string, requestId: string) => `generations/${uid}/${requestId}/`;

/** Every storage prefix that holds only this user's files; erasing the user deletes them all. */
export function userStoragePrefixes(uid: string): string[] {
  return [`generations/${uid}/`, `inputs/${uid}/`, `uploads/${uid}/`, `training/${uid}/`, `loras/${uid}/`];
}

/** `inputs/{uid}/{sha256}.png` → its owner and hash; null for anything else under inputs/. */
export function parseInputPath(p: string): { uid: string; sha256: string } | null {
  const m = /^inputs\/([^/]+)\/([0-9a-f]{64})\.png$/.exec(p);
  return m ? { uid: m[1], sha256: m[2] } : null;
}
