// Pure pieces of `npm run doctor`: parsing env files, judging versions, comparing the functions'
// and the runner's settings. Every check returns lines `{status: ok|fail|skip, name, text, fix?}`.

export const line = (status, name, text, fix) => ({ status, name, text, ...(fix ? { fix } : {}) });

/** `KEY=value` lines as the Firebase CLI reads functions/.env files: comments, blank lines, quotes. */
export function parseDotenv(text) {
  const env = {};
  const errors = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const l = raw.trim();
    if (!l || l.startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(l);
    if (!m) {
      errors.push(`line ${i + 1}: expected KEY=value`);
      continue;
    }
    let v = m[2];
    const quoted = /^(["'])(.*)\1$/.exec(v);
    if (quoted) v = quoted[1] === '"' ? quoted[2].replace(/\\n/g, "\n").replace(/\\"/g, '"') : quoted[2];
    else v = v.replace(/\s+#.*$/, "");
    env[m[1]] = v;
  }
  return { env, errors };
}

/** The `ENV K=V ...` instructions of a Dockerfile (continuation lines joined): the image's defaults. */
export function parseDockerfileEnv(text) {
  const joined = text.replace(/\\\r?\n/g, " ");
  const env = {};
  for (const l of joined.split(/\r?\n/)) {
    const m = /^\s*ENV\s+(.*)$/i.exec(l);
    if (!m) continue;
    for (const pair of m[1].trim().split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^(["'])(.*)\1$/, "$2");
    }
  }
  return env;
}

const major = (v) => Number(/(\d+)/.exec(String(v))?.[1] ?? NaN);

export function checkNode(version, wanted = 20) {
  return major(version) >= wanted
    ? line("ok", "node", `${version} (>= ${wanted})`)
    : line("fail", "node", `${version} is older than ${wanted}`, `install Node ${wanted} or newer (nvm install ${wanted})`);
}

/**
 * `java -version` prints e.g. `openjdk version "17.0.15"` (or `"1.8.0_392"`) on stderr.
 * firebase-tools 14.19 and later refuse Java < 21, which is why the repo pins 14.18.
 */
export function checkJava(output, firebaseToolsVersion) {
  const m = /version "([^"]+)"/.exec(output ?? "");
  const fix17 = "install a JDK 17+ (Debian/Ubuntu: apt install openjdk-17-jre-headless) and put `java` on PATH";
  if (!m) return line("fail", "java", "no `java` on PATH (the Firestore and Pub/Sub emulators are Java)", fix17);
  const v = m[1].startsWith("1.") ? major(m[1].slice(2)) : major(m[1]);
  const [ftMajor, ftMinor] = String(firebaseToolsVersion ?? "0.0").split(".").map(Number);
  const needs = ftMajor > 14 || (ftMajor === 14 && ftMinor >= 19) ? 21 : 17;
  if (v < needs) {
    const fix = needs === 21 ? "run `npm ci` (restores firebase-tools 14.18, which runs on Java 17) or install Java 21" : fix17;
    return line("fail", "java", `Java ${m[1]}; firebase-tools ${firebaseToolsVersion} needs ${needs}+`, fix);
  }
  return line("ok", "java", `Java ${m[1]} (firebase-tools ${firebaseToolsVersion} needs ${needs}+)`);
}

// Ports Node's fetch (undici) refuses to connect to, "bad ports" of the WHATWG Fetch standard:
// e.g. IMAGEGEN_PORT_OFFSET=2000 puts the Firestore emulator on 10080, and every fetch-based
// client (rules-unit-testing, the tests' helpers) then fails with "fetch failed: bad port".
export const FETCH_BLOCKED_PORTS = new Set([1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080]);

/**
 * Ports that answered `in use` (`busy` holds their names) or that fetch refuses, or one ok line.
 * `stack` ({emulators: names}) is this checkout's own running stack when its hub and functions
 * answer on these ports: then the ports are in use as they should be (`npm run dev` is up).
 */
export function checkPorts(all, busy, offset, stack = null) {
  const list = Object.entries(all).map(([k, p]) => `${k} ${p}`).join(", ");
  const next = (Number(offset) || 0) + 1000;
  const blocked = Object.entries(all).filter(([, p]) => FETCH_BLOCKED_PORTS.has(p)).map(([k, p]) => `${k} ${p}`);
  if (blocked.length) return line("fail", "ports", `Node's fetch refuses ${blocked.join(", ")} (a "bad port" of the Fetch standard)`, `choose another offset, e.g. IMAGEGEN_PORT_OFFSET=${next}`);
  if (busy.length === 0) return line("ok", "ports", `free: ${list}`);
  if (stack) return line("ok", "ports", `in use by this project's running emulator stack (${stack.emulators.join(", ")}; functions /health answers)`);
  const taken = busy.map((k) => `${k} ${all[k]}`).join(", ");
  return line("fail", "ports", `in use: ${taken}`, `stop the other stack (npm run dev, a test run) or pick free ports with IMAGEGEN_PORT_OFFSET=${next}`);
}

/**
 * Settings both sides must agree on, given the two configurations as their loadConfig returned
 * them. Emulator: the dev secret and the signing key; deployed: the OIDC audience and account.
 */
export function crossCheck(fn, runner) {
  const out = [];
  const same = (name, a, b, what, fix) => out.push(a === b ? line("ok", "agree", `${what}: both sides use the same value`) : line("fail", "agree", `${what} differ (${name})`, fix));
  if (runner.RUNNER_AUTH_MODE === "shared-secret") {
    if (fn.DISPATCH_MODE === "cloud-tasks") out.push(line("fail", "agree", "the runner expects X-Runner-Token, but Cloud Tasks dispatch sends an OIDC token", "set RUNNER_AUTH_MODE=oidc on the runner (with OIDC_AUDIENCE and OIDC_SERVICE_ACCOUNT)"));
    else same("RUNNER_SHARED_SECRET", fn.RUNNER_SHARED_SECRET, runner.RUNNER_SHARED_SECRET, "task secret", "set the same RUNNER_SHARED_SECRET for the functions and the runner");
  } else {
    same("runner OIDC_AUDIENCE vs functions RUNNER_AUDIENCE or RUNNER_URL", runner.OIDC_AUDIENCE, fn.RUNNER_AUDIENCE ?? fn.RUNNER_URL, "OIDC audience", "set the runner's OIDC_AUDIENCE to the functions' RUNNER_AUDIENCE (or RUNNER_URL)");
    same("runner OIDC_SERVICE_ACCOUNT vs functions TASKS_SERVICE_ACCOUNT", runner.OIDC_SERVICE_ACCOUNT, fn.TASKS_SERVICE_ACCOUNT, "OIDC service account", "set the runner's OIDC_SERVICE_ACCOUNT to the functions' TASKS_SERVICE_ACCOUNT");
  }
  if (fn.STORAGE_BACKEND !== runner.STORAGE_BACKEND) out.push(line("fail", "agree", `storage backends differ (functions ${fn.STORAGE_BACKEND}, runner ${runner.STORAGE_BACKEND})`, "use one STORAGE_BACKEND on both sides: the runner reads the input images the functions store"));
  else if (runner.STORAGE_BACKEND === "local") same("LOCAL_STORAGE_SIGNING_SECRET", fn.LOCAL_STORAGE_SIGNING_SECRET, runner.LOCAL_STORAGE_SIGNING_SECRET, "download URL signing key", "set the same LOCAL_STORAGE_SIGNING_SECRET on both sides");
  else if (fn.STORAGE_BUCKET && fn.STORAGE_BUCKET !== runner.STORAGE_BUCKET) out.push(line("fail", "agree", `buckets differ (functions ${fn.STORAGE_BUCKET}, runner ${runner.STORAGE_BUCKET})`, "set the same STORAGE_BUCKET on both sides"));
  return out;
}

/** One line each for the runner's auth and storage, as its configuration resolved them. */
export function describeRunner(c) {
  const where = c.PRODUCTION ? "production mode" : "development mode";
  const auth = c.RUNNER_AUTH_MODE === "oidc"
    ? `oidc: tokens for ${c.OIDC_AUDIENCE} from ${c.OIDC_SERVICE_ACCOUNT} only`
    : `shared-secret (X-Runner-Token${c.RUNNER_SHARED_SECRET === "dev-runner-secret" ? ", the public dev default" : ""}) on ${c.HOST}:${c.PORT}`;
  const storage = c.STORAGE_BACKEND === "gcs" ? `gcs bucket ${c.STORAGE_BUCKET}` : `local folder ${c.LOCAL_STORAGE_DIR}, /files signed with ${c.LOCAL_STORAGE_SIGNING_SECRET === "dev-storage-secret" ? "the public dev key" : "a private key"}`;
  return [line("ok", "runner auth", `${auth} (${where})`), line("ok", "runner storage", storage)];
}

export const SYMBOL = { ok: "ok  ", fail: "FAIL", skip: "skip" };

export function formatLine(l) {
  return `${SYMBOL[l.status]}  ${l.name.padEnd(16)} ${l.text}${l.fix ? `\n${" ".repeat(22)}fix: ${l.fix}` : ""}`;
}
