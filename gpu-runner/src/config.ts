import path from "node:path";
import { z } from "zod";

// Empty strings in env files mean "not set", so they fall back to the defaults.
const env = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);
const int = (def: number, min = 0) => env(z.coerce.number().int().min(min).default(def));

const repoRoot = path.resolve(__dirname, "..", "..");

const schema = z
  .object({
    PORT: int(8090),
    HOST: env(z.string().default("0.0.0.0")),
    COMFY_URL: env(z.string().url().default("http://127.0.0.1:8188")),
    RUNNER_AUTH_MODE: env(z.enum(["shared-secret", "oidc"]).default("shared-secret")),
    RUNNER_SHARED_SECRET: env(z.string().min(8).default("dev-runner-secret")),
    OIDC_AUDIENCE: env(z.string().optional()),
    OIDC_SERVICE_ACCOUNT: env(z.string().email().optional()),
    MAX_ATTEMPTS: int(5, 1),
    MAX_CONCURRENT_JOBS: int(2, 1),
    LEASE_SECONDS: int(60, 5),
    JOB_TIMEOUT_SECONDS: int(600, 1),
    DRAIN_TIMEOUT_SECONDS: int(25, 0),
    COMFY_POLL_INTERVAL_MS: int(2000, 10),
    COMFY_WS_RECONNECT_MS: int(1000, 10),
    OUTPUT_FORMAT: env(z.enum(["webp", "png", "jpeg", "avif"]).default("webp")),
    OUTPUT_QUALITY: env(z.coerce.number().int().min(1).max(100).default(90)),
    OUTPUT_WEBP_EFFORT: env(z.coerce.number().int().min(0).max(6).default(2)),
    THUMBNAIL_SIZE: int(256, 16),
    STORAGE_BACKEND: env(z.enum(["local", "gcs"]).default("local")),
    LOCAL_STORAGE_DIR: env(z.string().default(path.join(repoRoot, ".data", "storage"))),
    LOCAL_STORAGE_SIGNING_SECRET: env(z.string().min(8).default("dev-storage-secret")),
    STORAGE_BUCKET: env(z.string().optional()),
    PROGRESS_WRITE_INTERVAL_MS: int(1000, 0),
    TEMPLATES_DIR: env(z.string().default(path.resolve(__dirname, "..", "workflows"))),
    RUNNER_INSTANCE_ID: env(z.string().optional()),
    LOG_LEVEL: env(z.enum(["debug", "info", "warn", "error", "silent"]).default("info")),
  })
  .superRefine((c, ctx) => {
    if (c.RUNNER_AUTH_MODE === "oidc" && !c.OIDC_AUDIENCE)
      ctx.addIssue({ code: "custom", path: ["OIDC_AUDIENCE"], message: "required when RUNNER_AUTH_MODE=oidc" });
    if (c.STORAGE_BACKEND === "gcs" && !c.STORAGE_BUCKET)
      ctx.addIssue({ code: "custom", path: ["STORAGE_BUCKET"], message: "required when STORAGE_BACKEND=gcs" });
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses the environment once at boot (never at import time) and names every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid gpu-runner configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
