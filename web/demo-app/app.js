// The demo custom app: `domo-emulator --app web/demo-app --demo` serves this
// folder, injects window.__RYUU_SID__, and answers the alias routes.
// `cargo xtask web` copies the built package into ./pkg/.
import { DomoClient, isDomoError } from "./pkg/index.js";

const $ = (id) => document.getElementById(id);
const status = $("status");

const manifest = await (await fetch("./manifest.json")).json();
const sales = manifest.mapping.find((m) => m.alias === "sales");
const domo = DomoClient.inApp({ timeoutMs: 30000 });

function explain(e) {
  return isDomoError(e) ? `${e.kind}${e.status ? ` (HTTP ${e.status})` : ""}: ${e.message}` : String(e);
}

function render(table, columns, rows) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of row) {
      const td = tr.insertCell();
      td.textContent = v === null ? "∅" : String(v);
      if (typeof v === "number") td.className = "num";
    }
  }
}

async function rowCount() {
  const r = await domo.appSql("sales", "SELECT COUNT(*) AS n FROM sales");
  return Number(r.rows[0][0]);
}

async function refresh() {
  const [rows, n] = await Promise.all([domo.appData("sales", { limit: 25 }), rowCount()]);
  const columns = rows.length ? Object.keys(rows[0]) : [];
  render($("sales"), columns, rows.map((r) => columns.map((c) => r[c])));
  $("row-count").textContent = `${n} rows`;
  $("row-count").dataset.rows = String(n);
  return n;
}

$("sql-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("sql-error").textContent = "";
  try {
    const r = await domo.appSql("sales", $("sql").value);
    render($("sql-result"), r.columns, r.rows);
    $("sql-result").dataset.rows = String(r.numRows);
  } catch (e) {
    $("sql-result").replaceChildren();
    $("sql-error").textContent = explain(e);
  }
});

$("csv-file").addEventListener("change", () => {
  $("upload").disabled = !$("csv-file").files.length;
});

$("upload").addEventListener("click", async () => {
  const file = $("csv-file").files[0];
  if (!file) return;
  const bar = $("progress");
  $("upload").disabled = true;
  $("upload-status").textContent = `Uploading ${file.name}…`;
  try {
    const report = await domo.uploadCsv(sales.dataSetId, file, {
      action: "APPEND",
      partSize: 64 * 1024,
      onProgress: (p) => {
        bar.max = Math.max(p.totalBytes, 1);
        bar.value = p.bytesSent;
        $("upload-status").textContent = `Part ${p.partsDone} of ${p.partsTotal} sent…`;
      },
    });
    const n = await refresh();
    $("upload-status").textContent =
      `Uploaded ${report.rows} rows in ${report.parts} part(s); the dataset now has ${n} rows.`;
    $("upload-status").dataset.done = "true";
  } catch (e) {
    $("upload-status").textContent = explain(e);
    $("upload-status").className = "error";
  } finally {
    $("upload").disabled = false;
  }
});

try {
  await refresh();
  status.textContent = `Connected to ${location.host} as a custom app (alias "sales" → ${sales.dataSetId}).`;
  document.body.dataset.ready = "true";
} catch (e) {
  status.textContent = explain(e);
  status.className = "error";
}
