// The webhook signing secret and the delivery log (which holds the user's receiver URLs).
import { forEachPage, type EraseStep } from "./types";

export const webhooksStep: EraseStep = {
  name: "webhooks",
  async run({ db, uid, batchLimit }) {
    await db.doc(`users/${uid}/private/webhook`).delete();
    await forEachPage(db.collection("webhookDeliveries").where("userId", "==", uid), batchLimit, async (docs) => {
      const batch = db.batch();
      for (const d of docs) batch.delete(d.ref);
      await batch.commit();
    });
  },
};
