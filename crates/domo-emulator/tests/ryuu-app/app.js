// An app as authors write them: ryuu.js (`domo`) for requests and host
// messages, @domoinc/query (its UMD build: `Query` is the global `default`)
// for Data API URLs and its cookie-authenticated XHR. Every call records a
// check; the page sets data-ready when all have run.
"use strict";
const Query = window["default"];
const checks = {};
const events = [];
window.checks = checks;
window.appEvents = events;

function show() {
  document.getElementById("checks").textContent = JSON.stringify(checks, null, 1);
  document.getElementById("events").textContent = JSON.stringify(events);
}

async function check(name, run, verify) {
  try {
    const value = await run();
    const problem = verify(value);
    checks[name] = problem ? { ok: false, detail: problem, value } : { ok: true };
  } catch (e) {
    checks[name] = { ok: false, detail: String(e && (e.body || e.message || e)) };
  }
  show();
}

const rows = (v) => (Array.isArray(v) ? null : "not an array: " + JSON.stringify(v));
const NOTES = "/domo/datastores/v1/collections/notes/documents";

async function main() {
  // Data API through ryuu.js, in every format.
  await check("data objects", () => domo.get("/data/v1/sales?fields=region,units&limit=5"),
    (v) => rows(v) || (v.length === 5 && "region" in v[0] && "units" in v[0] ? null : JSON.stringify(v)));
  await check("data arrays", () => domo.get("/data/v2/sales?fields=region,units&limit=2", { format: "array-of-arrays" }),
    (v) => (v.columns && v.columns.join() === "region,units" && v.rows.length === 2 && v.metadata[1].type === "LONG"
      ? null : JSON.stringify(v)));
  await check("data csv", () => domo.get("/data/v1/sales?fields=region&limit=1", { format: "csv" }),
    (v) => (typeof v === "string" && v.startsWith("region\n") ? null : JSON.stringify(v)));
  await check("data excel", () => domo.get("/data/v1/sales?fields=region&limit=1", { format: "excel" }),
    (v) => (typeof v === "string" && v.startsWith("UEsDB") ? null : String(v).slice(0, 40)));

  // @domoinc/query: its URLs and its XHR, which carries only the cookie.
  await check("query groupBy", () => new Query()
    .select(["region", "units"]).where("region").isNotNull().groupBy("region").orderBy("region").fetch("sales"),
    (v) => rows(v) || (v.length > 1 && v[0].region && typeof v[0].units === "number" ? null : JSON.stringify(v)));
  await check("query filters", () => new Query()
    .select(["region", "units", "day"]).where("region").in(["East", "West"]).where("units").gte(10)
    .where("day").gte(new Date(Date.UTC(2000, 0, 1))).limit(3).fetch("sales"),
    (v) => rows(v) || (v.length === 3 && v.every((r) => ["East", "West"].includes(r.region) && r.units >= 10)
      ? null : JSON.stringify(v)));
  await check("query dateGrain", () => new Query()
    .select(["day", "revenue"]).dateGrain("day", "month").where("day").isNotNull().orderBy("day").fetch("sales"),
    (v) => rows(v) || (v.length > 0 && /^\d{4}-\d{2}-01$/.test(v[0].CalendarMonth) && !("day" in v[0])
      ? null : JSON.stringify(v)));
  await check("query periods", () => new Query()
    .select(["units"]).rollingPeriod("day", "years", 100).aggregate({ units: "sum" }).fetch("sales"),
    (v) => rows(v) || (v.length === 1 && v[0].units > 0 ? null : JSON.stringify(v)));
  await check("query previous period", () => new Query()
    .select(["units"]).previousPeriod("day", "month").periodToDate("day", "year").fetch("sales"),
    (v) => rows(v));

  // SQL API, as the docs call it.
  await check("sql", () => domo.post("/sql/v1/sales",
    "SELECT region, SUM(units) AS n FROM sales WHERE region IS NOT NULL GROUP BY region ORDER BY region",
    { contentType: "text/plain" }),
    (v) => (v.columns && v.columns.join() === "region,n" && v.rows.length > 1 ? null : JSON.stringify(v)));

  // AppDB: start from an empty collection (the app may have run before).
  await check("appdb bulk delete", async () => {
    const old = await domo.get(NOTES + "/");
    if (old.length === 0) return { Deleted: 0 };
    return domo.delete(NOTES + "/bulk?ids=" + old.map((d) => d.id).join(","));
  }, (v) => (typeof v.Deleted === "number" ? null : JSON.stringify(v)));
  let id = null;
  await check("appdb create", async () => {
    const doc = await domo.post(NOTES + "/", { content: { text: "hello", n: 1 } });
    id = doc.id;
    return doc;
  }, (v) => (v.id && v.content.text === "hello" && v.syncRequired === true ? null : JSON.stringify(v)));
  await check("appdb bulk", () => domo.post(NOTES + "/bulk", [{ content: { text: "a", n: 2 } }, { content: { text: "b", n: 3 } }]),
    (v) => (v.Created === 2 ? null : JSON.stringify(v)));
  await check("appdb query", () => domo.post(NOTES + "/query", { "content.n": { $gte: 2 } }),
    (v) => rows(v) || (v.length === 2 ? null : JSON.stringify(v)));
  await check("appdb aggregate", () => domo.post(NOTES + "/query?count=docs&sum=content.n%20total", {}),
    (v) => (JSON.stringify(v) === JSON.stringify([{ docs: 3, total: 6 }]) ? null : JSON.stringify(v)));
  await check("appdb update", () => domo.put(NOTES + "/update",
    { query: { "content.text": "a" }, operation: { $inc: { "content.n": 10 } } }),
    (v) => (v === 1 ? null : JSON.stringify(v)));
  await check("appdb get", () => domo.get(NOTES + "/" + id),
    (v) => (v.id === id ? null : JSON.stringify(v)));
  await check("appdb schema", () => domo.post(NOTES, { content: { n: "many" } }).then(
    (v) => ({ unexpected: v }), (e) => ({ status: e.status, body: e.body })),
    (v) => (v.status === 400 && v.body.includes("content.n") ? null : JSON.stringify(v)));

  // Services.
  let env = null;
  await check("environment", async () => (env = await domo.get("/domo/environment/v1")),
    (v) => (v.userId === 1 && v.customer === "emulator" ? null : JSON.stringify(v)));
  await check("users", () => domo.get("/domo/users/v1?includeDetails=true&limit=10"),
    (v) => rows(v) || (v.length >= 1 && v[0].detail && v[0].detail.email ? null : JSON.stringify(v)));
  await check("user", () => domo.get("/domo/users/v1/" + env.userId),
    (v) => (v.id === env.userId ? null : JSON.stringify(v)));
  await check("group", () => domo.get("/domo/groups/v1/3"),
    (v) => (v.name === "East team" && v.userIds.includes(7) ? null : JSON.stringify(v)));
  await check("env from the page", () => domo.env,
    (v) => (v.userId === "1" && v.customer === "emulator" && v.platform === "desktop" ? null : JSON.stringify(v)));

  document.body.dataset.ready = "true";
}

