// A user in the console, in headless Chromium against the phase-2 stack (Hosting → functions →
// Tasks emulator → runner → fake ComfyUI): generate and watch it finish, the ledger, the 402.
import type { Page } from "playwright-core";
import { callFunction, createTestUser, db, ledgerState } from "../../test-support/emulator";
import { until } from "../../test-support/wait";
import { browserPerFile, screenshot, signInAs, type Harness } from "./browser";
import { startRunnerStack, type RunnerStack } from "./runner-stack";

let h: Harness;
let stack: RunnerStack;

beforeAll(async () => {
  stack = await startRunnerStack();
});
afterAll(async () => stack?.stop());
browserPerFile((harness) => (h = harness));

const balance = (page: Page) => page.getByTestId("balance");

async function chooseCatalog(page: Page, o: { model: string; size: string; numImages: number; prompt: string }) {
  await page.getByTestId("price").waitFor();
  await page.locator("select[name=model]").selectOption(o.model);
  await page.locator("select[name=size]").selectOption(o.size);
  await page.locator("input[name=numImages]").fill(String(o.numImages));
  await page.getByLabel("Prompt", { exact: true }).fill(o.prompt);
}

describe("console: a user", () => {
  it("signs in, generates, watches requests reach succeeded with thumbnails, and sees the debits in the ledger", async () => {
    const u = await createTestUser({ credits: 5, prefix: "web" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await balance(page).getByText("5 credits").waitFor();

    await chooseCatalog(page, { model: "A", size: "512x512", numImages: 1, prompt: "A cat in space" });
    await page.getByText("Price: 1 credit", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Generate" }).click();
    await page.waitForURL(/#\/requests\//);
    const id = decodeURIComponent(page.url().split("#/requests/")[1]);
    await page.getByTestId("request-status").getByText("succeeded").waitFor();
    await page.locator(".outputs img").first().waitFor();
    await expect(page.locator(".outputs a", { hasText: "Download" }).count()).resolves.toBe(1);

    await page.goto(`${h.baseUrl}/#/gallery`);
    await page.locator(`[data-testid=tile][data-id="${id}"][data-status=succeeded] img`).waitFor();
    // Two more from another client (the API): the open gallery picks them up live, no reload.
    const others = await Promise.all(["A lighthouse at dusk", "A fox in the snow"].map(async (prompt, i) =>
      (await callFunction("createGenerationRequest", { token: u.token, body: { model: "A", style: i ? "anime" : "scandinavian", color: "muted", size: "512x512", prompt } })).body.generationRequestId as string));
    for (const rid of [id, ...others]) await page.waitForFunction(`document.querySelector('[data-id="${rid}"][data-status="succeeded"] img')?.naturalWidth > 0`);
    await screenshot(page, "gallery");

    await page.goto(`${h.baseUrl}/#/credits`);
    const debits = page.locator("[data-testid=ledger] tr[data-type=debit]");
    await debits.nth(2).waitFor();
    await expect(debits.locator("td.num:nth-of-type(3)").allTextContents()).resolves.toEqual(["-1", "-1", "-1"]);
    await page.getByTestId("ledger-balance").getByText("2 credits").waitFor();
    await balance(page).getByText("2 credits").waitFor();
    await screenshot(page, "credits");
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 2, ledgerSum: 2 });
  });

  it("sees the queue position and ETA of a waiting request, and the live preview of a running one", async () => {
    const u = await createTestUser({ credits: 10, prefix: "webq" });
    // Held before its last step: the first job runs (its previews arrive), the runner's other
    // slot waits in ComfyUI's queue, and the rest stay queued behind them.
    stack.fake.engine.hold();
    try {
      const ids: string[] = [];
      for (const prompt of ["A held cat", "A second cat", "A third cat", "A fourth cat"]) {
        ids.push((await callFunction("createGenerationRequest", { token: u.token, body: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt } })).body.generationRequestId);
      }
      // Which one ComfyUI runs first is the Tasks emulator's order: ask Firestore, not the index.
      const withPreview = await until("a held job with a stored preview", async () => {
        const docs = await Promise.all(ids.map((id) => db().doc(`generationRequests/${id}`).get()));
        return docs.find((d) => d.get("preview.path"))?.id;
      }, 60_000, 200);
      const page = await h.newPage();
      await signInAs(page, h.baseUrl, u.email);
      await page.goto(`${h.baseUrl}/#/requests/${withPreview}`);
      await page.getByTestId("request-preview").waitFor();
      await page.getByTestId("request-queue").getByText(/Ready in about \d+ s/).waitFor();
      await screenshot(page, "request-running-preview");
      const waiting = (await Promise.all(ids.map((id) => db().doc(`generationRequests/${id}`).get()))).find((d) => d.get("status") === "queued");
      expect(waiting).toBeDefined(); // the runner takes two at a time: two of the four wait
      await page.goto(`${h.baseUrl}/#/requests/${waiting!.id}`);
      await page.getByTestId("request-queue").getByText(/Position in queue: \d+/).waitFor();
    } finally {
      stack.fake.engine.release();
    }
  });

  it("with too few credits sees the API's 402 message, and nothing is charged", async () => {
    const u = await createTestUser({ credits: 1, prefix: "web" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await chooseCatalog(page, { model: "B", size: "1024x1024", numImages: 4, prompt: "a palace" });
    await page.getByText("Price: 32 credits", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Generate" }).click();
    const alert = page.getByRole("alert");
    await alert.getByText("this request costs 32 credits; the balance is 1").waitFor();
    await expect(alert.textContent()).resolves.toContain("INSUFFICIENT_CREDITS");
    await screenshot(page, "insufficient-credits");
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 1, ledgerSum: 1 });
  });

  it("opens /docs from this host and 'try it out' calls the API through Hosting", async () => {
    const page = await h.newPage();
    await page.goto(`${h.baseUrl}/docs/`);
    const op = page.locator(".opblock").filter({ hasText: "/health" });
    await op.locator(".opblock-summary").click();
    await op.getByRole("button", { name: "Try it out" }).click();
    await op.getByRole("button", { name: "Execute" }).click();
    await op.locator(".live-responses-table .response-col_status").getByText("200").waitFor();
    await expect(op.locator(".live-responses-table .microlight").first().textContent()).resolves.toContain('"status": "ok"');
    await expect(page.locator(".opblock").count()).resolves.toBeGreaterThan(15);
    await screenshot(page, "docs");
  });
});
