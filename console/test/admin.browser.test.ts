// An admin in the console, in headless Chromium against the phase-2 stack: users, grants seen
// live by the user, an API key shown once and revoked, the weekly report with its chart.
import { callFunction, createTestUser, db } from "../../test-support/emulator";
import { lastCompleteIsoWeek, parseIsoWeek, shiftIsoWeek } from "../../functions/src/shared/isoWeek";
import { planRequests, seedHistory } from "../../test-support/seed-history";
import { browserPerFile, screenshot, signInAs, type Harness } from "./browser";

let h: Harness;
browserPerFile((harness) => (h = harness));

async function adminOn(path: string) {
  const admin = await createTestUser({ credits: 0, role: "admin", prefix: "webadmin" });
  const page = await h.newPage();
  await signInAs(page, h.baseUrl, admin.email);
  await page.goto(`${h.baseUrl}/#/${path}`);
  return page;
}

describe("console: an admin", () => {
  it("finds a user, grants credits, and the user's own console shows the new balance", async () => {
    const user = await createTestUser({ credits: 2, prefix: "web" });
    const userPage = await h.newPage();
    await signInAs(userPage, h.baseUrl, user.email);
    await userPage.getByTestId("balance").getByText("2 credits").waitFor();

    const page = await adminOn("admin/users");
    await page.locator("[data-testid=users] tr[data-user]").first().waitFor();
    await screenshot(page, "admin-users");
    await page.getByLabel("Search").fill(user.email);
    const row = page.locator(`[data-testid=users] tr[data-user="${user.uid}"]`);
    await expect(row.getByTestId("user-credits").textContent()).resolves.toBe("2");
    await row.getByRole("link").click();

    const form = page.getByTestId("grant-form");
    await form.getByLabel("Amount").fill("25");
    await form.getByLabel("Reason").fill("support ticket 4711");
    await form.getByRole("button", { name: "Grant" }).click();
    await form.getByText("granted 25; balance now 27").waitFor();
    await page.getByTestId("ledger-balance").getByText("27 credits").waitFor();
    // The user's console follows users/{uid} live: no reload.
    await userPage.getByTestId("balance").getByText("27 credits").waitFor();
    await screenshot(page, "admin-user");
  });

  it("creates an API key, sees it once with a copy button, and revokes it", async () => {
    const user = await createTestUser({ credits: 3, prefix: "web" });
    const page = await adminOn(`admin/users/${user.uid}`);
    const form = page.getByTestId("key-form");
    await form.getByLabel("Name").fill("render farm");
    await form.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByTestId("new-key");
    await shown.waitFor();
    const key = (await shown.textContent())!;
    expect(key).toMatch(/^sk_test_[0-9a-f]{16}_/);
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    await page.getByRole("button", { name: "Copied", exact: true }).waitFor();
    await expect(page.evaluate("navigator.clipboard.readText()")).resolves.toBe(key);
    await expect(callFunction("getUserCredits", { apiKey: key })).resolves.toMatchObject({ status: 200, body: { currentCredits: 3 } });

    await page.getByRole("button", { name: "I have stored it" }).click();
    await page.reload();
    const keyRow = page.locator("[data-testid=keys] tr[data-key]", { hasText: "render farm" });
    await keyRow.getByTestId("key-state").getByText("active").waitFor();
    await expect(page.content()).resolves.not.toContain(key);

    await keyRow.getByRole("button", { name: "Revoke" }).click();
    await keyRow.getByTestId("key-state").getByText(/^revoked/).waitFor();
    await expect(callFunction("getUserCredits", { apiKey: key })).resolves.toMatchObject({ status: 401, body: { error: { code: "API_KEY_REVOKED" } } });
  });

  it("runs the weekly report and reads it: figures, the trend chart, the anomaly in words", async () => {
    const last = lastCompleteIsoWeek(new Date());
    const weeks = Array.from({ length: 12 }, (_, i) => shiftIsoWeek(last, i - 11));
    const uids = [`rpt_${Date.now().toString(36)}_a`, `rpt_${Date.now().toString(36)}_b`];
    // Steady weeks, then a spike from one user in the last complete week.
    const opening = parseIsoWeek(weeks[0]).start;
    await seedHistory(db(), planRequests(weeks, uids, weeks.map((_, i) => (i === 11 ? [45, 4] : [4 + (i % 2), 4]))),
      uids.map((userId) => ({ userId, week: weeks[0], amount: 1000, createdAt: opening })));

    const page = await adminOn("admin/reports");
    await page.getByRole("button", { name: "Run the report now" }).click();
    await page.getByRole("status").getByText(`Report ${last} written`).waitFor();
    const report = page.locator(`[data-testid=report][data-week="${last}"]`);
    await report.locator("[data-testid=trend-chart] svg rect").first().waitFor();
    await report.getByTestId("anomalies").getByText(/spike|above|baseline/i).first().waitFor();
    await screenshot(page, "report");
  });
});
