// First: nobody signs in as the user again, and every refresh token stops working. (ID tokens
// already issued stay valid until they expire, at most an hour; the create commit refuses them
// since startErasure set users/{uid}.erasureStartedAt, see erasure.ts.)
import { ignoreMissingUser, type EraseStep } from "./types";

export const accountStep: EraseStep = {
  name: "account",
  async run({ auth, uid }) {
    await ignoreMissingUser(auth.updateUser(uid, { disabled: true }));
    await ignoreMissingUser(auth.revokeRefreshTokens(uid));
  },
};
