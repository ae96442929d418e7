// All configuration, read from the environment once and validated. Defaults are the local
// emulator setup; production sets the variables in functions/.env.<project> or the console.
// Deployed, nothing defaults that could route paid work nowhere: a missing dispatch or storage
// setting refuses to load (index.ts validates at start-up), naming every variable at once.
import path from "node:path";
import { z } from "zod";

/** The Stripe webhook secret of the emulators (documented in docs/billing.md; never valid deployed). */
export const EMULATOR_WEBHOOK_SECRET = "whsec_imagegen_emulator";
/** The Stripe API key of the emulators (public, like the secret above; never valid deployed). */
export const EMULATOR_STRIPE_KEY = "sk_test_imagegen_emulator";

export const inEmulator = (env: NodeJS.ProcessEnv) => env.FUNCTIONS_EMULATOR === "true" || !!env.FIRESTORE_EMULATOR_HOST;
// Empty values in .env files mean "not set".
const unset = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);
const int = (def: number) => z.coerce.number().int().positive().default(def);

export const configSchema = z.object({
  /** How jobs reach the runner: `tasks-emulator` (local default), `cloud-tasks` (production default), `record` (no runner: only marks the request dispatched). */
  DISPATCH_MODE: z.enum(["record", "tasks-emulator", "cloud-tasks"]).optional(),
  /** Required when deployed; the emulator default is the local runner. */
  RUNNER_URL: unset(z.string().url().optional()),
  /** Development-only task auth: sent as X-Runner-Token when tasks are not OIDC-signed; the public default is refused deployed. */
  RUNNER_SHARED_SECRET: z.string().min(8).default("dev-runner-secret"),
  /** The audience of the runner's OIDC tokens (default: RUNNER_URL). */
  RUNNER_AUDIENCE: unset(z.string().optional()),
  /** The identity Cloud Tasks signs OIDC tokens as (the runner accepts nothing else). Required for cloud-tasks. */
  TASKS_SERVICE_ACCOUNT: unset(z.string().email().optional()),
  /** The Cloud Tasks location (region) of the queues. */
  TASKS_LOCATION: z.string().default("us-central1"),
  /** The Cloud Tasks queue generation jobs are dispatched on. */
  TASKS_QUEUE: z.string().default("generation-jobs"),
  /** Where the Tasks emulator listens (DISPATCH_MODE=tasks-emulator). */
  CLOUD_TASKS_EMULATOR_HOST: z.string().default("127.0.0.1:9499"),
  // Queue retry/rate settings: see dispatch/queueConfig.ts, the one place that reads them.
  /** Deliveries of one task before Cloud Tasks gives up (queue retry policy, applied by dispatch/queueConfig.ts). */
  TASKS_MAX_ATTEMPTS: int(5),
  /** The first wait before a failed task delivery is retried. */
  TASKS_MIN_BACKOFF_SECONDS: z.coerce.number().positive().default(10),
  /** The longest wait between retries of a task delivery. */
  TASKS_MAX_BACKOFF_SECONDS: z.coerce.number().positive().default(300),
  /** How many times the retry wait doubles before it grows linearly. */
  TASKS_MAX_DOUBLINGS: z.coerce.number().int().nonnegative().default(4),
  /** The queue's dispatch rate limit. */
  TASKS_MAX_DISPATCHES_PER_SECOND: z.coerce.number().positive().default(5),
  /** Jobs the runner fleet runs at once (instances x MAX_CONCURRENT_JOBS). */
  RUNNER_CAPACITY: int(2),
  /** How long Cloud Tasks waits for the runner's answer to one generation task. */
  DISPATCH_DEADLINE_SECONDS: int(900),
  // Sweeper thresholds: see dispatch/sweepPlan.ts.
  /** A queued request whose enqueue did not happen (dispatch `pending`) this long is enqueued again by the sweeper. */
  SWEEP_PENDING_AFTER_SECONDS: int(60),
  /** A queued request enqueued but unclaimed this long is enqueued again under the next task name. */
  SWEEP_ENQUEUED_STALE_SECONDS: int(1800),
  /** A running job whose lease expired this long ago is re-dispatched (above the max backoff, so a task waiting for its retry is left alone). */
  SWEEP_LEASE_GRACE_SECONDS: int(600),
  /** A request still queued this long after creation ends `failed` (QUEUE_TIMEOUT) and is refunded. */
  SWEEP_QUEUED_DEADLINE_SECONDS: int(6 * 3600),
  /** Re-dispatches of a job whose lease expired before it ends `failed` (LEASE_EXPIRED) and is refunded. */
  SWEEP_MAX_REDISPATCHES: int(3),
  /** Documents the sweeper reads per pass. */
  SWEEP_BATCH_LIMIT: int(100),

  /** Where input images, outputs and report charts go: `local` (a folder; emulator default) or `gcs` (Cloud Storage; deployed default). */
  STORAGE_BACKEND: unset(z.enum(["local", "gcs"]).optional()),
  /** The Cloud Storage bucket. Required when deployed. */
  STORAGE_BUCKET: unset(z.string().optional()),
  /** The local storage folder (emulator; default <repo>/.data/storage, shared with the runner). */
  LOCAL_STORAGE_DIR: z.string().optional(),
  /** HMAC key of local download URLs (must equal the runner's); the public default is refused deployed. */
  LOCAL_STORAGE_SIGNING_SECRET: z.string().min(8).default("dev-storage-secret"),
  /** Base URL that serves the local storage folder (the runner's /files route). */
  LOCAL_FILES_BASE_URL: z.string().url().default("http://127.0.0.1:8090/files"),
  /** Lifetime of the download URLs of outputs and inputs. */
  SIGNED_URL_TTL_SECONDS: int(3600),

  /** Longest accepted prompt. */
  MAX_PROMPT_CHARS: int(2000),
  /** Longest accepted negative prompt. */
  MAX_NEGATIVE_PROMPT_CHARS: int(1000),
  /** Largest accepted input image (image-to-image), in bytes. */
  MAX_INPUT_IMAGE_BYTES: int(10 * 1024 * 1024),
  /** Most pixels an input image may have (width x height), checked before it is decoded. */
  MAX_INPUT_IMAGE_PIXELS: int(4096 * 4096),
  /** Shortest side an input image may have, in pixels. */
  MIN_INPUT_IMAGE_SIDE: int(64),
  /** Largest amount one grantCredits call may add or remove. */
  MAX_GRANT_AMOUNT: int(1_000_000),
  /** Paid creates per user per minute; more get RATE_LIMITED (429) with Retry-After. */
  MAX_CREATES_PER_MINUTE: int(120),
  /** Creates one instance must see for a wallet within a second before it takes an escrow hold for it; below it a create keeps the direct path (one commit on the wallet). 0 (the default for now): never hold, every create writes the wallet. 8 suits production hot accounts (see docs/hot-accounts.md). */
  HOLD_HOT_CREATES_PER_SECOND: z.coerce.number().int().nonnegative().default(0),
  /** How long an escrow hold lives; an instance that died with one open has its credits back within this plus one hold sweep. */
  HOLD_SECONDS: int(30),
  /** Create calls (single or batch) one API key may have in progress on one instance; more get RATE_LIMITED (429). A key's own `maxConcurrentCreates` wins. */
  MAX_CONCURRENT_CREATES_PER_KEY: int(40),
  /** How long an instance trusts that an API key's Auth account is enabled (a disabled account's keys stop within this). */
  API_KEY_ACCOUNT_CACHE_SECONDS: z.coerce.number().int().nonnegative().default(30),
  /** After a rotation, deliveries are signed with the old webhook secret too for this long. */
  WEBHOOK_SECRET_OVERLAP_SECONDS: z.coerce.number().int().nonnegative().default(86_400),
  /** How long an instance keeps the catalog (models, styles, colors, sizes) before reading it again. */
  CATALOG_CACHE_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** A live stream (streamGenerationRequest) ends politely after this long with a `retry:` hint; below the function's 300 s timeout. */
  STREAM_MAX_SECONDS: int(240),
  /** A comment line every this many seconds keeps proxies from closing an idle stream. */
  STREAM_HEARTBEAT_SECONDS: int(15),
  /** The reconnect delay a stream's `retry:` line asks the client's EventSource for. */
  STREAM_RETRY_MS: int(1000),
  /** Generation jobs one GPU pool runs at once (runners × their MAX_CONCURRENT_JOBS): queued ETAs spread the work ahead over this many slots. */
  QUEUE_POOL_SLOTS: int(2),
  /** Execution seconds per image assumed for a template and size the runners have not measured yet. */
  ETA_DEFAULT_SECONDS_PER_IMAGE: int(8),
  /** Queued jobs of a pool read per ETA answer; the ones beyond are counted and estimated at the average of those read. */
  QUEUE_SCAN_LIMIT: int(200),
  // Custom models and uploads (issue 15): see models/ and uploads/.
  /** The training queue (its own: a run holds a GPU for many minutes). */
  TRAINING_QUEUE: z.string().default("training"),
  /** Training runs the fleet takes at once. */
  TRAINING_RUNNER_CAPACITY: int(1),
  /** Cloud Tasks' cap for HTTP targets; a longer run is held by the runner's lease, not by the task. */
  TRAINING_DISPATCH_DEADLINE_SECONDS: int(1800),
  /** Custom models queued, training or ready per user without a plan period; a plan's modelSlots replaces it. */
  MAX_CUSTOM_MODELS_PER_USER: int(3),
  /** Fewest usable photos a training run accepts. */
  MIN_TRAINING_IMAGES: int(10),
  /** Most photos a training run accepts. */
  MAX_TRAINING_IMAGES: int(20),
  /** Inline `images` of createCustomModel, all together (uploads are the way for real photos). */
  MAX_TRAINING_INLINE_BYTES: int(10 * 1024 * 1024),
  /** Largest file one upload may hold. */
  MAX_UPLOAD_BYTES: int(25 * 1024 * 1024),
  /** How long a signed upload URL may be used. */
  UPLOAD_URL_TTL_SECONDS: int(900),
  /** An upload not used within this long is deleted (and can no longer be used). */
  UPLOAD_MAX_AGE_SECONDS: int(86_400),
  /** Expired uploads deleted per run of the hourly cleanupUploads. */
  UPLOAD_CLEANUP_BATCH: int(200),
  /** Uploads a user may hold unused (pending, younger than UPLOAD_MAX_AGE_SECONDS); more get QUOTA_EXCEEDED (429). */
  MAX_OUTSTANDING_UPLOADS: int(100),
  /** createUpload calls per user per minute; more get RATE_LIMITED (429) with Retry-After. */
  MAX_UPLOADS_PER_MINUTE: int(60),
  /** Items per page of list endpoints when no `limit` is given. */
  PAGE_SIZE_DEFAULT: int(20),
  /** Largest `limit` a list endpoint accepts. */
  PAGE_SIZE_MAX: int(100),
  // --- money in (issue 16) ---
  /** Stripe's secret API key. Required when deployed; the emulator never reaches Stripe. */
  STRIPE_SECRET_KEY: unset(z.string().min(8).optional()),
  /** The webhook endpoint's signing secret. Required when deployed (a secret); the emulator uses whsec_imagegen_emulator. */
  STRIPE_WEBHOOK_SECRET: unset(z.string().startsWith("whsec_").optional()),
  /** Where the Stripe client sends API calls instead of api.stripe.com (tests: a local stand-in). */
  STRIPE_API_BASE: unset(z.string().url().optional()),
  /** Where Stripe Checkout returns after a payment. */
  CHECKOUT_SUCCESS_URL: z.string().url().default("http://127.0.0.1:5000/console/?checkout=success"),
  /** Where Stripe Checkout returns when the buyer cancels. */
  CHECKOUT_CANCEL_URL: z.string().url().default("http://127.0.0.1:5000/console/?checkout=cancel"),
  /** Where Stripe's customer portal (createPortalSession) sends the user back to. */
  PORTAL_RETURN_URL: z.string().url().default("http://127.0.0.1:5000/?portal=return"),
});

