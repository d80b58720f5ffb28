// The demo custom app end to end: playwright-core drives Debian's Chromium
// through the app served by `domo-emulator --app web/demo-app --demo`
// (APP_URL): the table renders, a query runs, a CSV upload lands and the
// row count follows. Saves a screenshot to SCREENSHOT.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const url = process.env.APP_URL;
const shot = process.env.SCREENSHOT ?? "demo-app.png";
assert.ok(url, "APP_URL must name a running domo-emulator --app web/demo-app --demo");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let failed = 0;
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));

  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  const before = Number(await page.getAttribute("#row-count", "data-rows"));
  assert.equal(before, 500, "the demo dataset's rows");
  const headers = await page.locator("#sales thead th").allTextContents();
  assert.deepEqual(headers, ["Region", "Units", "Unit Price", "Revenue", "Order Date", "Shipped At"]);
  assert.equal(await page.locator("#sales tbody tr").count(), 25);

  await page.fill("#sql", "SELECT Region, COUNT(*) AS n FROM sales WHERE Region IS NOT NULL GROUP BY Region ORDER BY Region");
  await page.click("#run-sql");
  await page.waitForSelector("#sql-result[data-rows]");
  assert.deepEqual(await page.locator("#sql-result thead th").allTextContents(), ["Region", "n"]);
  assert.equal(await page.locator("#sql-result tbody tr").count(), 6);
  assert.equal(await page.textContent("#sql-error"), "");

  // 3000 rows (~110 KB) with a header, over 64 KiB parts: two parts at least.
  let csv = "Region,Units,Unit Price,Revenue,Order Date,Shipped At\n";
  for (let i = 0; i < 3000; i++) {
    csv += `"Upload, ${i % 7}",${i % 90 + 1},${(i % 50) + 0.5},${i}.25,2025-01-${String(i % 28 + 1).padStart(2, "0")},2025-01-01T10:00:00\n`;
  }
  await page.setInputFiles("#csv-file", { name: "more-sales.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.click("#upload");
  await page.waitForSelector("#upload-status[data-done=true]", { timeout: 60_000 });
  const after = Number(await page.getAttribute("#row-count", "data-rows"));
  assert.equal(after, before + 3000, "the row count follows the upload");
  const statusText = await page.textContent("#upload-status");
  const parts = Number(/in (\d+) part/.exec(statusText)?.[1]);
  assert.ok(parts >= 2, `several parts: ${statusText}`);
  assert.equal(await page.getAttribute("#progress", "value"), await page.getAttribute("#progress", "max"));

  await page.screenshot({ path: shot, fullPage: true });
  assert.deepEqual(problems, []);
  console.log(`e2e: ${before} → ${after} rows, ${parts} parts; screenshot ${shot}`);
} catch (e) {
  failed = 1;
  console.error("e2e failed:", e.message, problems);
} finally {
  await browser.close();
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
