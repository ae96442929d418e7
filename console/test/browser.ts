// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (no browser download), throwaway HOME/XDG folders (Chromium's crashpad needs writable ones),
// and a route guard that aborts and records every request to a host off this machine.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(__dirname, "..", "..", ".data", "screenshots");
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export interface Harness {
  browser: Browser;
  baseUrl: string;
  /** Requests the guard refused: anything not on loopback. Tests assert it stays empty. */
  offsite: string[];
  /** Uncaught page errors, which tests assert stay empty too. */
  pageErrors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** The Hosting emulator's real address, from the hub (it moves to the next free port if its own is busy). */
export async function hostingUrl(): Promise<string> {
  const hub = process.env.FIREBASE_EMULATOR_HUB;
  if (!hub) throw new Error("FIREBASE_EMULATOR_HUB is not set: run browser tests through `npm test` (phase 2 starts Hosting)");
  const list = (await (await fetch(`http://${hub}/emulators`)).json()) as Record<string, { host: string; port: number }>;
  if (!list.hosting) throw new Error("the Hosting emulator is not running in this stack");
  return `http://${list.hosting.host}:${list.hosting.port}`;
}

export async function startBrowser(): Promise<Harness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "imagegen-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache"), XDG_DATA_HOME: path.join(home, ".local") },
  });
  const harness: Harness = {
    browser, baseUrl: await hostingUrl(), offsite: [], pageErrors: [],
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, permissions: ["clipboard-read", "clipboard-write"] });
      // Emulated functions start a worker on first call (seconds on 2 cores): waits are on
      // page conditions, bounded by this.
      context.setDefaultTimeout(60_000);
      await guard(context, harness);
      const page = await context.newPage();
      page.on("pageerror", (e) => harness.pageErrors.push(e.message));
      return page;
    },
    async close() {
      await browser.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
  return harness;
}

async function guard(context: BrowserContext, h: Harness) {
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || LOOPBACK.has(url.hostname)) return route.continue();
    h.offsite.push(url.href);
    return route.abort("blockedbyclient");
  });
}

/**
 * One browser for a test file: started before its tests, closed after them, and after each test
 * no request left loopback and no page threw (splice empties the lists, so each test answers
 * for its own). `use` receives the harness once it is up.
 */
export function browserPerFile(use: (h: Harness) => void): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startBrowser();
    use(h);
  });
  afterAll(async () => h?.close());
  afterEach(() => {
    expect(h!.offsite.splice(0)).toEqual([]);
    expect(h!.pageErrors.splice(0)).toEqual([]);
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the console's own form, as a person would. */
export async function signInAs(page: Page, baseUrl: string, email: string, password = "password123") {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}