export type Config = Omit<z.infer<typeof configSchema>, "DISPATCH_MODE" | "STORAGE_BACKEND" | "LOCAL_STORAGE_DIR" | "RUNNER_URL" | "STRIPE_SECRET_KEY" | "STRIPE_WEBHOOK_SECRET"> & {
  STRIPE_SECRET_KEY: string;
  STRIPE_WEBHOOK_SECRET: string;
  DISPATCH_MODE: "record" | "tasks-emulator" | "cloud-tasks";
  RUNNER_URL: string;
  STORAGE_BACKEND: "local" | "gcs";
  LOCAL_STORAGE_DIR: string;
  PROJECT_ID: string;
  /** Running on the emulators (local dev and tests), where loopback webhooks and local storage are fine. */
  EMULATED: boolean;
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid functions configuration:\n${issues.map((i) => `  ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Parsed = z.infer<typeof configSchema>;

/** What a deployment must set explicitly; the emulator's friendly defaults never apply there. */
export function deployedIssues(c: Parsed): string[] {
  const issues: string[] = [];
  const mode = c.DISPATCH_MODE ?? "cloud-tasks";
  if (mode !== "cloud-tasks") issues.push(`DISPATCH_MODE: '${mode}' works on the emulators only; deployed it must be cloud-tasks`);
  if (!c.RUNNER_URL) issues.push("RUNNER_URL: required (the runner's https URL on Cloud Run)");
  else if (!c.RUNNER_URL.startsWith("https://")) issues.push("RUNNER_URL: must be https when deployed");
  if (!c.TASKS_SERVICE_ACCOUNT) issues.push("TASKS_SERVICE_ACCOUNT: required (the service account Cloud Tasks signs the runner's OIDC tokens as)");
  if ((c.STORAGE_BACKEND ?? "gcs") !== "gcs") issues.push("STORAGE_BACKEND: 'local' works on the emulators only; deployed it must be gcs");
  if (!c.STORAGE_BUCKET) issues.push("STORAGE_BUCKET: required (the Cloud Storage bucket for inputs and outputs)");
  if (!c.STRIPE_WEBHOOK_SECRET) issues.push("STRIPE_WEBHOOK_SECRET: required (the Stripe webhook endpoint's signing secret, whsec_…; set it as a secret)");
  // Both emulator values are printed in docs/billing.md: with either, anyone could sign events or pose as us.
  else if (c.STRIPE_WEBHOOK_SECRET === EMULATOR_WEBHOOK_SECRET) issues.push("STRIPE_WEBHOOK_SECRET: the emulators' public secret works on the emulators only; set the endpoint's own signing secret");
  if (!c.STRIPE_SECRET_KEY) issues.push("STRIPE_SECRET_KEY: required (Stripe's secret API key; set it as a secret)");
  else if (c.STRIPE_SECRET_KEY === EMULATOR_STRIPE_KEY) issues.push("STRIPE_SECRET_KEY: the emulators' placeholder key works on the emulators only; set Stripe's secret API key");
  // The local Stripe stand-in (dev and tests) answers any key and sends its own events: deployed, only Stripe itself.
  if (c.STRIPE_API_BASE) issues.push(`STRIPE_API_BASE: '${c.STRIPE_API_BASE}' is the local Stripe stand-in's kind of setting, for the emulators only; deployed, unset it (the real Stripe API is used)`);
  return issues;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  const c = parsed.data;
  const emulated = inEmulator(env);
  if (!emulated) {
    const issues = deployedIssues(c);
    if (issues.length) throw new ConfigError(issues);
  }
  return {
    ...c,
    EMULATED: emulated,
    // On the emulators the full loop is the default (npm run dev); the emulator tests that need
    // requests to stay queued set DISPATCH_MODE=record explicitly (scripts/test.mjs phase 1).
    DISPATCH_MODE: c.DISPATCH_MODE ?? (emulated ? "tasks-emulator" : "cloud-tasks"),
    RUNNER_URL: c.RUNNER_URL ?? "http://127.0.0.1:8090",
    STORAGE_BACKEND: c.STORAGE_BACKEND ?? (emulated ? "local" : "gcs"),
    // The functions emulator runs with cwd = functions/, so the repo root is one level up.
    LOCAL_STORAGE_DIR: c.LOCAL_STORAGE_DIR ?? path.resolve(process.cwd(), "..", ".data", "storage"),
    STRIPE_SECRET_KEY: c.STRIPE_SECRET_KEY ?? EMULATOR_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: c.STRIPE_WEBHOOK_SECRET ?? EMULATOR_WEBHOOK_SECRET,
    PROJECT_ID: env.GCLOUD_PROJECT ?? env.GCP_PROJECT ?? JSON.parse(env.FIREBASE_CONFIG ?? "{}").projectId ?? "demo-imagegen",
  };
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
