// The built package from Node 20 (global fetch), against an emulator that
// `cargo xtask web-ci` starts (DOMO_EMULATOR_URL).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const url = process.env.DOMO_EMULATOR_URL;
const demo = process.env.DOMO_DEMO_DATASET ?? "00000000-0000-4000-8000-000000000001";
assert.ok(url, "DOMO_EMULATOR_URL must name a running domo-emulator --demo");

const pkgJson = JSON.parse(await readFile(new URL("../pkg/package.json", import.meta.url), "utf8"));
// Resolve the entry the way Node resolves the package's "exports".
const entry = pkgJson.exports["."].node;
const { DomoClient, isDomoError } = await import(new URL(`../pkg/${entry}`, import.meta.url));

test("the package exports the Node entry and the types", () => {
  assert.equal(pkgJson.type, "module");
  assert.equal(entry, "./node.js");
  assert.equal(pkgJson.exports["."].types, "./index.d.ts");
  for (const f of pkgJson.files) assert.ok(f, "listed file");
});

test("getDataset from Node with global fetch", async () => {
  const domo = new DomoClient({ baseUrl: url, token: "dev-token" });
  const ds = await domo.getDataset(demo);
  assert.equal(ds.id, demo);
  assert.equal(ds.name, "Demo Sales");
  assert.ok(ds.rowCount > 0);
  assert.equal(Object.getPrototypeOf(ds), Object.prototype, "a plain object");
  const q = await domo.query(demo, "SELECT COUNT(*) AS n FROM table");
  assert.equal(q.rows[0][0], ds.rowCount);
});

test("failures reject with a DomoError", async () => {
  const domo = new DomoClient({ baseUrl: url, token: "not-the-token" });
  await assert.rejects(domo.getDataset(demo), (e) => {
    assert.ok(e instanceof Error);
    assert.ok(isDomoError(e));
    assert.equal(e.name, "DomoError");
    assert.equal(e.kind, "Unauthorized");
    assert.equal(e.status, 401);
    assert.equal(e.method, "GET");
    assert.equal(e.path, `/api/data/v3/datasources/${demo}`);
    assert.ok(!e.message.includes("not-the-token"));
    return true;
  });
  assert.throws(() => new DomoClient({ baseUrl: url }), (e) => isDomoError(e) && e.kind === "InvalidInput");
});
