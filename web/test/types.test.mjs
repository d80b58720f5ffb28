// Declared types are true: every method of the built package is called
// against emulators that `cargo xtask web-ci` starts, and each reply is
// checked at run time against the type the package declares for it. The
// JSON schema is made at test time (ts-json-schema-generator) from the
// package's own declarations (pkg/domo_wasm.d.ts): `MethodReplies` maps each
// method to its Promise's type (the generated `EndpointReplies` plus the
// hand-written methods; web/test/replies.ts proves at compile time that the
// map is each method's declared type). Rejections are checked against
// `DomoError`, `onProgress` events against `UploadProgress` and `onRetry`
// events against `RetryEvent`.
//
// A method of the package that no step below calls fails the last test, so
// a new method cannot skip the check.
//
// Environment:
// - DOMO_EMULATOR_URL: a fresh `domo-emulator --demo --password 7=SECRET`
//   (this test changes it: datasets, shares, policies, tokens).
// - DOMO_LOGIN_PASSWORD: that SECRET (user 7 is east@example.com).
// - DOMO_APP_URL: `domo-emulator --demo --app web/demo-app` (alias `sales`).
// - DOMO_FAULTY_URL: `domo-emulator --demo --faults 429=0.5,retry-after=0`.
// - DOMO_DEMO_DATASET: the demo dataset's id.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import {
  DEFAULT_CONFIG,
  SchemaGenerator,
  VoidType,
  createFormatter,
  createParser,
  createProgram,
} from "ts-json-schema-generator";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (cargo xtask web-ci sets it; see the comment at the top)`);
  return value;
};
const url = env("DOMO_EMULATOR_URL");
const appUrl = env("DOMO_APP_URL");
const faultyUrl = env("DOMO_FAULTY_URL");
const password = env("DOMO_LOGIN_PASSWORD");
const demo = process.env.DOMO_DEMO_DATASET ?? "00000000-0000-4000-8000-000000000001";

const pkg = new URL("../pkg/", import.meta.url);
const pkgJson = JSON.parse(await readFile(new URL("package.json", pkg), "utf8"));
const { DomoClient, isDomoError } = await import(new URL(pkgJson.exports["."].node, pkg));
const declarations = fileURLToPath(new URL("domo_wasm.d.ts", pkg));

// ---- the declared types, as JSON schema -------------------------------------

// `Promise<void>` resolves to `undefined`, which JSON schema cannot say;
// the generator would write `{"type": "null"}`, which would let a method
// that resolves to `null` pass. Void is marked instead: `checkReply` wants
// `undefined` exactly there (and nothing validates against it elsewhere).
const VOID = "void: resolves to undefined";
const config = {
  ...DEFAULT_CONFIG,
  path: declarations,
  skipTypeCheck: true,
  expose: "all",
  topRef: true,
  jsDoc: "none",
  // A type without an index signature lists every field it has: a reply
  // with more says the declaration is missing them.
  additionalProperties: false,
};
const program = createProgram(config);
const generator = new SchemaGenerator(
  program,
  createParser(program, config),
  createFormatter(config, (formatter) =>
    formatter.addTypeFormatter({
      supportsType: (type) => type instanceof VoidType,
      getDefinition: () => ({ $comment: VOID, not: {} }),
      getChildren: () => [],
    }),
  ),
  config,
);
const definitions = {};
for (const type of ["MethodReplies", "AppCollectionReplies", "DomoError", "UploadProgress", "RetryEvent"]) {
  Object.assign(definitions, generator.createSchema(type).definitions);
}
const replies = definitions.MethodReplies;
assert.ok(replies?.properties, "the package declares MethodReplies");

const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
ajv.addSchema({ $id: "pkg", definitions });
const validators = new Map();
const validator = (pointer) => {
  if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: `pkg#${pointer}` }));
  return validators.get(pointer);
};

