// A custom app that listens to the Domo page through the package, as an
// author writes one (`cargo xtask web` copies the built package into
// ./pkg/); web/test/page.e2e.mjs drives it on `domo-emulator --app`. Two
// listeners of each kind record what they hear in `window.app.heard`
// ([listener, value] pairs, in order); the test stops them through the
// unsubscribe functions the package returned. The page's filters are
// requested with the message ryuu.js 5.1.4's requestFiltersUpdate posts
// (the package does not send it): the page applies them and tells them
// back to onFiltersUpdated, as it does with ryuu.js.
import { DomoClient } from "./pkg/index.js";

const domo = DomoClient.inApp({ timeoutMs: 30000 });
const heard = [];
const unsubscribe = {};

for (const [name, method] of [
  ["filters 1", "onFiltersUpdated"],
  ["filters 2", "onFiltersUpdated"],
  ["data 1", "onDataUpdated"],
  ["data 2", "onDataUpdated"],
]) {
  unsubscribe[name] = domo[method]((value) => {
    heard.push([name, value]);
    document.getElementById("heard").textContent = JSON.stringify(heard, null, 1);
  });
}

window.app = {
  heard,
  /** Stop the listener `name` with the function its registration returned. */
  stop(name) {
    unsubscribe[name]();
  },
  /** Ask the page to set `filters` (PageFilter objects), as ryuu.js does. */
  requestFilters(filters) {
    const request = {
      requestId: `filters-${heard.length}-${Math.random().toString(36).slice(2)}`,
      event: "filter",
      filter: filters.map((f) => ({
        columnName: f.column,
        operator: f.operator,
        values: f.values,
        dataType: f.dataType,
      })),
      pageStateUpdate: true,
    };
    window.parent.postMessage(JSON.stringify(request), "*");
  },
  /** Write a note to AppDB and export it into its dataset (mapped as `notes`). */
  async saveNote(text) {
    await domo.appDb("notes").create({ text });
    await domo.syncAppDb();
  },
};
document.body.dataset.ready = "true";
