// First: nobody signs in as the user again, and every refresh token stops working. (ID tokens
// already issued stay valid until they expire, at most an hour; the creates they could still make
// are caught by the `work` step's final pass, see erasure.ts.)
import { ignoreMissingUser, type EraseStep } from "./types";

export const accountStep: EraseStep = {
  name: "account",
  async run({ auth, uid }) {
    await ignoreMissingUser(auth.updateUser(uid, { disabled: true }));
    await ignoreMissingUser(auth.revokeRefreshTokens(uid));
  },
};