// The TypeScript text of each reply type, for messages.
const dts = await readFile(declarations, "utf8");
const replyText = new Map();
for (const name of ["EndpointReplies", "MethodReplies", "AppCollectionReplies"]) {
  const body = new RegExp(`interface ${name}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\s*\\}\\n`).exec(dts)?.[1] ?? "";
  for (const [, method, type] of body.matchAll(/^\s*(\w+): (.+);$/gm)) replyText.set(method, type);
}

// ---- checking values ---------------------------------------------------------

const show = (value, max = 300) => {
  let text;
  try {
    text = value === undefined ? "undefined" : JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

/** `$.a[0].b` for ajv's `/a/0/b`. */
const jsonPath = (pointer) =>
  "$" +
  pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join("");

/**
 * `value` as what JSON schema can judge, with TypeScript's reading: a
 * property whose value is `undefined` is an absent one (optional fields may
 * be either). Anything that is not plain JSON data (a Map, a class
 * instance, a function) is reported, since no declared reply type allows it.
 */
function plain(value, path, problems) {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return value;
  if (Array.isArray(value)) return value.map((v, i) => plain(v, `${path}[${i}]`, problems));
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    let entries;
    if (value instanceof Error) {
      entries = Object.getOwnPropertyNames(value).map((k) => [k, value[k]]);
    } else if (proto === Object.prototype || proto === null) {
      entries = Object.entries(value);
    } else {
      problems.push(`${path}: a ${proto?.constructor?.name ?? "non-plain"} object, not plain JSON data`);
      return value;
    }
    const out = {};
    for (const [k, v] of entries) if (v !== undefined) out[k] = plain(v, `${path}.${k}`, problems);
    return out;
  }
  problems.push(`${path}: a ${typeof value}, not JSON data`);
  return value;
}

/** ajv's errors as `path: message; expected SCHEMA, got VALUE` lines. */
function explain(errors) {
  const lines = [];
  for (const e of errors) {
    const where = jsonPath(e.instancePath);
    const expected = e.parentSchema ? show(e.parentSchema, 200) : show(e.schema, 200);
    const extra = e.keyword === "additionalProperties" ? ` (\`${e.params.additionalProperty}\`)` : "";
    const required = e.keyword === "required" ? ` (\`${e.params.missingProperty}\`)` : "";
    const line = `  at ${where}: ${e.message}${extra}${required}; expected ${expected}, got ${show(e.data, 200)}`;
    if (!lines.includes(line)) lines.push(line);
  }
  const shown = lines.slice(0, 12);
  if (lines.length > shown.length) shown.push(`  … and ${lines.length - shown.length} more`);
  return shown.join("\n");
}

// What did not match, each naming the call, the JSON path, what was
// expected and what came. Recorded rather than thrown, so that one run
// lists every mismatch (and a mismatch seen inside a callback, whose
// exceptions the package swallows, is not lost); `step` fails with them.
const mismatches = [];

/** Record a mismatch when `value` is not of the type at `pointer`. */
function conform(what, declared, pointer, value) {
  const problems = [];
  const data = plain(value, "$", problems);
  const validate = validator(pointer);
  if (problems.length === 0 && validate(data)) return;
  mismatches.push(
    `${what} does not match its declared type ${declared}:\n` +
      problems.map((p) => `  at ${p}\n`).join("") +
      (validate.errors ? `${explain(validate.errors)}\n` : "") +
      `  the value: ${show(value, 600)}`,
  );
}

const checked = new Map(); // method → times its reply was checked
const call = (method, args) => `${method}(${args.map((a) => show(a, 80)).join(", ")})`;

/** Check `reply`, the value `method(...args)` resolved to. */
function checkReply(method, args, reply) {
  checked.set(method, (checked.get(method) ?? 0) + 1);
  // `AppCollection.create`: a method of what `appDb` returns.
  const [map, key] = method.startsWith("AppCollection.")
    ? ["AppCollectionReplies", method.slice("AppCollection.".length)]
    : ["MethodReplies", method];
  const schema = definitions[map].properties[key];
  if (!schema) {
    mismatches.push(`${method} has no entry in ${map}: declare its reply type there`);
    return;
  }
  const declared = replyText.get(key) ?? show(schema);
  if (schema.$comment === VOID) {
    if (reply !== undefined) {
      mismatches.push(`${call(method, args)} is declared Promise<void> but resolved to ${show(reply)}`);
    }
  } else if (reply === undefined) {
    mismatches.push(`${call(method, args)} resolved to undefined; it declares Promise<${declared}>`);
  } else {
    conform(call(method, args), declared, `/definitions/${map}/properties/${key}`, reply);
  }
}

function checkError(what, e) {
  if (!isDomoError(e)) mismatches.push(`${what} rejected with something that is not a DomoError: ${e}`);
  else conform(`the rejection of ${what}`, "DomoError", "/definitions/DomoError", e);
}

/**
 * `client` with every method that returns a Promise checking what it
 * resolves to (and what it rejects with) against the declarations.
 */
function checking(client, prefix = "") {
  return new Proxy(client, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function" || typeof name !== "string") return value;
      return (...args) => {
        const result = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (reply) => {
            checkReply(prefix + name, args, reply);
            return reply;
          },
          (e) => {
            checkError(call(prefix + name, args), e);
            throw e;
          },
        );
      };
    },
  });
}

