// Every folder that holds only this user's files: outputs, inputs, and (issue 15) uploads,
// training photos and LoRAs. Deleting a folder that does not exist is a no-op.
import { userStoragePrefixes } from "../paths";
import type { EraseStep } from "./types";

export const storageStep: EraseStep = {
  name: "storage",
  async run({ files, uid }) {
    for (const prefix of userStoragePrefixes(uid)) await files.removePrefix(prefix);
  },
};
