import { ConfigError, comfyFolders, loadConfig } from "../src/config";
import { shutdownPlan } from "../src/shutdown";

/** The variables a ConfigError names, in order. */
function rejected(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.variable);
    throw e;
  }
  return [];
}

const PROD_OK = {
  NODE_ENV: "production", RUNNER_AUTH_MODE: "oidc", OIDC_AUDIENCE: "https://runner.example.com",
  OIDC_SERVICE_ACCOUNT: "tasks@p.iam.gserviceaccount.com", STORAGE_BUCKET: "p-outputs", COMFY_BASE_DIR: "/opt/ComfyUI",
};

describe("runner configuration: development defaults", () => {
  it("binds loopback and keeps the public dev secrets when nothing is set", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PRODUCTION: false, HOST: "127.0.0.1", RUNNER_AUTH_MODE: "shared-secret", RUNNER_SHARED_SECRET: "dev-runner-secret",
      STORAGE_BACKEND: "local", LOCAL_STORAGE_SIGNING_SECRET: "dev-storage-secret", SHUTDOWN_GRACE_SECONDS: 10, DRAIN_TIMEOUT_SECONDS: 6,
    });
  });

  it("refuses the public secrets on a non-loopback bind, naming both variables", () => {
    expect(rejected({ HOST: "0.0.0.0" })).toEqual(["RUNNER_SHARED_SECRET", "LOCAL_STORAGE_SIGNING_SECRET"]);
    expect(rejected({ HOST: "0.0.0.0", RUNNER_SHARED_SECRET: "dev-runner-secret", LOCAL_STORAGE_SIGNING_SECRET: "private-signing-key" })).toEqual(["RUNNER_SHARED_SECRET"]);
    expect(rejected({ HOST: "0.0.0.0", RUNNER_SHARED_SECRET: "a-private-secret", LOCAL_STORAGE_SIGNING_SECRET: "private-signing-key" })).toEqual([]);
    expect(rejected({ HOST: "localhost" })).toEqual([]);
    expect(rejected({ HOST: "127.0.0.2" })).toEqual([]);
  });

  it("requires the expected service account whenever OIDC is used", () => {
    expect(rejected({ RUNNER_AUTH_MODE: "oidc" })).toEqual(["OIDC_AUDIENCE", "OIDC_SERVICE_ACCOUNT"]);
    expect(rejected({ RUNNER_AUTH_MODE: "oidc", OIDC_AUDIENCE: "https://r", OIDC_SERVICE_ACCOUNT: "not-an-email" })).toEqual(["OIDC_SERVICE_ACCOUNT"]);
  });
});

describe("runner configuration: production mode (NODE_ENV=production or K_SERVICE)", () => {
  it("refuses to start with nothing set, naming every missing variable", () => {
    expect(rejected({ NODE_ENV: "production" })).toEqual(["RUNNER_AUTH_MODE", "STORAGE_BUCKET", "COMFY_BASE_DIR"]);
    expect(rejected({ K_SERVICE: "gpu-runner" })).toEqual(["RUNNER_AUTH_MODE", "STORAGE_BUCKET", "COMFY_BASE_DIR"]);
    expect(() => loadConfig({ K_SERVICE: "gpu-runner" })).toThrow(/RUNNER_AUTH_MODE: required in production/);
  });

  it("accepts a complete OIDC setup and binds every interface for the platform", () => {
    expect(loadConfig(PROD_OK)).toMatchObject({ PRODUCTION: true, HOST: "0.0.0.0", STORAGE_BACKEND: "gcs", RUNNER_AUTH_MODE: "oidc" });
    expect(comfyFolders(loadConfig(PROD_OK))).toEqual({ input: "/opt/ComfyUI/input", output: "/opt/ComfyUI/output" });
  });

  it("needs the OIDC service account: any Google account can mint a token for any audience", () => {
    const { OIDC_SERVICE_ACCOUNT: _, ...noSa } = PROD_OK;
    expect(rejected(noSa)).toEqual(["OIDC_SERVICE_ACCOUNT"]);
  });

  it("takes a shared secret only when it is explicit, private and long enough", () => {
    const shared = { ...PROD_OK, RUNNER_AUTH_MODE: "shared-secret" };
    expect(rejected(shared)).toEqual(["RUNNER_SHARED_SECRET"]);
    expect(rejected({ ...shared, RUNNER_SHARED_SECRET: "dev-runner-secret" })).toEqual(["RUNNER_SHARED_SECRET"]);
    expect(rejected({ ...shared, RUNNER_SHARED_SECRET: "short-secret" })).toEqual(["RUNNER_SHARED_SECRET"]);
    expect(rejected({ ...shared, RUNNER_SHARED_SECRET: "a-long-private-secret-value" })).toEqual([]);
  });

  it("signs /files URLs only with an explicit private key and a configured folder", () => {
    const local = { ...PROD_OK, STORAGE_BACKEND: "local" };
    expect(rejected(local)).toEqual(["LOCAL_STORAGE_SIGNING_SECRET", "LOCAL_STORAGE_DIR"]);
    expect(rejected({ ...local, LOCAL_STORAGE_SIGNING_SECRET: "dev-storage-secret", LOCAL_STORAGE_DIR: "/data" })).toEqual(["LOCAL_STORAGE_SIGNING_SECRET"]);
    expect(rejected({ ...local, LOCAL_STORAGE_SIGNING_SECRET: "a-private-signing-key", LOCAL_STORAGE_DIR: "/data" })).toEqual([]);
  });

  it("accepts explicit ComfyUI input and output folders instead of the base directory", () => {
    const { COMFY_BASE_DIR: _, ...noBase } = PROD_OK;
    expect(rejected({ ...noBase, COMFY_INPUT_DIR: "/in" })).toEqual(["COMFY_BASE_DIR"]);
    expect(comfyFolders(loadConfig({ ...noBase, COMFY_INPUT_DIR: "/in", COMFY_OUTPUT_DIR: "/out" }))).toEqual({ input: "/in", output: "/out" });
  });
});

describe("shutdown budget", () => {
  it("fits Cloud Run's 10 s grace with the defaults: drain, release, exit before SIGKILL", () => {
    expect(shutdownPlan(loadConfig({}))).toEqual({ drainMs: 6000, releaseMs: 3000, hardExitMs: 9500 });
  });

  it("refuses a drain that leaves no time to release unfinished jobs", () => {
    expect(rejected({ DRAIN_TIMEOUT_SECONDS: "8" })).toEqual(["DRAIN_TIMEOUT_SECONDS"]);
    expect(rejected({ DRAIN_TIMEOUT_SECONDS: "25", SHUTDOWN_GRACE_SECONDS: "30" })).toEqual([]);
  });
});