/**
 * A subtest that fails with every mismatch recorded while it ran (then with
 * its own error, if it threw one).
 */
function step(t, name, body) {
  return t.test(name, async () => {
    const before = mismatches.length;
    let failure;
    try {
      await body();
    } catch (e) {
      failure = e;
    }
    const mine = mismatches.slice(before);
    if (mine.length > 0) {
      const then = failure ? `\n\nand then the step failed: ${failure.message}` : "";
      assert.fail(`${mine.length} value(s) do not match their declared types:\n\n${mine.join("\n\n")}${then}`);
    }
    if (failure) throw failure;
  });
}

const progressChecker = (events) => (p) => {
  conform("an onProgress event", "UploadProgress", "/definitions/UploadProgress", p);
  events.push(p);
};

// ---- every method, in the order a user would call them ------------------------

const columns = [
  { name: "id", type: "LONG" },
  { name: "region", type: "STRING" },
  { name: "amount", type: "DOUBLE" },
  { name: "price", type: "DECIMAL" },
  { name: "day", type: "DATE" },
  { name: "at", type: "DATETIME" },
];
const header = "id,region,amount,price,day,at\n";
const rows = (from, n) =>
  Array.from({ length: n }, (_, i) => {
    const k = from + i;
    // Empty fields (nulls) now and then.
    return `${k},${k % 3 ? `"r, ${k % 4}"` : ""},${k * 1.5},${k}.25,2024-01-${String((k % 28) + 1).padStart(2, "0")},${k % 5 ? "2024-02-03T04:05:06" : ""}\n`;
  }).join("");

