// Issue 12 item 1: a deployed configuration that could charge and then fail to dispatch refuses
// to load, naming every variable; the emulator keeps its friendly defaults.
import { ConfigError, loadConfig } from "../../src/config";

const DEPLOYED_OK = { GCLOUD_PROJECT: "p", RUNNER_URL: "https://runner.example.run.app", TASKS_SERVICE_ACCOUNT: "tasks@p.iam.gserviceaccount.com", STORAGE_BUCKET: "p-images", STRIPE_SECRET_KEY: "sk_live_example", STRIPE_WEBHOOK_SECRET: "whsec_example" };

function issuesOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("functions configuration", () => {
  it("refuses a deployed config without the dispatch and storage settings, naming each", () => {
    const msg = issuesOf({ GCLOUD_PROJECT: "p" });
    for (const name of ["RUNNER_URL", "TASKS_SERVICE_ACCOUNT", "STORAGE_BUCKET"]) expect(msg).toContain(name);
  });

  it("treats empty values from .env files as missing", () => {
    expect(issuesOf({ ...DEPLOYED_OK, TASKS_SERVICE_ACCOUNT: "" })).toContain("TASKS_SERVICE_ACCOUNT: required");
    // Stripe's webhook secret fails closed: deployed without it, nothing loads (issue 16).
    expect(issuesOf({ ...DEPLOYED_OK, STRIPE_WEBHOOK_SECRET: "" })).toContain("STRIPE_WEBHOOK_SECRET: required");
  });

  it.each([
    [{ DISPATCH_MODE: "record" }, "DISPATCH_MODE"],
    [{ DISPATCH_MODE: "tasks-emulator" }, "DISPATCH_MODE"],
    [{ STORAGE_BACKEND: "local" }, "STORAGE_BACKEND"],
    [{ RUNNER_URL: "http://runner.example" }, "RUNNER_URL: must be https"],
    [{ TASKS_SERVICE_ACCOUNT: "not-an-email" }, "TASKS_SERVICE_ACCOUNT"],
  ])("refuses emulator-only or malformed settings when deployed: %j", (extra, expected) => {
    expect(issuesOf({ ...DEPLOYED_OK, ...extra })).toContain(expected);
  });

  it("refuses the emulators' public Stripe webhook secret and API key when deployed, naming each", () => {
    expect(issuesOf({ ...DEPLOYED_OK, STRIPE_WEBHOOK_SECRET: "whsec_imagegen_emulator" })).toContain("STRIPE_WEBHOOK_SECRET: the emulators' public secret");
    expect(issuesOf({ ...DEPLOYED_OK, STRIPE_SECRET_KEY: "sk_test_imagegen_emulator" })).toContain("STRIPE_SECRET_KEY: the emulators' placeholder key");
    // The emulator still defaults to both.
    expect(loadConfig({ FUNCTIONS_EMULATOR: "true" })).toMatchObject({ STRIPE_WEBHOOK_SECRET: "whsec_imagegen_emulator", STRIPE_SECRET_KEY: "sk_test_imagegen_emulator" });
  });

  it("refuses the local Stripe stand-in's base URL when deployed (fail closed), and takes it on the emulator", () => {
    expect(issuesOf({ ...DEPLOYED_OK, STRIPE_API_BASE: "http://127.0.0.1:12111" })).toContain("STRIPE_API_BASE: 'http://127.0.0.1:12111' is the local Stripe stand-in");
    expect(() => loadConfig({ ...DEPLOYED_OK, STRIPE_API_BASE: "http://127.0.0.1:12111" })).toThrow(/STRIPE_API_BASE/);
    expect(loadConfig({ FUNCTIONS_EMULATOR: "true", STRIPE_API_BASE: "http://127.0.0.1:12111" }).STRIPE_API_BASE).toBe("http://127.0.0.1:12111");
  });

  it("loads a complete deployed config as cloud-tasks + gcs", () => {
    const c = loadConfig(DEPLOYED_OK);
    expect(c).toMatchObject({ EMULATED: false, DISPATCH_MODE: "cloud-tasks", STORAGE_BACKEND: "gcs", TASKS_SERVICE_ACCOUNT: DEPLOYED_OK.TASKS_SERVICE_ACCOUNT });
  });

  it("keeps the friendly defaults on the emulator", () => {
    const c = loadConfig({ FUNCTIONS_EMULATOR: "true" });
    expect(c).toMatchObject({ EMULATED: true, DISPATCH_MODE: "tasks-emulator", STORAGE_BACKEND: "local", RUNNER_URL: "http://127.0.0.1:8090" });
  });
});

describe("start-up (the built functions entry point)", () => {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const path = require("node:path") as typeof import("node:path");
  const entry = path.join(__dirname, "../../lib/index.js");
  // Only the variables a deployed instance might have: no emulator hosts.
  const load = (env: Record<string, string>) => spawnSync(process.execPath, ["-e", `require(${JSON.stringify(entry)})`], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" });

  it("refuses to load deployed without the dispatch settings, naming them", () => {
    const r = load({ GCLOUD_PROJECT: "p", STORAGE_BUCKET: "p-images" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("TASKS_SERVICE_ACCOUNT: required");
    expect(r.stderr).toContain("RUNNER_URL: required");
  });

  it("loads with a complete deployed configuration", () => {
    const r = load(DEPLOYED_OK);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  });
});
