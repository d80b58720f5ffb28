// The Domo page's messages to a custom app (onDataUpdated,
// onFiltersUpdated), in the protocol ryuu.js 5.1.4 speaks: the app posts
// `subscribe` to the parent window with a MessagePort, and the page sends
// `dataUpdated` {alias, requestId} and `filtersUpdated` {filters,
// requestId} through it. While the event has a listener, the app answers
// `ack` on the port a message carries (without one, the page reloads the
// app on a data update). Hand-written: no request is sent, so nothing
// here is in domo-core's declarations. `cargo xtask web` appends this file
// to methods.js; web/test/page.e2e.mjs runs it against the emulator's page.

const listeners = { dataUpdated: new Set(), filtersUpdated: new Set() };
let subscribed = false;

/** Subscribe to the page once, when the first listener is added. */
function subscribe() {
  if (subscribed || typeof window === "undefined" || window.parent === window) return;
  subscribed = true;
  const channel = new MessageChannel();
  channel.port1.onmessage = (e) => {
    const m = e.data;
    const heard = m && listeners[m.event];
    if (!heard || heard.size === 0) return;
    const value = m.event === "dataUpdated" ? m.alias : m.filters;
    const ack = { requestId: m.requestId, event: "ack" };
    ack[m.event === "dataUpdated" ? "alias" : "filters"] = value;
    // Only on the port the message carries, as ryuu.js does: a message
    // without one is not answered.
    e.ports[0]?.postMessage(ack);
    for (const listener of [...heard]) {
      try {
        listener(value);
      } catch (err) {
        // One listener's failure must not stop the others.
        setTimeout(() => {
          throw err;
        });
      }
    }
  };
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  window.parent.postMessage(JSON.stringify({ requestId: id, event: "subscribe", skipFilters: false }), "*", [
    channel.port2,
  ]);
}

function listen(event) {
  return function (listener) {
    if (typeof listener !== "function") throw new TypeError(`on${event[0].toUpperCase()}${event.slice(1)}: the listener must be a function`);
    listeners[event].add(listener);
    subscribe();
    return () => listeners[event].delete(listener);
  };
}

/** Add `onDataUpdated` and `onFiltersUpdated` to `DomoClient.prototype`. */
export function installHost(DomoClient) {
  for (const event of ["dataUpdated", "filtersUpdated"]) {
    const method = `on${event[0].toUpperCase()}${event.slice(1)}`;
    const value = listen(event);
    Object.defineProperty(value, "name", { value: method });
    Object.defineProperty(DomoClient.prototype, method, { value, writable: true, configurable: true });
  }
}
