// What the browser tests of web/ share: Debian's Chromium driven by
// playwright-core (never a downloaded browser), and a backend's upload
// that gives the demo dataset a new version (the Domo page then tells the
// app, as it does for any mapped dataset).
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

/** `domo-emulator --demo`'s dataset, mapped as `sales` by the test apps. */
export const DEMO = "00000000-0000-4000-8000-000000000001";

/** Headless Chromium (CHROMIUM, default /usr/bin/chromium). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * A backend's three-stage upload (product API, developer token DOMO_TOKEN,
 * default the emulator's `dev-token`) appending `csv` to the demo dataset
 * on the emulator at `url`.
 */
export async function uploadRows(url, csv) {
  const token = process.env.DOMO_TOKEN ?? "dev-token";
  const headers = { "X-DOMO-Developer-Token": token, "Content-Type": "application/json" };
  const base = `${url}/api/data/v3/datasources/${DEMO}/uploads`;
  const start = await fetch(base, { method: "POST", headers, body: "{}" });
  assert.equal(start.status, 200, await start.clone().text());
  const { uploadId } = await start.json();
  const part = await fetch(`${base}/${uploadId}/parts/1`, {
    method: "PUT",
    headers: { ...headers, "Content-Type": "text/csv" },
    body: csv,
  });
  assert.equal(part.status, 200, await part.text());
  const commit = await fetch(`${base}/${uploadId}/commit`, { method: "PUT", headers, body: JSON.stringify({ action: "APPEND" }) });
  assert.equal(commit.status, 200, await commit.text());
}
