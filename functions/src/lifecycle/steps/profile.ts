// Last: the profile keeps the balance (it must equal the ledger's sum) and the role, loses the
// email; the Auth account (already disabled) gets an address that can reach nobody.
import { ignoreMissingUser, type EraseStep } from "./types";

export const erasedEmail = (uid: string) => `${uid.toLowerCase().replace(/[^a-z0-9]/g, "-")}@erased.invalid`;

export const profileStep: EraseStep = {
  name: "profile",
  async run({ db, auth, uid, now }) {
    await db.doc(`users/${uid}`).set({ email: null, displayName: null, erasedAt: now(), updatedAt: now() }, { merge: true });
    await ignoreMissingUser(auth.updateUser(uid, { email: erasedEmail(uid), displayName: null, photoURL: null, disabled: true }));
  },
};
