// The package's listeners for the Domo page's messages, in Chromium
// (playwright-core) through the page (/page) of `domo-emulator --demo --app
// web/test/page-app` (APP_URL): the app registers two onFiltersUpdated and
// two onDataUpdated listeners; the page delivers the filters the app
// requests (as ryuu.js requests them) and a data update after a backend's
// upload and after an AppDB export; each listener hears exactly the
// filters and the alias, an unsubscribed listener hears nothing more, and
// with no data listener left the page reloads the app. Prints "N passed,
// N failed".
import assert from "node:assert/strict";
import { launch, uploadRows } from "./browser.mjs";

const url = process.env.APP_URL;
assert.ok(url, "APP_URL must name a running domo-emulator --demo --app web/test/page-app");

// PageFilter objects of every data type a Domo page filter has.
const FILTERS = [
  { column: "Region", operator: "IN", values: ["East", "West"], dataType: "STRING" },
  { column: "Units", operator: "BETWEEN", values: [5, 10], dataType: "NUMERIC" },
  { column: "Order Date", operator: "GREATER_THAN", values: ["2024-06-01"], dataType: "DATE" },
  { column: "Shipped At", operator: "LESS_THAN", values: ["2024-06-01T12:00:00Z"], dataType: "DATETIME" },
];
const NEXT_FILTERS = [{ column: "Region", operator: "NOT_IN", values: ["North"], dataType: "STRING" }];
const ROW = "East,5,2.5,12.50,2024-01-01,2024-01-01T00:00:00\n";

const browser = await launch();
const results = [];
async function step(name, run) {
  try {
    await run();
    results.push([name, null]);
    console.log(`ok    ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL  ${name}: ${e.message}`);
  }
}

try {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource")
    && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  await page.goto(`${url}/page`);
  await page.waitForSelector("body[data-updates=ready]", { timeout: 30_000 });

  /** The app's frame once its page (not the one loaded at `notOrigin`) is ready. */
  const appFrame = async (notOrigin = -1) => {
    const frame = page.frames().find((f) => f.parentFrame() === page.mainFrame());
    for (let i = 0; i < 300; i++) {
      try {
        const ready = await frame.evaluate(
          (o) => document.body?.dataset.ready === "true" && performance.timeOrigin !== o,
          notOrigin,
        );
        if (ready) return frame;
      } catch {
        // The frame is navigating (a reload): ask again.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the app did not get ready in 30 s");
  };
  const app = await appFrame();
  const loadedAt = await app.evaluate(() => performance.timeOrigin);
  /** What the listeners heard from the `from`th entry on, once there are `count` of them. */
  const heard = async (from, count) => {
    await app.waitForFunction((n) => window.app.heard.length >= n, from + count, { timeout: 30_000 });
    return app.evaluate((f) => window.app.heard.slice(f), from);
  };
  const log = (event) => page.locator(`#log li[data-event="${event}"]`);

  await step("the package subscribes to the page once for all its listeners", async () => {
    await page.waitForSelector('#log li[data-event="subscribe"]');
    assert.equal(await log("subscribe").count(), 1);
    assert.equal(await log("subscribe").textContent(), "subscribe: the app listens");
    assert.deepEqual(await app.evaluate(() => window.app.heard), []);
  });

  await step("onFiltersUpdated hears exactly the page's filters", async () => {
    await app.evaluate((f) => window.app.requestFilters(f), FILTERS);
    assert.deepEqual(await heard(0, 2), [["filters 1", FILTERS], ["filters 2", FILTERS]]);
    // The page applied them: what it shows is what the listeners heard.
    assert.deepEqual(JSON.parse(await page.getAttribute("body", "data-filters")), FILTERS);
  });

  await step("onDataUpdated hears the alias of a dataset a backend loaded", async () => {
    await uploadRows(url, ROW);
    assert.deepEqual(await heard(2, 2), [["data 1", "sales"], ["data 2", "sales"]]);
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-alias="sales"][data-delivered="listener"]');
  });

  await step("onDataUpdated hears the alias of an AppDB export", async () => {
    await app.evaluate(() => window.app.saveNote("hello"));
    assert.deepEqual(await heard(4, 2), [["data 1", "notes"], ["data 2", "notes"]]);
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-alias="notes"][data-delivered="listener"]');
  });

  await step("an unsubscribed listener hears nothing more", async () => {
    await app.evaluate(() => {
      window.app.stop("filters 1");
      window.app.stop("data 1");
    });
    await app.evaluate((f) => window.app.requestFilters(f), NEXT_FILTERS);
    assert.deepEqual(await heard(6, 1), [["filters 2", NEXT_FILTERS]]);
    await uploadRows(url, ROW);
    assert.deepEqual(await heard(7, 1), [["data 2", "sales"]]);
    // Everything the app heard, in order: the stopped listeners fell silent.
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-alias="sales"][data-delivered="listener"] ~ li[data-event="dataUpdated"][data-alias="sales"][data-delivered="listener"]');
    assert.deepEqual(await app.evaluate(() => window.app.heard), [
      ["filters 1", FILTERS], ["filters 2", FILTERS],
      ["data 1", "sales"], ["data 2", "sales"],
      ["data 1", "notes"], ["data 2", "notes"],
      ["filters 2", NEXT_FILTERS],
      ["data 2", "sales"],
    ]);
    assert.equal(await log("dataUpdated").count(), 3);
    assert.equal(await app.evaluate(() => performance.timeOrigin), loadedAt, "the app was not reloaded");
  });

  await step("with no data listener left, a data update reloads the app", async () => {
    await app.evaluate(() => window.app.stop("data 2"));
    await uploadRows(url, ROW);
    // The package no longer acknowledges data updates: the page reloads the app.
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-delivered="reload"]');
    assert.equal(await log("dataUpdated").last().getAttribute("data-alias"), "sales");
    const reloaded = await appFrame(loadedAt);
    assert.deepEqual(await reloaded.evaluate(() => window.app.heard), []);
  });

  await step("no page errors, console errors or failed requests", async () => {
    assert.deepEqual(problems, []);
  });
} catch (e) {
  results.push(["setup", e]);
  console.log(`FAIL  setup: ${e.stack}`);
} finally {
  await browser.close();
}
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
