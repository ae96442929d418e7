import fs from "node:fs";
import path from "node:path";
import { checkJava, checkNode, checkPorts, crossCheck, formatLine, parseDockerfileEnv, parseDotenv } from "../lib/doctor/checks.mjs";

const repoRoot = path.resolve(__dirname, "..", "..");
const status = (ls: { status: string }[]) => ls.map((l) => l.status);

describe("doctor: pure checks", () => {
  it("reads functions/.env files the way the Firebase CLI does: comments, quotes, bad lines reported", () => {
    const { env, errors } = parseDotenv('# comment\nA=1\n\nB="two words"\nC=\'x # y\'\nD=plain # note\nnot a line\nE=\n');
    expect(env).toEqual({ A: "1", B: "two words", C: "x # y", D: "plain", E: "" });
    expect(errors).toEqual(["line 7: expected KEY=value"]);
  });

  it("reads the image's defaults from the runner's own Dockerfile", () => {
    const env = parseDockerfileEnv(fs.readFileSync(path.join(repoRoot, "gpu-runner", "Dockerfile"), "utf8"));
    expect(env).toMatchObject({ NODE_ENV: "production", COMFY_BASE_DIR: "/opt/ComfyUI", RUNNER_AUTH_MODE: "oidc", PORT: "8090" });
    expect(env).not.toHaveProperty("OIDC_SERVICE_ACCOUNT");
  });

  it("judges Node and Java versions, with the firebase-tools pin in mind", () => {
    expect(checkNode("v20.20.2").status).toBe("ok");
    expect(checkNode("v18.19.0")).toMatchObject({ status: "fail", fix: expect.stringMatching(/Node 20/) });
    expect(checkJava('openjdk version "17.0.15" 2025-04-15', "14.18.0").status).toBe("ok");
    expect(checkJava('openjdk version "17.0.15"', "14.19.1")).toMatchObject({ status: "fail", text: expect.stringMatching(/needs 21\+/), fix: expect.stringMatching(/npm ci/) });
    expect(checkJava('java version "1.8.0_392"', "14.18.0").status).toBe("fail");
    expect(checkJava(null, "14.18.0")).toMatchObject({ status: "fail", text: expect.stringMatching(/no `java`/) });
  });

  it("names the taken ports and suggests the next offset", () => {
    expect(checkPorts({ firestore: 8080, auth: 9099 }, [], 0).status).toBe("ok");
    expect(checkPorts({ firestore: 11080, auth: 12099 }, ["firestore"], 3000)).toMatchObject({ status: "fail", text: "in use: firestore 11080", fix: expect.stringMatching(/IMAGEGEN_PORT_OFFSET=4000/) });
    // The same ports held by this project's own stack (npm run dev is up): that is not a problem.
    expect(checkPorts({ firestore: 11080, auth: 12099 }, ["firestore", "auth"], 3000, { emulators: ["auth", "firestore"] })).toMatchObject({ status: "ok", text: expect.stringMatching(/running emulator stack \(auth, firestore;/) });
  });

  it("refuses an offset that puts a port on fetch's blocked list (2000: Firestore on 10080)", async () => {
    expect(checkPorts({ firestore: 10080, auth: 11099 }, [], 2000)).toMatchObject({ status: "fail", text: 'Node\'s fetch refuses firestore 10080 (a "bad port" of the Fetch standard)', fix: expect.stringMatching(/IMAGEGEN_PORT_OFFSET=3000/) });
    await expect(fetch("http://127.0.0.1:10080/")).rejects.toMatchObject({ cause: expect.objectContaining({ message: "bad port" }) });
  });

  it("cross-checks what the functions send against what the runner accepts", () => {
    const fnDev = { DISPATCH_MODE: "tasks-emulator", RUNNER_SHARED_SECRET: "dev-runner-secret", STORAGE_BACKEND: "local", LOCAL_STORAGE_SIGNING_SECRET: "dev-storage-secret" };
    const runnerDev = { RUNNER_AUTH_MODE: "shared-secret", RUNNER_SHARED_SECRET: "dev-runner-secret", STORAGE_BACKEND: "local", LOCAL_STORAGE_SIGNING_SECRET: "dev-storage-secret" };
    expect(status(crossCheck(fnDev, runnerDev))).toEqual(["ok", "ok"]);
    expect(crossCheck(fnDev, { ...runnerDev, RUNNER_SHARED_SECRET: "other-secret" })[0]).toMatchObject({ status: "fail", text: "task secret differ (RUNNER_SHARED_SECRET)" });
    const fnProd = { DISPATCH_MODE: "cloud-tasks", RUNNER_URL: "https://r.run.app", TASKS_SERVICE_ACCOUNT: "tasks@p.iam.gserviceaccount.com", STORAGE_BACKEND: "gcs", STORAGE_BUCKET: "b" };
    const runnerProd = { RUNNER_AUTH_MODE: "oidc", OIDC_AUDIENCE: "https://r.run.app", OIDC_SERVICE_ACCOUNT: "tasks@p.iam.gserviceaccount.com", STORAGE_BACKEND: "gcs", STORAGE_BUCKET: "b" };
    expect(status(crossCheck(fnProd, runnerProd))).toEqual(["ok", "ok"]);
    expect(crossCheck(fnProd, { ...runnerProd, OIDC_SERVICE_ACCOUNT: "x@p.iam.gserviceaccount.com", STORAGE_BUCKET: "c" }).filter((l: { status: string }) => l.status === "fail").map((l: { text: string }) => l.text))
      .toEqual(["OIDC service account differ (runner OIDC_SERVICE_ACCOUNT vs functions TASKS_SERVICE_ACCOUNT)", "buckets differ (functions b, runner c)"]);
    expect(crossCheck(fnProd, { ...runnerDev, STORAGE_BACKEND: "gcs", STORAGE_BUCKET: "b" })[0].text).toMatch(/Cloud Tasks dispatch sends an OIDC token/);
  });

  it("prints each line with its status and, on failure, the fix", () => {
    expect(formatLine({ status: "fail", name: "java", text: "missing", fix: "install it" })).toBe("FAIL  java             missing\n                      fix: install it");
    expect(formatLine({ status: "ok", name: "node", text: "v20" })).toBe("ok    node             v20");
  });
});
