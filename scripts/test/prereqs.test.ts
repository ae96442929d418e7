import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkChromium, checkTool, provisionPlan, stopMessage } from "../lib/doctor/prereqs.mjs";
import { line } from "../lib/doctor/checks.mjs";

const repoRoot = path.resolve(__dirname, "..", "..");
const java = line("fail", "java", "no `java` on PATH", "apt install openjdk-17-jre-headless");
const chromium = line("fail", "chromium", "no Chromium at /usr/bin/chromium", "apt-get install -y chromium");
const ports = line("fail", "ports", "in use: firestore 8080", "IMAGEGEN_PORT_OFFSET=1000");

describe("prerequisites of npm test and npm run dev", () => {
  it("reads Chromium's version line, and names the fix for a missing or wrong CHROMIUM_PATH", () => {
    expect(checkChromium("/usr/bin/chromium", "Chromium 156.0.8078.73 built on Debian GNU/Linux 12 (bookworm)\n")).toMatchObject({ status: "ok", text: "/usr/bin/chromium: Chromium 156.0.8078.73" });
    expect(checkChromium("/usr/bin/chromium", null)).toMatchObject({ status: "fail", fix: expect.stringMatching(/apt-get install -y chromium/) });
    expect(checkChromium("/opt/none", null)).toMatchObject({ status: "fail", fix: expect.stringMatching(/CHROMIUM_PATH .*\/opt\/none/) });
  });

  it("installs Java and Debian's Chromium only where it may, and never a browser the user pointed elsewhere", () => {
    const lines = [line("ok", "node", "v20"), java, chromium, ports];
    expect(provisionPlan(lines, { canInstall: true, noInstall: false, chromiumOverride: false })).toEqual({
      packages: ["openjdk-17-jre-headless", "chromium", "fonts-liberation"],
      installs: ["java", "chromium"],
      blocking: [ports],
    });
    expect(provisionPlan(lines, { canInstall: true, noInstall: false, chromiumOverride: true })).toMatchObject({ installs: ["java"], blocking: [chromium, ports] });
    expect(provisionPlan(lines, { canInstall: true, noInstall: true, chromiumOverride: false })).toMatchObject({ packages: [], blocking: [java, chromium, ports] });
    expect(provisionPlan(lines, { canInstall: false, noInstall: false, chromiumOverride: false })).toMatchObject({ packages: [], blocking: [java, chromium, ports] });
  });

  it("checks the examples' tools and installs a missing one with apt where it may", () => {
    expect(checkTool("jq", "/usr/bin/jq")).toMatchObject({ status: "ok", name: "jq" });
    const jq = checkTool("jq", null);
    expect(jq).toMatchObject({ status: "fail", fix: "apt-get install -y jq (as root)" });
    expect(provisionPlan([jq], { canInstall: true, noInstall: false, chromiumOverride: false })).toEqual({ packages: ["jq"], installs: ["jq"], blocking: [] });
    expect(provisionPlan([jq], { canInstall: false, noInstall: false, chromiumOverride: false })).toMatchObject({ packages: [], blocking: [jq] });
  });

  it("stops with every missing piece and its fix", () => {
    const msg = stopMessage("npm test", [java, ports]);
    expect(msg.split("\n")[0]).toBe("npm test stopped before starting: 2 prerequisite(s) missing");
    expect(msg).toContain("fix: apt install openjdk-17-jre-headless");
    expect(msg).toContain("fix: IMAGEGEN_PORT_OFFSET=1000");
  });

  it("`npm test` on a machine without Java or Chromium stops before building anything, with the commands", () => {
    // A PATH with node alone (no java, no apt-get, so nothing may be installed) and a Chromium
    // path that does not exist: the acceptance case of a bare machine.
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), "bare-path-"));
    fs.symlinkSync(process.execPath, path.join(bare, "node"));
    const res = spawnSync(process.execPath, [path.join(repoRoot, "scripts", "test.mjs"), "console/test"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 60_000,
      // All phases, so the browser files under console/test make Chromium a prerequisite.
      env: { ...process.env, PATH: bare, CHROMIUM_PATH: path.join(bare, "no-chromium"), IMAGEGEN_TEST_PHASES: "all" },
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("npm test stopped before starting");
    expect(res.stderr).toMatch(/java: no `java` on PATH[\s\S]*fix: install a JDK 17\+/);
    expect(res.stderr).toMatch(/chromium: no Chromium at .*no-chromium[\s\S]*fix: point CHROMIUM_PATH/);
    expect(res.stdout).not.toContain("type-checking");
  });
});
