// The user's custom models go the way deleteCustomModel sends one (tombstone, photos and LoRA out
// of storage, the runners' copies evicted), and lose their free text; upload records go too. The
// `work` step has already ended and refunded any model still queued or training.
import { deleteCustomModel } from "../../models/delete";
import { REDACTED } from "../scrub";
import { forEachPage, type EraseStep } from "./types";

const SYSTEM = { uid: "system:erase", role: "superadmin", via: "id-token" } as const;

export const customModelsStep: EraseStep = {
  name: "customModels",
  async run({ db, files, uid, batchLimit }) {
    await forEachPage(db.collection("customModels").where("userId", "==", uid), batchLimit, async (docs) => {
      for (const d of docs) {
        await deleteCustomModel(db, files, SYSTEM, d.id);
        await d.ref.update({ name: REDACTED, triggerWord: REDACTED, "train.caption": REDACTED, webhookUrl: null, idempotencyKey: null });
      }
    });
    await forEachPage(db.collection("uploads").where("userId", "==", uid), batchLimit, async (docs) => {
      const batch = db.batch();
      for (const d of docs) batch.delete(d.ref);
      await batch.commit();
    });
  },
};
