// The user's API keys stop at once (revokedAt is checked on every call, never cached) and lose
// their free-text names; ids, prefixes and dates stay, as the audit log refers to them.
import { API_KEYS } from "../../auth/apiKeyStore";
import { REDACTED } from "../scrub";
import { forEachPage, type EraseStep } from "./types";

export const apiKeysStep: EraseStep = {
  name: "apiKeys",
  async run({ db, uid, batchLimit, now }) {
    await forEachPage(db.collection(API_KEYS).where("uid", "==", uid), batchLimit, async (docs) => {
      const batch = db.batch();
      for (const d of docs) {
        batch.update(d.ref, { name: REDACTED, ...(d.get("revokedAt") ? {} : { revokedAt: now(), revokedBy: "system:erase" }) });
      }
      await batch.commit();
    });
  },
};
