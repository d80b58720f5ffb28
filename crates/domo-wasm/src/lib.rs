#![doc = include_str!("../README.md")]

// The client and its construction; the one entry every single-request
// method calls (`named`, under the rows of `js/methods.js`); then, per API
// area as domo-core's, the `#[wasm_bindgen] impl DomoClient` blocks of the
// methods that need more than one request or arguments JSON cannot carry,
// with the option parsing they read.
mod app;
mod client;
mod named;
mod partitions;
mod uploads;

// Crossing into JavaScript, and the request loop over `fetch`.
mod js;
mod transport;

pub use client::DomoClient;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// The methods `js/methods.js` installs.
#[wasm_bindgen(typescript_custom_section)]
const METHOD_TYPES: &str = include_str!("methods.d.ts");

/// Generated from domo-model (see `domo_model::typescript`).
#[wasm_bindgen(typescript_custom_section)]
const MODEL_TYPES: &str = include_str!("model.d.ts");

/// Whether `value` is an error thrown by this package.
#[wasm_bindgen(js_name = isDomoError, unchecked_return_type = "value is DomoError")]
pub fn is_domo_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue) -> bool {
    js::is_domo_error(value)
}
