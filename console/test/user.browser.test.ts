// A user in the console, in headless Chromium against the phase-2 stack (Hosting → functions →
// Tasks emulator → runner → fake ComfyUI): generate and watch it finish, the ledger, the 402.
import type { Page } from "playwright-core";
import { createTestUser, ledgerState } from "../../test-support/emulator";
import { screenshot, signInAs, startBrowser, type Harness } from "./browser";
import { startRunnerStack, type RunnerStack } from "./runner-stack";

let h: Harness;
let stack: RunnerStack;

beforeAll(async () => {
  stack = await startRunnerStack();
  h = await startBrowser();
});
afterAll(async () => {
  await h?.close();
  await stack?.stop();
});
// Each test answers for its own requests and errors (splice empties the lists).
afterEach(() => {
  expect(h.offsite.splice(0)).toEqual([]);
  expect(h.pageErrors.splice(0)).toEqual([]);
});

const balance = (page: Page) => page.getByTestId("balance");

async function chooseCatalog(page: Page, o: { model: string; size: string; numImages: number; prompt: string }) {
  await page.getByTestId("price").waitFor();
  await page.locator("select[name=model]").selectOption(o.model);
  await page.locator("select[name=size]").selectOption(o.size);
  await page.locator("input[name=numImages]").fill(String(o.numImages));
  await page.getByLabel("Prompt", { exact: true }).fill(o.prompt);
}

describe("console: a user", () => {
  it("signs in, generates, watches the request reach succeeded with a thumbnail, and sees the debit in the ledger", async () => {
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
    const tile = page.locator(`[data-testid=tile][data-id="${id}"][data-status=succeeded] img`);
    await tile.waitFor();
    await page.waitForFunction(`document.querySelector('[data-id="${id}"] img')?.naturalWidth > 0`);
    await screenshot(page, "gallery");

    await page.goto(`${h.baseUrl}/#/credits`);
    const debit = page.locator("[data-testid=ledger] tr[data-type=debit]");
    await debit.waitFor();
    await expect(debit.locator("td.num").first().textContent()).resolves.toBe("-1");
    await page.getByTestId("ledger-balance").getByText("4 credits").waitFor();
    await balance(page).getByText("4 credits").waitFor();
    await screenshot(page, "credits");
    const state = await ledgerState(u.uid);
    expect(state).toMatchObject({ credits: 4, ledgerSum: 4 });
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
