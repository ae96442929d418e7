import { onSchedule } from "firebase-functions/v2/scheduler";
import { config } from "../config";
import { endpoint } from "../http/endpoint";
import { firestore } from "../shared/firestore";
import { storage } from "../storage/storage";
import { deleteStaleUploads } from "./cleanup";
import { createUpload as create } from "./create";
import { createUploadResultSchema, createUploadSchema } from "./schema";

export const createUpload = endpoint({
  name: "createUpload", method: "POST", access: "user", scope: "generate",
  summary: "A signed, expiring, single-use PUT URL for one image (training photos, image-to-image inputs)",
  input: createUploadSchema, output: () => createUploadResultSchema, statuses: [201], errors: ["RATE_LIMITED", "QUOTA_EXCEEDED"],
}, async ({ caller, body }) => ({ status: 201, body: await create(firestore(), storage(), caller, body) }));

export const cleanupUploads = onSchedule({ schedule: "every 60 minutes", timeZone: "UTC", retryCount: 0, timeoutSeconds: 300 }, async () => {
  const cfg = config();
  await deleteStaleUploads(firestore(), storage(), { olderThan: new Date(Date.now() - cfg.UPLOAD_MAX_AGE_SECONDS * 1000), limit: cfg.UPLOAD_CLEANUP_BATCH });
});
