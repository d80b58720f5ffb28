// The demo custom app: `domo-emulator --demo --app web/demo-app` serves this
// folder (open /page for the Domo page that frames it). It does only what
// an app can do in Domo: it reads the datasets manifest.json maps through
// the Data and SQL APIs (never /api, which Domo keeps for backend
// services), writes through the AppDB collection `orders`, syncs it into
// its dataset (mapped as `orders`), and redraws when the page says a
// dataset changed (onDataUpdated). `cargo xtask web` copies the built
// package into ./pkg/.
import { DomoClient, isDomoError } from "./pkg/index.js";

const $ = (id) => document.getElementById(id);
const domo = DomoClient.inApp({ timeoutMs: 30000 });
const orders = domo.appDb("orders");

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
      td.textContent = v === null || v === undefined ? "∅" : String(v);
      if (typeof v === "number") td.className = "num";
    }
  }
}

/** Revenue by month of a mapped dataset: `{"2024-01": 99801.24, ...}`. */
async function revenueByMonth(alias) {
  const rows = await domo.appData(alias, {
    fields: ["Order Date", "Revenue"],
    filter: { field: "Order Date", op: "!is null" },
    dateGrain: "'Order Date' by month",
    sum: "Revenue",
    orderBy: "Order Date",
  });
  return Object.fromEntries(rows.map((r) => [String(r.CalendarMonth).slice(0, 7), Number(r.Revenue)]));
}

const SVG = "http://www.w3.org/2000/svg";
function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const short = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Bars per month: the dataset's revenue, and the synced AppDB orders' stacked on it. */
function drawChart(sales, synced) {
  const months = [...new Set([...Object.keys(sales), ...Object.keys(synced)])].sort();
  const width = 880, height = 300, left = 56, bottom = 28, top = 16;
  const max = Math.max(1, ...months.map((m) => (sales[m] ?? 0) + (synced[m] ?? 0)));
  const step = (width - left) / Math.max(months.length, 1);
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(el("line", { x1: left, x2: width, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, short.format(v)));
  }
  months.forEach((m, i) => {
    const x = left + i * step + step * 0.15;
    const w = step * 0.7;
    const base = sales[m] ?? 0;
    const extra = synced[m] ?? 0;
    const bar = el("rect", { x, y: y(base), width: w, height: y(0) - y(base), class: "bar", "data-month": m });
    bar.append(el("title", {}, `${m}: ${money.format(base)}`));
    svg.append(bar);
    if (extra > 0) {
      const app = el("rect", { x, y: y(base + extra), width: w, height: y(base) - y(base + extra), class: "bar synced", "data-month": m });
      app.append(el("title", {}, `${m}: ${money.format(extra)} from AppDB orders`));
      svg.append(app);
    }
    const label = new Date(`${m}-01T00:00:00Z`).toLocaleString("en-US", { month: "short", timeZone: "UTC" });
    svg.append(el("text", { x: x + w / 2, y: height - 8, class: "axis", "text-anchor": "middle" }, label));
  });
  $("chart").replaceChildren(svg);
  const total = months.reduce((t, m) => t + (sales[m] ?? 0) + (synced[m] ?? 0), 0);
  $("total").textContent = money.format(total);
  $("chart").dataset.months = String(months.length);
  $("chart").dataset.total = total.toFixed(2);
  $("chart").dataset.synced = Object.values(synced).reduce((a, b) => a + b, 0).toFixed(2);
}

// The synced orders' dataset exists once the collection is first synced;
// until the page says it changed, the chart has only the sales.
let salesByMonth = {};
let syncedByMonth = {};

async function refresh(alias) {
  if (alias === undefined || alias === "sales") salesByMonth = await revenueByMonth("sales");
  if (alias === "orders") syncedByMonth = await revenueByMonth("orders");
  drawChart(salesByMonth, syncedByMonth);
}

async function showOrders() {
  const docs = await orders.list();
  const pending = docs.filter((d) => d.syncRequired).length;
  render(
    $("orders"),
    ["Region", "Units", "Revenue", "Order Date", "synced"],
    docs.map((d) => [d.content.Region, d.content.Units, d.content.Revenue, d.content["Order Date"], d.syncRequired ? "pending" : "yes"]),
  );
  $("orders").dataset.count = String(docs.length);
  $("sync").disabled = pending === 0;
  return pending;
}

$("order-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await orders.create({
      Region: $("region").value,
      Units: Number($("units").value),
      Revenue: Number($("revenue").value),
      "Order Date": $("date").value,
    });
    const pending = await showOrders();
    $("order-status").textContent = `Saved to AppDB; ${pending} order(s) wait for the sync.`;
  } catch (e) {
    $("order-status").textContent = explain(e);
  }
});

$("sync").addEventListener("click", async () => {
  $("sync").disabled = true;
  try {
    // The page announces the new version of the orders dataset:
    // onDataUpdated below redraws the chart.
    await domo.syncAppDb();
    await showOrders();
    $("order-status").textContent = "Synced: the orders dataset has a new version.";
  } catch (e) {
    $("order-status").textContent = explain(e);
    $("sync").disabled = false;
  }
});

domo.onDataUpdated(async (alias) => {
  try {
    await refresh(alias);
    $("status").dataset.updated = alias;
    $("status").textContent = `Dataset "${alias}" changed: redrawn at ${new Date().toLocaleTimeString()}.`;
  } catch (e) {
    $("status").textContent = explain(e);
  }
});

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

try {
  const [me] = await Promise.all([domo.environment(), refresh(), showOrders()]);
  $("status").textContent = `Signed in as ${me.userName ?? me.userId} on ${me.host ?? location.host}.`;
  document.body.dataset.ready = "true";
} catch (e) {
  $("status").textContent = explain(e);
  $("status").className = "error";
}
