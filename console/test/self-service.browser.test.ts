// Self-service in the console, in headless Chromium against the phase-2 stack with the Stripe
// stand-in: buy a pack (the balance rises once, even when the webhook comes twice), subscribe and
// cancel through the portal page, make an API key, use it from here and revoke it, read usage.
import type { Page } from "playwright-core";
import { createTestUser, functionsUrl, ledgerState, signIn } from "../../test-support/emulator";
import { seedBilling } from "../../functions/test/billing/helpers";
import fs from "node:fs";
import { browserPerFile, screenshot, signInAs, type Harness } from "./browser";
import { startRunnerStack, type RunnerStack } from "./runner-stack";

let h: Harness;
browserPerFile((harness) => (h = harness));
beforeAll(seedBilling);

const balance = (page: Page) => page.getByTestId("balance");

async function payOnStandIn(page: Page) {
  await page.waitForURL(/\/checkout\/cs_test_standin_/);
  await page.getByText("Local Stripe stand-in").waitFor();
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(/checkout=success#\/buy/);
}

describe("console: self-service", () => {
  it("buys a pack through the stand-in's checkout; the balance rises once although the webhook comes twice", async () => {
    const u = await createTestUser({ credits: 0, prefix: "selfbuy" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await page.goto(`${h.baseUrl}/#/buy`);
    await page.locator("button[data-pack=pack-100]").click();
    const session = (await page.waitForURL(/\/checkout\//), new URL(page.url()));
    await payOnStandIn(page);
    await balance(page).getByText("100 credits").waitFor();
    const again = await fetch(`${session.origin}/__stand-in/redeliver/${session.pathname.split("/").pop()}`, { method: "POST" });
    expect(again.status).toBe(200);
    await page.reload();
    await balance(page).getByText("100 credits").waitFor();
    await page.getByTestId("grants").getByText("pack").waitFor();
    await screenshot(page, "buy");
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 100, ledgerSum: 100 });
  });

  it("subscribes to a plan, then cancels it on the portal page", async () => {
    const u = await createTestUser({ credits: 0, prefix: "selfplan" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await page.goto(`${h.baseUrl}/#/buy`);
    await page.locator("button[data-plan=creator]").click();
    await payOnStandIn(page);
    await balance(page).getByText("200 credits").waitFor();
    await page.reload();
    await page.getByTestId("current-plan").getByText("creator").waitFor();
    await page.getByTestId("manage-plan").click();
    await page.waitForURL(/\/portal\//);
    await page.getByRole("button", { name: "Cancel plan" }).click();
    await page.waitForURL(/portal=return#\/buy/);
    await page.getByTestId("current-plan").getByText("(cancelling)").waitFor();
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 200, ledgerSum: 200 });
  });

  it("creates an API key shown once, uses it from the test, revokes it, and sees the usage by key", async () => {
    const u = await createTestUser({ credits: 3, prefix: "selfkey" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, u.email);
    await page.goto(`${h.baseUrl}/#/keys`);
    await page.locator("input[name=keyName]").fill("from the test");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-key").textContent())!.trim();
    const use = () => fetch(functionsUrl("createGenerationRequest"), {
      method: "POST", headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "a key at work" }),
    });
    expect((await use()).status).toBe(201);
    await screenshot(page, "api-keys");
    await page.getByRole("button", { name: "I have stored it" }).click();
    await page.getByRole("button", { name: "Revoke" }).click();
    await page.getByTestId("key-state").getByText("revoked").waitFor();
    const refused = await use();
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([401, "API_KEY_REVOKED"]);

    await page.goto(`${h.baseUrl}/#/usage`);
    await page.getByTestId("usage-chart").waitFor();
    const keyId = key.split("_")[2];
    await page.getByTestId("usage-by-key").getByText(keyId).waitFor();
    await screenshot(page, "usage");
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 2, ledgerSum: 2 });
  });

  describe("with a runner", () => {
    let stack: RunnerStack;
    beforeAll(async () => {
      stack = await startRunnerStack();
    });
    afterAll(async () => stack?.stop());

    it("deletes a finished request and its image is gone; downloads the export; closes the account and cannot sign in again", async () => {
      const u = await createTestUser({ credits: 2, prefix: "selfacct" });
      const made = await fetch(functionsUrl("createGenerationRequest"), {
        method: "POST", headers: { authorization: `Bearer ${u.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "to be deleted" }),
      });
      const id = ((await made.json()) as { generationRequestId: string }).generationRequestId;
      const page = await h.newPage();
      await signInAs(page, h.baseUrl, u.email);
      await page.goto(`${h.baseUrl}/#/requests/${encodeURIComponent(id)}`);
      await page.getByTestId("request-status").getByText("succeeded").waitFor();
      const image = (await page.locator(".outputs img").first().getAttribute("src"))!;
      expect((await fetch(image)).status).toBe(200);
      await page.getByRole("button", { name: "Delete request and images" }).click();
      await page.getByTestId("deleted").waitFor();
      await expect(page.locator(".outputs img").count()).resolves.toBe(0);
      expect((await fetch(image)).status).not.toBe(200);

      await page.goto(`${h.baseUrl}/#/account`);
      await page.getByTestId("webhook-secret").getByText("whsec_").waitFor();
      const download = page.waitForEvent("download");
      await page.getByTestId("export").click();
      const exported = JSON.parse(fs.readFileSync((await (await download).path())!, "utf8")) as { profile: { userId: string } | null; requests: { id: string }[] }[];
      expect(exported[0].profile?.userId).toBe(u.uid);
      expect(exported.flatMap((p) => p.requests.map((r) => r.id))).toContain(id);
      await screenshot(page, "account");

      await page.locator("input[name=closePassword]").fill("password123");
      await page.getByRole("button", { name: "Close my account" }).click();
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await page.getByLabel("Email").fill(u.email);
      await page.getByLabel("Password").fill("password123");
      await page.getByRole("button", { name: "Sign in" }).click();
      // Refused (the erasure disabled the account): the form stays, with the reason.
      await page.getByRole("alert").waitFor();
      await expect(page.getByRole("button", { name: "Sign out" }).count()).resolves.toBe(0);
      await expect(signIn(u.email)).rejects.toThrow();
      const state = await ledgerState(u.uid);
      expect(state.credits).toBe(state.ledgerSum);
    });
  });
});
