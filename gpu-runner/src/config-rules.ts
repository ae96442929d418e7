// Fail-closed rules over the parsed (not yet defaulted) environment. Pure, so the doctor and the
// unit tests run exactly what the runner runs at boot.

export interface ConfigIssue { variable: string; message: string }

/** What the rules read: the values as set, before any mode default is applied. */
export interface SetValues {
  NODE_ENV?: string;
  K_SERVICE?: string;
  HOST?: string;
  RUNNER_AUTH_MODE?: "shared-secret" | "oidc";
  RUNNER_SHARED_SECRET?: string;
  OIDC_AUDIENCE?: string;
  OIDC_SERVICE_ACCOUNT?: string;
  STORAGE_BACKEND?: "local" | "gcs";
  STORAGE_BUCKET?: string;
  LOCAL_STORAGE_DIR?: string;
  LOCAL_STORAGE_SIGNING_SECRET?: string;
  COMFY_BASE_DIR?: string;
  COMFY_INPUT_DIR?: string;
  COMFY_OUTPUT_DIR?: string;
  SHUTDOWN_GRACE_SECONDS: number;
  DRAIN_TIMEOUT_SECONDS: number;
}

const PUBLIC_SECRETS = new Set(["dev-runner-secret", "dev-storage-secret"]);
const MIN_PRODUCTION_SECRET = 16;
/** Seconds the shutdown keeps after the drain: interrupt, release the leases, answer, exit. */
export const RELEASE_RESERVE_SECONDS = 3;

export const isProductionEnv = (v: Pick<SetValues, "NODE_ENV" | "K_SERVICE">) => v.NODE_ENV === "production" || !!v.K_SERVICE;

export const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);

function secretIssue(variable: string, value: string | undefined, production: boolean, host: string): string | null {
  if (production) {
    if (!value) return "required in production (no default)";
    if (PUBLIC_SECRETS.has(value)) return "is the public development default; set a private value";
    if (value.length < MIN_PRODUCTION_SECRET) return `must be at least ${MIN_PRODUCTION_SECRET} characters in production`;
    return null;
  }
  // Off production the public default is accepted only while nobody else can reach the port.
  if ((!value || PUBLIC_SECRETS.has(value)) && !isLoopback(host)) return `the public default is refused when HOST=${host} is not loopback; set ${variable} or HOST=127.0.0.1`;
  return null;
}

/** Every reason the runner must not start with these values; empty when it may. */
export function productionIssues(v: SetValues, production: boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (variable: string, message: string | null) => message && issues.push({ variable, message });
  const host = v.HOST ?? (production ? "0.0.0.0" : "127.0.0.1");
  const auth = v.RUNNER_AUTH_MODE ?? (production ? undefined : "shared-secret");
  if (!auth) add("RUNNER_AUTH_MODE", "required in production: oidc (Cloud Tasks OIDC token) or shared-secret");
  if (auth === "shared-secret") add("RUNNER_SHARED_SECRET", secretIssue("RUNNER_SHARED_SECRET", v.RUNNER_SHARED_SECRET, production, host));
  if (auth === "oidc") {
    if (!v.OIDC_AUDIENCE) add("OIDC_AUDIENCE", "required when RUNNER_AUTH_MODE=oidc (the runner URL Cloud Tasks uses as audience)");
    if (!v.OIDC_SERVICE_ACCOUNT) add("OIDC_SERVICE_ACCOUNT", "required when RUNNER_AUTH_MODE=oidc (only tokens of this service account are accepted)");
  }
  const storage = v.STORAGE_BACKEND ?? (production ? "gcs" : "local");
  if (storage === "gcs" && !v.STORAGE_BUCKET) add("STORAGE_BUCKET", `required when STORAGE_BACKEND=gcs${v.STORAGE_BACKEND ? "" : " (the production default)"}`);
  if (storage === "local") {
    add("LOCAL_STORAGE_SIGNING_SECRET", secretIssue("LOCAL_STORAGE_SIGNING_SECRET", v.LOCAL_STORAGE_SIGNING_SECRET, production, host));
    if (production && !v.LOCAL_STORAGE_DIR) add("LOCAL_STORAGE_DIR", "required in production when STORAGE_BACKEND=local");
  }
  if (production && !v.COMFY_BASE_DIR && !(v.COMFY_INPUT_DIR && v.COMFY_OUTPUT_DIR))
    add("COMFY_BASE_DIR", "required in production (or COMFY_INPUT_DIR and COMFY_OUTPUT_DIR): the runner deletes each job's ComfyUI files there");
  if (v.DRAIN_TIMEOUT_SECONDS + RELEASE_RESERVE_SECONDS > v.SHUTDOWN_GRACE_SECONDS)
    add("DRAIN_TIMEOUT_SECONDS", `must leave ${RELEASE_RESERVE_SECONDS} s of SHUTDOWN_GRACE_SECONDS (${v.SHUTDOWN_GRACE_SECONDS}) to release unfinished jobs`);
  return issues;
}
