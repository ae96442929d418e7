import type { App } from "firebase-admin/app";
import type { Config } from "../config";
import { GcsStorage } from "./gcs-storage";
import { LocalStorage } from "./local-storage";
import type { Storage } from "./storage";

export * from "./storage";
export * from "./signed-url";
export { LocalStorage } from "./local-storage";
export { GcsStorage } from "./gcs-storage";

export function createStorage(config: Config, app: () => App): Storage {
  if (config.STORAGE_BACKEND === "gcs") return new GcsStorage(app(), config.STORAGE_BUCKET!);
  return new LocalStorage(config.LOCAL_STORAGE_DIR);
}
