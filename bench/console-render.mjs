#!/usr/bin/env node
// Time to first render of the web console against a running `npm run dev` (not part of the
// `npm run bench` suite, whose stacks have no Hosting emulator):
//   node bench/console-render.mjs [http://127.0.0.1:5000] [runs=5]
// Each run is a fresh browser context (cold cache): navigation start → the sign-in form is
// visible (first render), then → the generate form after signing in as user1 (first signed-in
// render). Figures come from the page's own clock; the script asserts nothing.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { summarize } from "./lib/stats.mjs";

const base = process.argv[2] || `http://127.0.0.1:${5000 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0)}`;
const runs = Number(process.argv[3] || 5);
const home = fs.mkdtempSync(path.join(os.tmpdir(), "imagegen-chromium-"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home },
});
const first = [];
const signedIn = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel("Email").waitFor();
  first.push(await page.evaluate(() => performance.now()));
  await page.getByLabel("Email").fill("user1@example.com");
  await page.getByLabel("Password").fill("password123");
  const t0 = await page.evaluate(() => performance.now());
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("price").waitFor();
  signedIn.push((await page.evaluate(() => performance.now())) - t0);
  await context.close();
}
await browser.close();
fs.rmSync(home, { recursive: true, force: true });
const show = (xs) => { const s = summarize(xs); return `median ${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)})`; };
console.log(`console at ${base}, ${runs} cold runs`);
console.log(`  navigation → sign-in form rendered: ${show(first)}`);
console.log(`  sign-in click → generate form with catalog and price: ${show(signedIn)}`);