test("every method's reply matches its declared type", async (t) => {
  const domo = checking(new DomoClient({ baseUrl: url, token: "dev-token", maxRetries: 0 }));

  await step(t, "who and what is there", async () => {
    const me = await domo.whoami();
    assert.equal(String(me.id), "1");
    const page = await domo.listDatasetsPage(50, 0);
    assert.ok(page.dataSources.some((d) => d.id === demo));
    await domo.listDatasetsPage();
    await domo.searchDatasetsPage("Demo", { count: 10, offset: 0 });
    await domo.searchDatasetsPage(undefined, { owner: 1 });
    await domo.uiSearchDatasetsPage("Demo", { count: 10 });
    await domo.uiSearchDatasetsPage();
  });

  await step(t, "the demo dataset: metadata, schemas, data, queries, exports", async () => {
    const ds = await domo.getDataset(demo);
    assert.equal(ds.id, demo);
    await domo.getDataset(demo, { includeAllDetails: true, part: ["core", "permission"] });
    await domo.getMetadata(demo, ["core", "permission", "status"]);
    await domo.getSchema(demo);
    await domo.getLatestSchema(demo);
    await domo.getIndexedSchema(demo);
    await domo.getIndexedSchema(demo, { includeHidden: true });
    await domo.getData(demo, { limit: 20, offset: 5 });
    await domo.getData(demo, { filter: "Units > 5", limit: 3 });
    await domo.getDataCsv(demo, { limit: 5 });
    await domo.exportCsv(demo);
    await domo.exportCsv(demo, { includeHeader: false });
    const q = await domo.query(demo, "SELECT * FROM table LIMIT 20");
    assert.ok(q.numRows > 0);
    await domo.query(demo, "SELECT Region, COUNT(*) AS n, SUM(Revenue) AS total, MIN(`Order Date`) AS first FROM table GROUP BY Region");
    await domo.query(demo, "SELECT * FROM table WHERE 1 = 0");
    await domo.queryCsv(demo, "SELECT Region FROM table LIMIT 3", { includeHeader: true });
    await domo.listDataVersions(demo);
    await domo.listPermissions(demo);
    await domo.listPolicies(demo);
    await domo.searchStreams(demo);
    // The generic entry, for endpoints without a method of their own.
    await domo.call("GetDataset", { datasetId: demo }, null);
  });

  // A dataset's life: made, named, loaded (every way), read, altered, shared, deleted.
  let id;
  await step(t, "a new dataset's properties, tags and stream", async () => {
    const made = await domo.createDataset("types: every method", "made by web/test/types.test.mjs", columns);
    id = made.dataSource?.id;
    assert.ok(id, `createDataset names its dataset: ${show(made)}`);
    await domo.getStream(made.id);
    await domo.renameDataset(id, "types: renamed");
    await domo.describeDataset(id, "described");
    await domo.setDatasetProperties(id, { dataSourceName: "types: every method", dataSourceDescription: "again" });
    await domo.setTags(id, ["types", "ci"]);
    await domo.setTags(id, "single");
    const ds = await domo.getDataset(id);
    assert.deepEqual(ds.tags, ["single"]);
  });

  await step(t, "loads: uploadCsv, the upload stages, appendRow", async () => {
    const events = [];
    const report = await domo.uploadCsv(id, header + rows(1, 400), {
      action: "REPLACE",
      partSize: 4096,
      concurrency: 2,
      onProgress: progressChecker(events),
    });
    assert.equal(report.rows, 400);
    assert.ok(report.parts > 1 && events.length === report.parts + 1, show(report));
    await domo.uploadCsv(id, new Blob([rows(401, 10)]), { header: "absent", verify: false });
    await domo.uploadCsv(id, new TextEncoder().encode(header + rows(411, 5)), { action: "APPEND", header: "present" });
    await domo.uploadCsv(id, "", { action: "APPEND" });

    const session = await domo.startUpload(id);
    await domo.uploadPart(id, session.uploadId, 1, rows(500, 3));
    await domo.uploadPart(id, session.uploadId, 2, new TextEncoder().encode(rows(503, 2)));
    await domo.commitUpload(id, session.uploadId, { action: "APPEND" });
    await domo.appendRow(id, "600;east;1;2;2024-03-01;2024-03-01T00:00:00", { delimiter: ";" });
    await domo.appendRow(id, "601,,,,,");
    const n = await domo.query(id, "SELECT COUNT(*) FROM table");
    assert.equal(n.rows[0][0], 400 + 10 + 5 + 5 + 2);
  });

  await step(t, "the new dataset read back", async () => {
    await domo.getDataset(id);
    await domo.getSchema(id);
    await domo.getLatestSchema(id);
    await domo.getIndexedSchema(id);
    await domo.getData(id, { limit: 50 });
    await domo.getDataCsv(id, { limit: 50 });
    await domo.exportCsv(id, { includeHeader: true });
    await domo.query(id, "SELECT * FROM table ORDER BY id LIMIT 50");
    await domo.query(id, "SELECT region, AVG(amount) AS mean, MAX(day) AS last, MAX(at) AS latest FROM table GROUP BY region");
    await domo.queryCsv(id, "SELECT id, region FROM table LIMIT 5");
    const versions = await domo.listDataVersions(id);
    assert.ok(versions.length >= 4, show(versions));
    const job = await domo.startIndex(id);
    await domo.startIndex(id, { dataIds: versions.map((v) => v.dataVersionId).filter((v) => v != null).slice(-1) });
    await domo.indexStatus(id, job.indexId ?? 0);
  });

  await step(t, "the schema altered, then an upsert", async () => {
    await domo.alterSchema(id, [
      { name: "id", type: "LONG", upsertKey: true },
      ...columns.slice(1),
      { name: "note", type: "STRING", description: "added by alterSchema" },
    ]);
    await domo.getSchema(id);
    await domo.getLatestSchema(id);
    await domo.getIndexedSchema(id, { includeHidden: true });
    const r = await domo.uploadCsv(id, "1,west,9,9.5,2024-05-05,2024-05-05T05:05:05,upserted\n", {
      action: "UPSERT",
      header: "absent",
    });
    assert.equal(r.rows, 1);
  });

  await step(t, "partitions", async () => {
    const p = await domo.createDataset("types: partitions", null, columns);
    const pid = p.dataSource.id;
    for (const [tag, from] of [["2024-01", 1], ["2024-02", 10], ["2024-03", 20]]) {
      await domo.uploadCsv(pid, rows(from, 5), { partition: tag, action: "REPLACE", header: "absent" });
    }
    const session = await domo.startUpload(pid, { partition: "2024-04" });
    await domo.uploadPart(pid, session.uploadId, 1, rows(30, 2));
    await domo.commitUpload(pid, session.uploadId, { action: "APPEND", partition: "2024-04" });
    const all = await domo.listPartitions(pid);
    assert.equal(all.length, 4, show(all));
    await domo.listPartitionsPage(pid, 2, 0);
    await domo.listPartitionsPage(pid);
    await domo.listAllPartitions(pid);
    await domo.searchPartitions(pid, {});
    await domo.searchPartitions(pid, { partitionId: "2024-02" });
    await domo.deletePartitionData(pid, "2024-02");
    await domo.deletePartitionTag(pid, "2024-02");
    await domo.deletePartition(pid, "2024-03");
    await domo.listPartitions(pid);
    await domo.listDataVersions(pid);
    await domo.deleteDataset(pid);
  });

  await step(t, "streams and their executions", async () => {
    const raw = await domo.createStream({
      transport: { type: "API", description: "types", version: "1" },
      dataProvider: { key: "api", name: "API" },
      dataSource: { name: "types: stream", description: "createStream" },
      schemaDefinition: { columns },
      updateMethod: "REPLACE",
    });
    const streamDataset = raw.dataSource?.id;
    assert.ok(streamDataset, show(raw));
    await domo.getStream(raw.id);
    await domo.searchStreams(streamDataset);
    const exec = await domo.runStream(raw.id);
    await domo.uploadExecutionPart(raw.id, exec.executionId ?? 0, 1, rows(1, 3));
    await domo.uploadExecutionPart(raw.id, exec.executionId ?? 0, 2, new TextEncoder().encode(rows(4, 3)));
    await domo.commitExecution(raw.id, exec.executionId ?? 0);
    await domo.getStream(raw.id);
    const dropped = await domo.runStream(raw.id);
    await domo.abortExecution(raw.id, dropped.executionId ?? 0);
    await domo.uploadCsvViaStream(raw.id, header + rows(10, 50), { action: "REPLACE", partSize: 1024 });
    await domo.updateStream(raw.id, { updateMethod: "APPEND" });
    await domo.uploadCsvViaStream(raw.id, new Blob([rows(60, 5)]), { action: "APPEND", header: "absent" });
    await domo.streamHistory(raw.id);
    await domo.getStream(raw.id);
    await domo.listDataVersions(streamDataset);
    await domo.deleteDataset(streamDataset, { deleteMethod: "hard" });
  });

  await step(t, "sharing", async () => {
    await domo.share(id, [
      { type: "USER", id: 7, accessLevel: "CAN_EDIT" },
      { type: "USER", id: "8", accessLevel: "CAN_SHARE" },
      { type: "GROUP", id: 3, accessLevel: "CAN_EDIT" },
    ]);
    await domo.listPermissions(id);
    await domo.revokeUser(id, 8);
    await domo.removeUser(id, "7");
    await domo.share(id, [{ type: "USER", id: 7, accessLevel: "CO_OWNER" }], { sendEmail: false });
    await domo.listPermissions(id);
    await domo.removeUsers(id, [{ id: 7, type: "USER" }, { id: 3, type: "GROUP" }]);
    await domo.listPermissions(id);
  });

  await step(t, "row policies, PDP and what user 7 sees", async () => {
    await domo.share(id, [{ type: "USER", id: 7, accessLevel: "CAN_EDIT" }]);
    const east = await domo.createPolicy(id, {
      name: "East",
      userIds: [7],
      groupIds: [3],
      parameters: [{ type: "COLUMN", name: "region", values: ["r, 1"], operator: "EQUALS", ignoreCase: true }],
    });
    await domo.listPolicies(id);
    const changed = await domo.updatePolicy(id, east.filterGroupId ?? 0, { ...east, name: "East 2", virtualUserIds: [] });
    await domo.setPdp(id, true);
    await domo.setPdp(id, true, { external: false });

    const minted = await domo.createAccessToken("types: user 7", 7, Date.now() + 3_600_000);
    const seven = checking(new DomoClient({ baseUrl: url, token: minted.token, maxRetries: 0 }));
    await seven.whoami();
    await seven.getDataset(id);
    await seven.query(id, "SELECT COUNT(*) FROM table");
    await seven.getData(id, { limit: 5 });
    await seven.listDataVersions(id);
    // A row policy hides the count of a version's rows from user 7.
    const r = await seven.uploadCsv(id, rows(700, 2).replaceAll("\n", ",noted\n"), { action: "APPEND", header: "absent" });
    assert.equal(r.rows, 2);
    await domo.listAccessTokens();
    await domo.revokeAccessToken(minted.id);
    await domo.deletePolicy(id, changed.filterGroupId ?? 0);
    await domo.setPdp(id, false);
    await domo.listPolicies(id);
  });

  await step(t, "a password login", async () => {
    const login = await domo.login("east@example.com", password);
    const session = checking(new DomoClient({ baseUrl: url, sessionToken: login.sessionToken, maxRetries: 0 }));
    const me = await session.whoami();
    assert.equal(String(me.id), "7");
    await session.listDatasetsPage(10, 0);
  });

  await step(t, "a dataset without a stream, and deletes", async () => {
    const bare = await domo.createDatasetWithoutStream("types: bare", columns, { description: "no stream" });
    const bareId = bare.dataSource.dataSourceId;
    await domo.createDatasetWithoutStream("types: bare 2", columns);
    await domo.getDataset(bareId);
    await domo.renameDataset(bareId, "types: bare renamed");
    await domo.deleteDataset(bareId, { deleteMethod: "soft" });
    await domo.deleteDataset(id);
    await domo.listDatasetsPage(50, 0);
  });

  await step(t, "failures reject with DomoErrors", async () => {
    await assert.rejects(domo.getDataset("00000000-0000-4000-8000-0000000000ff"), (e) => e.status === 404);
    await assert.rejects(domo.query(demo, "SELEKT nothing"), (e) => e.status === 400);
    await assert.rejects(domo.getDataset(".."), (e) => e.kind === "InvalidInput");
    await assert.rejects(domo.login("east@example.com", `${password}-wrong`), (e) => isDomoError(e));
    const rowsOff = domo.uploadCsv(demo, "a,b\n", { header: "present" });
    await assert.rejects(rowsOff, (e) => e.kind === "InvalidInput");
  });

  await step(t, "retries are reported as declared", async () => {
    const events = [];
    const faulty = checking(
      new DomoClient({
        baseUrl: faultyUrl,
        token: "dev-token",
        maxRetries: 10,
        onRetry: (e) => {
          conform("an onRetry event", "RetryEvent", "/definitions/RetryEvent", e);
          events.push(e);
        },
      }),
    );
    // Half the requests of the faulty emulator get a 429: one of 40 calls
    // is retried unless the fault generator is broken.
    for (let i = 0; i < 40 && events.length === 0; i++) await faulty.getDataset(demo);
    assert.ok(events.length > 0, "no request was retried");
  });

  await step(t, "inside a custom app", async () => {
    // What the app host injects into the page.
    globalThis.__RYUU_SID__ = "dev-token";
    try {
      const app = checking(DomoClient.inApp({ baseUrl: appUrl, maxRetries: 0 }));
      const all = await app.appData("sales");
      assert.ok(all.length > 0);
      await app.appData("sales", { fields: ["Region", "Units"], orderBy: "Units descending", limit: 3, offset: 1 });
      await app.appData("sales", { filter: "Units > 5", groupBy: "Region", fields: ["Region", "Units"] });
      // Every key of the Data API, conditions as objects and as text.
      const byMonth = await app.appData("sales", {
        fields: ["Order Date", "Revenue"],
        filter: [
          { field: "Units", op: ">", value: 0 },
          { field: "Region", op: "in", values: ["East", "West", "North", "South", "Central"] },
          { field: "Order Date", op: ">=", value: new Date("2024-01-01T00:00:00Z") },
          "'Region' !is null",
        ],
        dateGrain: "'Order Date' by month",
        calendar: "standard",
        sum: "Revenue",
      });
      assert.equal(byMonth.length, 12, JSON.stringify(byMonth[0]));
      assert.ok("CalendarMonth" in byMonth[0], JSON.stringify(byMonth[0]));
      const stats = await app.appData("sales", {
        fields: ["Region", "Units", "Unit Price", "Revenue", "Order Date", "Shipped At"],
        groupBy: "Region",
        sum: "Units",
        avg: "Unit Price",
        count: "Revenue",
        min: "Order Date",
        max: "Shipped At",
        orderBy: "Region",
        useBeastMode: false,
      });
      assert.ok(stats.length >= 5);
      await app.appData("sales", { fields: ["Region"], unique: "Region" });
      const table = await app.appData("sales", { format: "arrays", fields: ["Region", "Units"], limit: 2 });
      assert.deepEqual(table.columns, ["Region", "Units"]);
      const csv = await app.appData("sales", { format: "csv", fields: ["Region"], limit: 2 });
      assert.match(csv, /^Region\r?\n/);
      const xlsx = await app.appData("sales", { format: "excel", limit: 2 });
      assert.ok(Buffer.from(xlsx, "base64").subarray(0, 2).equals(Buffer.from("PK")), "an .xlsx is a zip");
      // A key the Data API does not have is refused, named.
      await assert.rejects(app.appData("sales", { groupby: "Region" }), (e) => e.kind === "InvalidInput" && /`groupby`.*`groupBy`/.test(e.message));
      await assert.rejects(app.appData("sales", { filter: { field: "Units", op: "=~", value: 1 } }), (e) => /unknown operator/.test(e.message));
      await app.appSql("sales", "SELECT Region, COUNT(*) AS n, AVG(Units) AS mean FROM sales GROUP BY Region");
      await app.appSql("sales", "SELECT * FROM sales LIMIT 5");
      const me = await app.environment();
      assert.ok(me.userId !== undefined);
      await app.users();
      await app.users({ includeDetails: false, limit: 2, offset: 1 });

      // AppDB: the `orders` collection of web/demo-app/manifest.json.
      const orders = checking(app.appDb("orders"), "AppCollection.");
      const order = (units) => ({ Region: "East", Units: units, Revenue: units * 2.5, "Order Date": "2024-03-01" });
      const doc = await orders.create(order(1));
      await orders.get(doc.id);
      await orders.update(doc.id, order(2));
      assert.equal(await orders.partialUpdate({ "content.Units": 2 }, { $inc: { "content.Units": 1 } }), 1);
      await orders.bulkCreate([{ content: order(5) }, { content: order(7) }]);
      const big = await orders.query({ "content.Units": { $gte: 5 } }, { orderBy: "content.Units descending", limit: 10 });
      assert.deepEqual(big.map((d) => d.content.Units), [7, 5]);
      await orders.query();
      await orders.bulkUpsert([{ id: big[0].id, content: order(8) }]);
      const sums = await orders.aggregate({ groupBy: "content.Region", count: "n", sum: "content.Units units" });
      assert.deepEqual(sums.map((r) => [r.n, r.units]), [[3, 16]]);
      await assert.rejects(orders.create({ Units: "many" }), (e) => e.status === 400 && /Units/.test(e.message));
      await app.syncAppDb();
      assert.equal((await app.appData("orders")).length, 3);
      const docs = await orders.list();
      await orders.delete(docs[0].id);
      await orders.bulkDelete(docs.slice(1).map((d) => d.id));
      assert.deepEqual(await orders.list(), []);
      await app.syncAppDb();

      // The product API is refused at once, naming the rule.
      await assert.rejects(app.getDataset(demo), (e) => e.kind === "InvalidInput" && /backend services/.test(e.message));
      await assert.rejects(app.query(demo, "SELECT 1"), (e) => /appData/.test(e.message));
      // Outside a Domo page nothing is heard: the listeners only register.
      const stop = app.onDataUpdated(() => {});
      stop();
      app.onFiltersUpdated(() => {})();
      app.free();
    } finally {
      delete globalThis.__RYUU_SID__;
    }
  });
});

