// The ledger is the record of money and survives erasure: type, amount, balanceAfter, requestId,
// actor and createdAt stay (so credits == sum(amount) still holds); the free-text reason goes.
import { REDACTED } from "../scrub";
import { forEachPage, type EraseStep } from "./types";

export const ledgerStep: EraseStep = {
  name: "ledger",
  async run({ db, uid, batchLimit }) {
    await forEachPage(db.collection(`users/${uid}/ledger`), batchLimit, async (docs) => {
      const todo = docs.filter((d) => d.get("reason") !== REDACTED);
      if (!todo.length) return;
      const batch = db.batch();
      for (const d of todo) batch.update(d.ref, { reason: REDACTED });
      await batch.commit();
    });
  },
};
