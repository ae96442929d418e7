// Issue 12 item 1: a deployed configuration that could charge and then fail to dispatch refuses
// to load, naming every variable; the emulator keeps its friendly defaults.
import { ConfigError, loadConfig } from "../../src/config";

const DEPLOYED_OK = { GCLOUD_PROJECT: "p", RUNNER_URL: "https://runner.example.run.app", TASKS_SERVICE_ACCOUNT: "tasks@p.iam.gserviceaccount.com", STORAGE_BUCKET: "p-images" };

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

  it("loads a complete deployed config as cloud-tasks + gcs", () => {
    const c = loadConfig(DEPLOYED_OK);
    expect(c).toMatchObject({ EMULATED: false, DISPATCH_MODE: "cloud-tasks", STORAGE_BACKEND: "gcs", TASKS_SERVICE_ACCOUNT: DEPLOYED_OK.TASKS_SERVICE_ACCOUNT });
  });

  it("keeps the friendly defaults on the emulator", () => {
    const c = loadConfig({ FUNCTIONS_EMULATOR: "true" });
    expect(c).toMatchObject({ EMULATED: true, DISPATCH_MODE: "tasks-emulator", STORAGE_BACKEND: "local", RUNNER_URL: "http://127.0.0.1:8090" });
  });
});
