// Custom models and image-to-image in the console, in headless Chromium against the phase-2
// stack with a runner and the fake ComfyUI: photos go from the page to the signed PUT URLs with
// per-file progress, the model trains to ready (watched live), a generation uses it at a chosen
// strength; a model queued while no runner answers is cancelled and refunded; an uploaded photo
// feeds an image-to-image request.
import http from "node:http";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { createTestUser, db, ledgerState } from "../../test-support/emulator";
import { browserPerFile, screenshot, signInAs, type Harness } from "./browser";
import { startRunnerStack, type RunnerStack } from "./runner-stack";

let h: Harness;
browserPerFile((harness) => (h = harness));
let stack: RunnerStack;
beforeAll(async () => {
  stack = await startRunnerStack();
});
afterAll(async () => stack?.stop());

/** Real JPEGs, each a different colour (the API refuses duplicate photos). */
const jpegs = (n: number, from = 0) => Promise.all(Array.from({ length: n }, async (_, i) => ({
  name: `photo-${from + i}.jpg`, mimeType: "image/jpeg",
  buffer: await sharp({ create: { width: 128, height: 128, channels: 3, background: { r: ((from + i) * 37) % 256, g: ((from + i) * 91) % 256, b: ((from + i) * 53 + 7) % 256 } } }).jpeg().toBuffer(),
})));

const row = (page: Page, status: string) => page.locator(`[data-testid=custom-model][data-status=${status}]`);

async function startTraining(page: Page, name: string, from: number, triggerWord = "") {
  await page.locator("input[name=modelName]").fill(name);
  await page.locator("input[name=triggerWord]").fill(triggerWord);
  await page.locator("input[name=photos]").setInputFiles(await jpegs(10, from));
  await page.getByRole("button", { name: "Upload and train" }).click();
}

/** The request id from the page the form lands on, once it shows `succeeded`. */
async function succeededRequest(page: Page): Promise<string> {
  await page.waitForURL(/#\/requests\//);
  await page.getByTestId("request-status").getByText("succeeded").waitFor();
  return decodeURIComponent(page.url().split("#/requests/")[1]);
}

/**
 * A runner that takes no tasks (503, as one at capacity answers) but still serves its file
 * routes: the photos upload, the training task is refused and retried later, so the model stays
 * queued for as long as the test needs.
 */
async function startTaskRefuser(runnerUrl: string) {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/tasks/")) return void res.writeHead(503).end("busy");
    const upstream = http.request(new URL(req.url ?? "/", runnerUrl), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe("console: custom models and image-to-image", () => {
  it("trains a model from 10 uploaded photos and generates with it at a chosen strength", async () => {
    const u = await createTestUser({ credits: 20, prefix: "cmui" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await page.locator("a[href='#/models']").click();
    await startTraining(page, "Me", 0, "ohwxui");
    await row(page, "ready").waitFor({ timeout: 120_000 });
    await expect(page.getByTestId("photo-progress").locator("li[data-done=yes]").count()).resolves.toBe(10);
    await screenshot(page, "custom-models");
    const modelId = (await row(page, "ready").getAttribute("data-id"))!;

    await page.locator("a[href='#/generate']").click();
    await page.locator("select[name=customModelId]").selectOption(modelId);
    await page.locator("input[name=loraStrength]").evaluate((el) => {
      (el as { value: string }).value = "1.25";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.getByText("Strength 1.25").waitFor();
    await page.locator("textarea[name=prompt]").fill("a portrait");
    await page.getByRole("button", { name: "Generate" }).click();
    const requestId = await succeededRequest(page);
    const request = (await db().doc(`generationRequests/${requestId}`).get()).data()!;
    expect(request.customModelId).toBe(modelId);
    expect(request.render.lora.strength).toBe(1.25);
    expect(request.render.positivePrompt).toContain("ohwxui");
    // One training debit of 5 and one image of 1; nothing refunded.
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 14, ledgerSum: 14 });

    await page.goto(`${h.baseUrl}/#/models`);
    await row(page, "ready").getByRole("button", { name: "Delete" }).click();
    await page.getByText("No custom models yet.").waitFor();
  });

  it("cancels a model still queued (no runner answers) and gets the credits back", async () => {
    const u = await createTestUser({ credits: 10, prefix: "cmcancel" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    const backends = stack.front.backends;
    const busy = await startTaskRefuser(backends[0]);
    stack.front.backends = [busy.url];
    try {
      await page.goto(`${h.baseUrl}/#/models`);
      await startTraining(page, "Held", 20);
      await row(page, "queued").getByRole("button", { name: "Cancel" }).click();
      await row(page, "cancelled").waitFor();
    } finally {
      stack.front.backends = backends;
      await busy.close();
    }
    await page.getByTestId("balance").getByText("10 credits").waitFor();
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 10, ledgerSum: 10 });
  });

  it("generates image-to-image from an uploaded photo", async () => {
    const u = await createTestUser({ credits: 5, prefix: "cmi2i" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await page.goto(`${h.baseUrl}/#/generate`);
    await page.locator("select[name=model]").selectOption("staging");
    await page.locator("input[name=inputPhoto]").setInputFiles((await jpegs(1, 40))[0]);
    await page.locator("[data-testid=input-photo][data-uploaded=yes]").waitFor();
    await page.locator("textarea[name=prompt]").fill("a furnished room");
    await page.getByRole("button", { name: "Generate" }).click();
    const requestId = await succeededRequest(page);
    const request = (await db().doc(`generationRequests/${requestId}`).get()).data()!;
    expect(request.inputImage.path).toMatch(new RegExp(`^inputs/${u.uid}/`));
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 3, ledgerSum: 3 });
  });
});
