// Issue 23 item 13: an API key pasted into /docs ("Authorize") must not outlive the tab in the
// origin's localStorage, and signing out of the console forgets what an older /docs left there;
// the reports chart names the report calendar's zone, not "UTC" whatever it is.
import { createTestUser, db } from "../../test-support/emulator";
import { lastCompleteIsoWeek, shiftIsoWeek } from "../../functions/src/shared/isoWeek";
import { runWeeklyReport } from "../../functions/src/reports/run-report";
import { browserPerFile, signInAs, type Harness } from "./browser";

let h: Harness;
browserPerFile((harness) => (h = harness));

const PASTED = `sk_test_${"ab".repeat(8)}_${"c".repeat(43)}`;
// Evaluated in the page (a string: this file is type-checked without the DOM's types).
const stored = (page: import("playwright-core").Page) => page.evaluate("JSON.stringify(Object.entries(localStorage))") as Promise<string>;

describe("/docs and pasted credentials", () => {
  it("an API key authorized in /docs is kept in memory only: nothing in localStorage, gone after a reload", async () => {
    const page = await h.newPage();
    await page.goto(`${h.baseUrl}/docs/`);
    await page.locator(".btn.authorize").first().click();
    const apiKey = page.locator(".auth-container", { hasText: "X-API-Key" });
    await apiKey.locator("input").fill(PASTED);
    // Swagger UI labels its modal buttons for screen readers: "Apply credentials", "Remove authorization".
    await apiKey.getByRole("button", { name: "Apply credentials" }).click();
    // Swagger UI now holds the key: the section offers to log out of it.
    await apiKey.getByRole("button", { name: "Remove authorization" }).waitFor();
    expect(await stored(page)).not.toContain(PASTED);

    await page.reload();
    await page.locator(".btn.authorize").first().click();
    const again = page.locator(".auth-container", { hasText: "X-API-Key" });
    await again.getByRole("button", { name: "Apply credentials" }).waitFor();
    await expect(again.getByRole("button", { name: "Remove authorization" }).count()).resolves.toBe(0);
    expect(await stored(page)).not.toContain(PASTED);
  });

  it("signing out of the console removes an authorization an older /docs persisted", async () => {
    const user = await createTestUser({ credits: 0, prefix: "docs" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, user.email);
    // What Swagger UI with persistAuthorization wrote after "Authorize".
    const persisted = { apiKey: { name: "apiKey", schema: { type: "apiKey", in: "header", name: "X-API-Key" }, value: PASTED } };
    await page.evaluate(`localStorage.setItem("authorized", ${JSON.stringify(JSON.stringify(persisted))})`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await stored(page)).not.toContain(PASTED);
  });
});

describe("the reports chart", () => {
  it("is labelled with the report's time zone (REPORT_TIME_ZONE), not UTC", async () => {
    // A week of its own, newest of all, so the page shows it first; built by the real report code.
    const week = shiftIsoWeek(lastCompleteIsoWeek(new Date()), 104);
    await runWeeklyReport(week, { db: db(), timeZone: "Asia/Tokyo", store: { save: async () => undefined } });
    const admin = await createTestUser({ credits: 0, role: "admin", prefix: "docsadmin" });
    const page = await h.newPage();
    await signInAs(page, h.baseUrl, admin.email);
    await page.goto(`${h.baseUrl}/#/admin/reports`);
    const chart = page.locator(`[data-testid=report][data-week="${week}"] [data-testid=trend-chart]`);
    await chart.locator("svg").waitFor();
    const title = await chart.locator("svg text").first().textContent();
    expect(title).toBe(`Weekly trend to ${week} (weeks in Asia/Tokyo)`);
  });
});