document.getElementById("listen").onclick = () => {
  domo.onDataUpdated((alias) => {
    events.push("dataUpdated:" + alias);
    domo.get("/data/v1/" + alias + "?limit=1").then(() => {
      events.push("refetched:" + alias);
      show();
    });
    show();
  });
  domo.onFiltersUpdated((filters) => {
    events.push("filtersUpdated:" + JSON.stringify(filters));
    show();
  });
  domo.onVariablesUpdated((v) => { events.push("variablesUpdated:" + JSON.stringify(v)); show(); });
  domo.onAppDataUpdated((v) => { events.push("appDataUpdated:" + JSON.stringify(v)); show(); });
  document.body.dataset.listening = "true";
};
document.getElementById("filter").onclick = () => {
  domo.requestFiltersUpdate(
    [{ column: "region", operator: "IN", values: ["East"], dataType: "STRING" }],
    true,
    () => { events.push("filter acknowledged"); show(); },
    (filters) => { events.push("filter replied:" + JSON.stringify(filters)); show(); },
  );
};
// Page variables and app data: the emulator's page acknowledges them and
// does nothing else (it has no variables, and no app data to keep).
document.getElementById("variables").onclick = () =>
  domo.requestVariablesUpdate(
    [{ functionId: 1, value: 5 }],
    () => { events.push("variables acknowledged"); show(); },
    (v) => { events.push("variables replied:" + JSON.stringify(v)); show(); },
  );
document.getElementById("appdata").onclick = () =>
  domo.requestAppDataUpdate(
    { note: "kept nowhere" },
    () => { events.push("appData acknowledged"); show(); },
    (v) => { events.push("appData replied:" + JSON.stringify(v)); show(); },
  );
document.getElementById("navigate").onclick = () => domo.navigate("/page/somewhere", true);
document.getElementById("export").onclick = () =>
  domo.post("/domo/datastores/v1/export").then((r) => { events.push("exported:" + JSON.stringify(r.exported)); show(); });

main();
