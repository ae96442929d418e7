import path from "node:path";
import { z } from "zod";
import { productionIssues, isProductionEnv, type ConfigIssue } from "./config-rules";

// Empty strings in env files mean "not set", so they fall back to the defaults.
const env = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);
const int = (def: number, min = 0) => env(z.coerce.number().int().min(min).default(def));
const optional = () => env(z.string().optional());

const repoRoot = path.resolve(__dirname, "..", "..");

/** Public, committed defaults: fine on a laptop against the emulators, refused in production. */
export const DEV_RUNNER_SECRET = "dev-runner-secret";
export const DEV_STORAGE_SECRET = "dev-storage-secret";

// Security-relevant settings have no schema default: their default depends on the mode and is
// filled in by `withModeDefaults`, after the production rules have seen what was really set.
export const configSchema = z.object({
  /** `production` (the image sets it) switches to production mode: no public defaults, explicit auth, storage and COMFY_BASE_DIR. */
  NODE_ENV: optional(),
  /** Set by Cloud Run; like NODE_ENV=production, it switches to production mode. */
  K_SERVICE: optional(),
  /** The port the runner listens on. */
  PORT: int(8090),
  /** The address the runner binds (default 127.0.0.1; production 0.0.0.0); the public dev secrets are refused on any other. */
  HOST: optional(),
  /** ComfyUI's HTTP and WebSocket address; pointing at a real ComfyUI is this one variable. */
  COMFY_URL: env(z.string().url().default("http://127.0.0.1:8188")),
  /** ComfyUI's folder, shared with the runner, which deletes each job's input and output files there once the job is stored. Required in production. */
  COMFY_BASE_DIR: optional(),
  /** ComfyUI's input folder (default: COMFY_BASE_DIR/input). */
  COMFY_INPUT_DIR: optional(),
  /** ComfyUI's output folder (default: COMFY_BASE_DIR/output). */
  COMFY_OUTPUT_DIR: optional(),
  /** ComfyUI's models/loras folder (default: COMFY_BASE_DIR/models/loras), where the runner caches LoRA files. */
  COMFY_LORA_DIR: optional(),
  /** Size bound of the LoRA cache in ComfyUI's loras folder; the least recently used files go first. */
  LORA_CACHE_MAX_BYTES: int(4 * 1024 ** 3, 1),
  /** A cached LoRA unused this long is deleted (bounds how long a deleted model's copy can survive on a host). */
  LORA_CACHE_MAX_AGE_HOURS: int(168, 1),
  /** Job kinds this runner takes: training holds a GPU for many minutes, so it may run on its own runners. */
  RUNNER_JOB_KINDS: env(z.string().default("generate,train").transform((s, ctx) => {
    const kinds = [...new Set(s.split(",").map((k) => k.trim()).filter(Boolean))];
    const bad = kinds.filter((k) => k !== "generate" && k !== "train");
    if (bad.length || kinds.length === 0) ctx.addIssue({ code: "custom", message: `must list generate and/or train, got "${s}"` });
    return kinds as ("generate" | "train")[];
  })),
  /** A training run taking longer ends `failed`. */
  TRAIN_TIMEOUT_SECONDS: int(4 * 3600, 1),
  /** How task pushes are authenticated: `oidc` (Cloud Tasks' tokens; production) or `shared-secret` (X-Runner-Token). Required in production. */
  RUNNER_AUTH_MODE: env(z.enum(["shared-secret", "oidc"]).optional()),
  /** The X-Runner-Token value in shared-secret mode (16+ private characters in production; the public dev default elsewhere). */
  RUNNER_SHARED_SECRET: env(z.string().min(8).optional()),
  /** The audience OIDC tokens must carry (the runner's URL). Required with oidc. */
  OIDC_AUDIENCE: optional(),
  /** The only service account whose OIDC tokens are accepted. Required with oidc. */
  OIDC_SERVICE_ACCOUNT: env(z.string().email().optional()),
  /** Claims of one job before it ends `failed` (MAX_ATTEMPTS_EXCEEDED). */
  MAX_ATTEMPTS: int(5, 1),
  /** Jobs this runner runs at once; pushes beyond it get 503 and Cloud Tasks retries them. */
  MAX_CONCURRENT_JOBS: int(2, 1),
  /** How long a claim holds a job without a heartbeat; an expired lease lets the next delivery reclaim it. */
  LEASE_SECONDS: int(60, 5),
  /** A generation job taking longer ends `failed`. */
  JOB_TIMEOUT_SECONDS: int(600, 1),
  /** After SIGTERM, the runner exits within this (Cloud Run allows 10 s). */
  SHUTDOWN_GRACE_SECONDS: int(10, 4),
  /** After SIGTERM, running jobs get this long to finish before they are released for a retry. */
  DRAIN_TIMEOUT_SECONDS: int(6, 0),
  /** How often ComfyUI's /history is polled for a prompt, beside the WebSocket's events. */
  COMFY_POLL_INTERVAL_MS: int(2000, 10),
  /** Wait before the WebSocket to ComfyUI reconnects. */
  COMFY_WS_RECONNECT_MS: int(1000, 10),
  /** One prompt on ComfyUI's worker with no event this long counts as stuck: readiness fails and the process exits. */
  COMFY_STALL_SECONDS: int(900, 1),
  /** How often the stall watchdog looks. */
  COMFY_WATCHDOG_INTERVAL_MS: int(15_000, 10),
  /**
   * The generation template of the warm-up prompt the runner runs at boot (one 64×64 image, one
   * step) before it reports ready, so the first paid job does not pay the model load. `off`
   * skips it (readiness then does not wait for one).
   */
  WARMUP_TEMPLATE: env(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/).default("txt2img")),
  /** Live previews: at most one sampler preview per this many ms is stored (small WebP) for the API; 0 asks ComfyUI for none. */
  PREVIEW_INTERVAL_MS: env(z.coerce.number().int().refine((v) => v === 0 || v >= 1000, "must be 0 (off) or at least 1000").default(1000)),
  /** After a failed warm-up, the next readiness probe retries it once this long has passed. */
  WARMUP_RETRY_MS: int(5_000, 0),
  /** Format of stored outputs; `png` keeps ComfyUI's PNG as is, minus its metadata chunks. */
  OUTPUT_FORMAT: env(z.enum(["webp", "png", "jpeg", "avif"]).default("webp")),
  /** Encoder quality for webp, jpeg and avif outputs. */
  OUTPUT_QUALITY: env(z.coerce.number().int().min(1).max(100).default(90)),
  /** WebP encoder effort 0..6 (sharp's default 4 is about twice as slow for a few per cent fewer bytes). */
  OUTPUT_WEBP_EFFORT: env(z.coerce.number().int().min(0).max(6).default(2)),
  /** The longest side of each output's WebP thumbnail, in pixels. */
  THUMBNAIL_SIZE: int(256, 16),
  /** Where outputs and LoRAs go: `local` (a folder served at /files) or `gcs` (production default). */
  STORAGE_BACKEND: env(z.enum(["local", "gcs"]).optional()),
  /** The local storage folder (default <repo>/.data/storage, shared with the functions). */
  LOCAL_STORAGE_DIR: optional(),
  /** HMAC key of /files download URLs (must equal the functions'); refused as the public default in production. */
  LOCAL_STORAGE_SIGNING_SECRET: env(z.string().min(8).optional()),
  /** The Cloud Storage bucket. Required in production. */
  STORAGE_BUCKET: optional(),
  /** At most one progress write per job in this interval (each write also runs the request trigger once). */
  PROGRESS_WRITE_INTERVAL_MS: int(1000, 0),
  /** The folder of ComfyUI workflow templates and their parameter maps. */
  TEMPLATES_DIR: env(z.string().default(path.resolve(__dirname, "..", "workflows"))),
  /** This runner's name in leases and logs (default: a random id per process). */
  RUNNER_INSTANCE_ID: optional(),
  /** The lowest log level written. */
  LOG_LEVEL: env(z.enum(["debug", "info", "warn", "error", "silent"]).default("info")),
});

