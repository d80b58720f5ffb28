// The demo custom app end to end: playwright-core drives Debian's Chromium
// through the Domo page (/page) of `domo-emulator --demo --app web/demo-app`
// (APP_URL), which frames the app as Domo does. The app draws revenue by
// month from the Data API (a date grain), saves an order to AppDB, syncs
// it, and redraws when the page says a dataset changed: after its own sync,
// and after a backend loads rows into the sales dataset through the product
// API. The app itself never calls /api. Saves a screenshot to SCREENSHOT.
import assert from "node:assert/strict";
import { launch, uploadRows } from "./browser.mjs";

const url = process.env.APP_URL;
const shot = process.env.SCREENSHOT ?? "demo-app.png";
assert.ok(url, "APP_URL must name a running domo-emulator --app web/demo-app --demo");

const browser = await launch();
let failed = 0;
const problems = [];
const appApiCalls = [];
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1050 } });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // Failed requests are judged by the response handler below (Chromium's
  // own favicon request for the page is not one the app makes).
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource")
    && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  page.on("request", (r) => new URL(r.url()).pathname.startsWith("/api/") && appApiCalls.push(r.url()));

  await page.goto(`${url}/page`);
  await page.waitForSelector("body[data-updates=ready]", { timeout: 30_000 });
  const app = page.frameLocator("#app");
  await app.locator("body[data-ready=true]").waitFor({ timeout: 30_000 });
  const chart = app.locator("#chart");
  assert.equal(await chart.getAttribute("data-months"), "12", "a bar per month of 2024");
  assert.equal(await app.locator("#chart svg rect.bar").count(), 12);
  const before = Number(await chart.getAttribute("data-total"));
  assert.ok(before > 1_000_000, `the demo revenue: ${before}`);
  assert.match(await app.locator("#status").textContent(), /^Signed in as /);

  // An order saved to AppDB, then synced: the page announces the orders
  // dataset's new version and the app's onDataUpdated redraws the chart.
  await app.locator("#revenue").fill("25000");
  await app.locator("#date").fill("2024-06-15");
  await app.locator("#add-order").click();
  await app.locator("#orders[data-count='1']").waitFor();
  assert.match(await app.locator("#order-status").textContent(), /wait for the sync/);
  await app.locator("#sync").click();
  await app.locator("#status[data-updated=orders]").waitFor({ timeout: 30_000 });
  await app.locator("#chart[data-synced='25000.00']").waitFor();
  assert.equal(await app.locator("#chart svg rect.synced").count(), 1);
  assert.equal(await page.locator("#log li[data-event=dataUpdated][data-delivered=listener][data-alias=orders]").count(), 1);

  // A backend loads rows through the product API: the app hears it.
  await uploadRows(url, "East,5,2.5,5000.00,2024-12-01,2024-12-01T00:00:00\n");
  await app.locator("#status[data-updated=sales]").waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    ([expected]) => document.querySelector("#app").contentDocument.querySelector("#chart").dataset.total === expected,
    [(before + 25000 + 5000).toFixed(2)],
  );
  assert.equal(await page.locator("#log li[data-event=dataUpdated][data-delivered=reload]").count(), 0, "the app listens: no reload");

  // The SQL API.
  await app.locator("#sql").fill("SELECT Region, COUNT(*) AS n FROM sales WHERE Region IS NOT NULL GROUP BY Region ORDER BY Region");
  await app.locator("#run-sql").click();
  await app.locator("#sql-result[data-rows]").waitFor();
  assert.deepEqual(await app.locator("#sql-result thead th").allTextContents(), ["Region", "n"]);
  assert.equal(await app.locator("#sql-error").textContent(), "");

  await page.screenshot({ path: shot, fullPage: true });
  // The only /api requests are the backend's upload above, from Node.
  assert.deepEqual(appApiCalls, [], "the app calls no product API");
  assert.deepEqual(problems, []);
  console.log(`e2e: revenue ${before.toFixed(2)} → ${(before + 30000).toFixed(2)}; screenshot ${shot}`);
} catch (e) {
  failed = 1;
  console.error("e2e failed:", e.message, problems, appApiCalls);
} finally {
  await browser.close();
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