// ---- nothing skipped ---------------------------------------------------------

// Members of the client that send no request and so have no reply to check.
const NO_REPLY = {
  constructor: "the class itself",
  appDb: "returns an AppCollection, whose methods are checked as AppCollection.* below",
  onDataUpdated: "registers a listener for the Domo page's messages (page.e2e.mjs hears them); returns its cancel",
  onFiltersUpdated: "registers a listener for the Domo page's messages (page.e2e.mjs hears them); returns its cancel",
  free: "releases the client's wasm memory; no request, returns nothing",
  __destroy_into_raw: "wasm-bindgen's own helper of `free`",
};
// Static members, none of which sends a request.
const STATICS = {
  inApp: "makes a client (the custom app steps above use it)",
  __wrap: "wasm-bindgen's own helper that makes a client from wasm memory",
};

test("every method of the package was called and its reply checked", (t) => {
  const members = Object.getOwnPropertyNames(DomoClient.prototype).filter((m) => !Object.hasOwn(NO_REPLY, m));
  const declared = Object.keys(replies.properties);
  const undeclared = members.filter((m) => !declared.includes(m));
  assert.deepEqual(undeclared, [], "methods of DomoClient with no reply type in MethodReplies");
  const stale = declared.filter((m) => !members.includes(m));
  assert.deepEqual(stale, [], "MethodReplies entries that are not methods of DomoClient");
  const skipped = members.filter((m) => !checked.has(m));
  assert.deepEqual(skipped, [], "methods this test never called (call them above, with realistic arguments)");
  const times = [...checked.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${times} replies of ${checked.size} methods checked against their declared types`);
  // The methods of what `appDb` returns, likewise.
  const collection = Object.getPrototypeOf(DomoClient.inApp({ baseUrl: appUrl }).appDb("orders"));
  const collectionMembers = Object.getOwnPropertyNames(collection).filter((m) => m !== "constructor");
  const collectionDeclared = Object.keys(definitions.AppCollectionReplies.properties);
  assert.deepEqual(collectionMembers.sort(), collectionDeclared.sort(), "AppCollection's methods and AppCollectionReplies");
  const collectionSkipped = collectionMembers.filter((m) => !checked.has(`AppCollection.${m}`));
  assert.deepEqual(collectionSkipped, [], "AppCollection methods this test never called");
  const statics = Object.getOwnPropertyNames(DomoClient).filter((m) => !["length", "name", "prototype"].includes(m));
  assert.deepEqual(statics.sort(), Object.keys(STATICS).sort(), "static members of DomoClient: classify a new one here");
});
