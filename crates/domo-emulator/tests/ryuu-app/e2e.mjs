// The custom app in this folder (unmodified ryuu.js 5.1.4 and
// @domoinc/query 3.0.0, a datasetsMapping manifest, an AppDB collection)
// in Debian's Chromium, driven by playwright-core, on
// `domo-emulator --demo --app <this folder>` (APP_URL), opened through the
// emulator's Domo page (/page): every Data API, SQL, AppDB and service call
// the app makes succeeds; the host page acknowledges requestFiltersUpdate
// (and filters no data), navigate, variables and app data (and goes no
// further with them); a data update reloads the app while it has no listener and
// reaches its onDataUpdated once it has one, for a product-API upload and
// for an AppDB export. Prints "N passed, N failed".
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const url = process.env.APP_URL;
assert.ok(url, "APP_URL must name a running domo-emulator --demo --app crates/domo-emulator/tests/ryuu-app");
const token = process.env.DOMO_TOKEN ?? "dev-token";
const DEMO = "00000000-0000-4000-8000-000000000001";

/** A three-stage upload appending one row to the demo dataset, as a backend would. */
async function uploadRow() {
  const headers = { "X-DOMO-Developer-Token": token, "Content-Type": "application/json" };
  const base = `${url}/api/data/v3/datasources/${DEMO}/uploads`;
  const start = await fetch(base, { method: "POST", headers, body: "{}" });
  assert.equal(start.status, 200, await start.clone().text());
  const { uploadId } = await start.json();
  const part = await fetch(`${base}/${uploadId}/parts/1`, {
    method: "PUT",
    headers: { ...headers, "Content-Type": "text/csv" },
    body: "East,5,2.5,12.50,2024-01-01,2024-01-01T00:00:00\n",
  });
  assert.equal(part.status, 200, await part.text());
  const commit = await fetch(`${base}/${uploadId}/commit`, {
    method: "PUT",
    headers,
    body: JSON.stringify({ action: "APPEND" }),
  });
  assert.equal(commit.status, 200, await commit.text());
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
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
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // Failed requests are judged by the response handler below (the browser's
  // own favicon request and the app's deliberate 400 are not problems).
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource")
    && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => {
    // The app checks that a document breaking the schema is refused (400).
    if (r.status() >= 400 && !(r.status() === 400 && r.url().endsWith("/collections/notes/documents"))) {
      problems.push(`HTTP ${r.status()} ${r.url()}`);
    }
  });
  await page.goto(`${url}/page`);
  const frame = () => page.frameLocator("#app");
  /** The app's frame once its page (loaded after `notOrigin`, when given) has run every check. */
  const appFrame = async (notOrigin) => {
    const f = page.frames().find((x) => x.parentFrame() === page.mainFrame());
    for (let i = 0; i < 300; i++) {
      try {
        const ready = await f.evaluate(
          (o) => document.body?.dataset.ready === "true" && performance.timeOrigin !== o,
          notOrigin ?? -1,
        );
        if (ready) return f;
      } catch {
        // The frame is navigating (a reload): ask again.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the app did not get ready in 30 s");
  };
  await page.waitForSelector("body[data-updates=ready]", { timeout: 30_000 });

  await step("every call the app makes succeeds", async () => {
    const app = await appFrame();
    const checks = await app.evaluate(() => window.checks);
    const failed = Object.entries(checks).filter(([, c]) => !c.ok);
    assert.deepEqual(failed, []);
    assert.deepEqual(Object.keys(checks), [
      "data objects", "data arrays", "data csv", "data excel", "query groupBy", "query filters",
      "query dateGrain", "query periods", "query previous period", "sql", "appdb bulk delete",
      "appdb create", "appdb bulk", "appdb query", "appdb aggregate", "appdb update", "appdb get",
      "appdb schema", "environment", "users", "user", "group", "env from the page",
    ]);
  });

  const log = (event) => page.locator(`#log li[data-event="${event}"]`);

  await step("a data update without a listener reloads the app", async () => {
    const first = await (await appFrame()).evaluate(() => performance.timeOrigin);
    await uploadRow();
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-delivered="reload"]');
    assert.equal(await log("dataUpdated").last().getAttribute("data-alias"), "sales");
    // The reloaded app runs again, every call succeeding again.
    const app = await appFrame(first);
    const failed = Object.entries(await app.evaluate(() => window.checks)).filter(([, c]) => !c.ok);
    assert.deepEqual(failed, []);
  });

  await step("onDataUpdated hears an upload to a mapped dataset", async () => {
    await frame().locator("#listen").click();
    await page.waitForSelector('#log li[data-event="subscribe"]');
    await uploadRow();
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-delivered="listener"]');
    const app = await appFrame();
    await app.waitForFunction(() => window.appEvents.includes("refetched:sales"));
    assert.equal(await log("dataUpdated").last().getAttribute("data-alias"), "sales");
  });

  await step("onDataUpdated hears an AppDB export into a mapped dataset", async () => {
    await frame().locator("#export").click();
    await page.waitForSelector('#log li[data-event="dataUpdated"][data-alias="notes_ds"]');
    const app = await appFrame();
    await app.waitForFunction(() => window.appEvents.includes("refetched:notes_ds"));
    const exported = await app.evaluate(() => window.appEvents.find((e) => e.startsWith("exported:")));
    assert.match(exported, /"collection":"notes".*"rows":3/);
    assert.equal(
      await page.locator('#log li[data-event="dataUpdated"][data-alias="notes_ds"]').getAttribute("data-delivered"),
      "listener",
    );
  });

  await step("requestFiltersUpdate is acknowledged, shown and told back", async () => {
    await frame().locator("#filter").click();
    await page.waitForSelector("#filters .filter");
    assert.equal(await page.textContent("#filters .filter"), 'region IN ["East"]');
    const app = await appFrame();
    await app.waitForFunction(() => window.appEvents.includes("filter acknowledged"));
    await app.waitForFunction(() => window.appEvents.some((e) => e.startsWith("filter replied:")));
    const heard = await app.evaluate(() => window.appEvents.filter((e) => e.startsWith("filtersUpdated:")));
    // The first onFiltersUpdated clears the page's filters; then East.
    assert.deepEqual(heard, [
      "filtersUpdated:[]",
      'filtersUpdated:[{"column":"region","operator":"IN","values":["East"],"dataType":"STRING"}]',
    ]);
    // The page has no cards to filter: the app's data stays whole.
    const regions = await app.evaluate(() =>
      domo.get("/data/v1/sales?groupby=region&fields=region").then((r) => r.map((x) => x.region)));
    assert.ok(regions.some((r) => r !== "East"), JSON.stringify(regions));
  });

  await step("variables and app data are acknowledged and go no further", async () => {
    await frame().locator("#variables").click();
    await frame().locator("#appdata").click();
    await page.waitForSelector('#log li[data-event="variable"]');
    await page.waitForSelector('#log li[data-event="appData"]');
    const app = await appFrame();
    await app.waitForFunction(() =>
      window.appEvents.includes("variables acknowledged") && window.appEvents.includes("appData acknowledged"));
    // Acknowledged only: no reply and no update reaches the app.
    const more = await app.evaluate(() => window.appEvents.filter((e) =>
      /^(variables replied|appData replied|variablesUpdated|appDataUpdated)/.test(e)));
    assert.deepEqual(more, []);
  });

  await step("navigate is shown on the page", async () => {
    await frame().locator("#navigate").click();
    await page.waitForSelector("body[data-navigate]");
    assert.equal(await page.getAttribute("body", "data-navigate"), "/page/somewhere");
    assert.equal(await page.textContent("#navigate"), "/page/somewhere (new window)");
  });

  await step("no page errors, console errors or failed requests", async () => {
    assert.deepEqual(problems, []);
  });
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
} catch (e) {
  results.push(["setup", e]);
  console.log(`FAIL  setup: ${e.stack}`);
} finally {
  await browser.close();
}
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
