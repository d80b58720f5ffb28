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

// The Node build with only an OAuth client id and secret (the emulator's
// `--client ID:SECRET:1`): the public API's token, upload, export and SQL.
const [clientId, clientSecret] = (process.env.DOMO_CLIENT ?? "").split(":");

test("with only OAuth client credentials, Node uploads, exports and queries through the public API", async () => {
  assert.ok(clientId && clientSecret, "DOMO_CLIENT must be ID:SECRET of an emulator --client");
  const domo = new DomoClient({ baseUrl: url, clientId, clientSecret, scopes: ["data"] });
  const stream = await domo.call("V1CreateStream", {
    request: {
      dataSet: {
        name: "Node over v1",
        schema: { columns: [{ type: "LONG", name: "id" }, { type: "STRING", name: "name" }] },
      },
      updateMethod: "REPLACE",
    },
  });
  const id = stream.dataSet.id;
  assert.ok(id, "the stream names its dataset");

  // uploadCsv goes through an execution of the dataset's stream; verified.
  const report = await domo.uploadCsv(id, "id,name\n1,one\n2,\"two, quoted\"\n3,three\n");
  assert.equal(report.rows, 3);
  assert.equal(report.verifiedRows, 3);
  // exportCsv and query take the public API's routes.
  assert.equal(await domo.exportCsv(id), 'id,name\n1,one\n2,"two, quoted"\n3,three\n');
  const q = await domo.query(id, "SELECT name FROM table WHERE id > 1 ORDER BY id");
  assert.deepEqual(q.rows, [["two, quoted"], ["three"]]);
  const ds = await domo.call("V1GetDataset", { datasetId: id });
  assert.equal(ds.rows, 3);

  // A product-API method is refused before sending, naming its counterpart.
  await assert.rejects(domo.getDataset(id), (e) => {
    assert.ok(isDomoError(e));
    assert.equal(e.kind, "WrongApi");
    assert.match(e.message, /V1GetDataset/);
    return true;
  });
  await domo.call("V1DeleteDataset", { datasetId: id });
});

test("a wrong client secret is refused by name and never shown", async () => {
  const domo = new DomoClient({ baseUrl: url, clientId, clientSecret: "not-the-secret-42" });
  await assert.rejects(domo.call("V1ListDatasets", {}), (e) => {
    assert.ok(isDomoError(e));
    assert.equal(e.kind, "Unauthorized");
    assert.match(e.message, /client id or secret was refused/);
    assert.ok(!e.message.includes("not-the-secret-42"));
    assert.ok(!JSON.stringify(e).includes("not-the-secret-42"));
    return true;
  });
  assert.throws(
    () => new DomoClient({ baseUrl: url, clientId, clientSecret, token: "dev-token" }),
    (e) => isDomoError(e) && e.kind === "InvalidInput" && /not both/.test(e.message),
  );
  assert.throws(
    () => new DomoClient({ baseUrl: url, clientId }),
    (e) => isDomoError(e) && /clientSecret/.test(e.message),
  );
});