type Raw = z.infer<typeof configSchema>;
export type RawConfig = Raw;

export type Config = Omit<Raw, "HOST" | "RUNNER_AUTH_MODE" | "RUNNER_SHARED_SECRET" | "STORAGE_BACKEND" | "LOCAL_STORAGE_DIR" | "LOCAL_STORAGE_SIGNING_SECRET"> & {
  /** NODE_ENV=production or K_SERVICE (Cloud Run) set: no public defaults, explicit auth and secrets. */
  PRODUCTION: boolean;
  HOST: string;
  RUNNER_AUTH_MODE: "shared-secret" | "oidc";
  RUNNER_SHARED_SECRET: string;
  STORAGE_BACKEND: "local" | "gcs";
  LOCAL_STORAGE_DIR: string;
  LOCAL_STORAGE_SIGNING_SECRET: string;
};

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid gpu-runner configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Production binds every interface on the platform's PORT (Cloud Run routes to it); anywhere else
 * the default is loopback, so the dev secrets below are never reachable from another machine.
 */
function withModeDefaults(c: Raw, production: boolean): Config {
  return {
    ...c,
    PRODUCTION: production,
    HOST: c.HOST ?? (production ? "0.0.0.0" : "127.0.0.1"),
    RUNNER_AUTH_MODE: c.RUNNER_AUTH_MODE ?? "shared-secret",
    RUNNER_SHARED_SECRET: c.RUNNER_SHARED_SECRET ?? (production ? "" : DEV_RUNNER_SECRET),
    STORAGE_BACKEND: c.STORAGE_BACKEND ?? (production ? "gcs" : "local"),
    LOCAL_STORAGE_DIR: c.LOCAL_STORAGE_DIR ?? path.join(repoRoot, ".data", "storage"),
    LOCAL_STORAGE_SIGNING_SECRET: c.LOCAL_STORAGE_SIGNING_SECRET ?? (production ? "" : DEV_STORAGE_SECRET),
  };
}

/** Parses the environment once at boot (never at import time) and names every bad or missing variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: i.path.join(".") || "(env)", message: i.message })));
  }
  const production = isProductionEnv(parsed.data);
  const issues = productionIssues(parsed.data, production);
  if (issues.length) throw new ConfigError(issues);
  return withModeDefaults(parsed.data, production);
}

/** ComfyUI's models/loras folder as the runner sees it, or null when unknown. */
export function comfyLoraDir(c: Pick<Raw, "COMFY_BASE_DIR" | "COMFY_LORA_DIR">): string | null {
  const dir = c.COMFY_LORA_DIR ?? (c.COMFY_BASE_DIR && path.join(c.COMFY_BASE_DIR, "models", "loras"));
  return dir ? path.resolve(dir) : null;
}

/** ComfyUI's input and output folders as the runner sees them (shared volume), or null when unknown. */
export function comfyFolders(c: Pick<Raw, "COMFY_BASE_DIR" | "COMFY_INPUT_DIR" | "COMFY_OUTPUT_DIR">): { input: string; output: string } | null {
  const input = c.COMFY_INPUT_DIR ?? (c.COMFY_BASE_DIR && path.join(c.COMFY_BASE_DIR, "input"));
  const output = c.COMFY_OUTPUT_DIR ?? (c.COMFY_BASE_DIR && path.join(c.COMFY_BASE_DIR, "output"));
  return input && output ? { input: path.resolve(input), output: path.resolve(output) } : null;
}
