// Liveness of the functions: no credentials, no I/O. Described like every other endpoint so the
// API reference lists it too.
import { onRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import type { DescribedFunction } from "./endpoint";

export const healthSchema = z.strictObject({ status: z.literal("ok") });

export const health: DescribedFunction = Object.assign(
  onRequest((_req, res) => {
    res.json({ status: "ok" });
  }),
  { spec: { name: "health", method: "GET" as const, access: "public" as const, summary: "Liveness: answers {status: \"ok\"}", output: () => healthSchema } },
);
