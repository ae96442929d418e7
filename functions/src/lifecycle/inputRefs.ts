// Input photos are content-addressed per user (inputs/{uid}/{sha256}.png), so one object can back
// several requests. A request holds its input while its `inputImage` is set; deletion, erasure
// and retention clear it, and the object goes only when no other request of the user holds it.
import type { Firestore } from "firebase-admin/firestore";
import type { ManagedStorage } from "../storage/storage";
import { inputImagePath } from "../requests/create";

/** Whether a request of `uid` other than `exceptId` still holds the input with this hash. */
export async function inputHeldElsewhere(db: Firestore, uid: string, sha256: string, exceptId: string): Promise<boolean> {
  const holders = await db.collection("generationRequests").where("userId", "==", uid).where("inputImage.sha256", "==", sha256).select().limit(2).get();
  return holders.docs.some((d) => d.id !== exceptId);
}

/** Deletes the input object unless another request still holds it; true when it was deleted. */
export async function releaseInput(db: Firestore, files: ManagedStorage, uid: string, sha256: string, requestId: string): Promise<boolean> {
  if (await inputHeldElsewhere(db, uid, sha256, requestId)) return false;
  await files.remove(inputImagePath(uid, sha256));
  return true;
}
