// Every request of the user becomes a tombstone (the `work` step has already ended the open ones,
// so each is terminal). Files are not deleted one by one here: the `storage` step removes the
// user's whole folders, so the tombstones are written with nothing pending.
import { requestTombstone } from "../scrub";
import { forEachPage, type EraseStep } from "./types";

export const requestsStep: EraseStep = {
  name: "requests",
  async run({ db, uid, batchLimit, now }) {
    await forEachPage(db.collection("generationRequests").where("userId", "==", uid), batchLimit, async (docs) => {
      const batch = db.batch();
      let writes = 0;
      for (const d of docs) {
        if (d.get("deletedAt") && d.get("deletion.filesPending") !== true) continue;
        batch.update(d.ref, { ...requestTombstone(now(), "system:erase", null), deletedAt: d.get("deletedAt") ?? now(), deletion: { filesPending: false, erased: true } });
        writes++;
      }
      if (writes) await batch.commit();
    });
  },
};
