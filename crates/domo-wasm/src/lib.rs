#![doc = include_str!("../README.md")]

// The client and its one entry for every declared endpoint (`call`, under
// the methods `js/methods.js` installs); then the methods that run more
// than one request, by API area.
mod app;
mod client;
mod partitions;
mod uploads;

// Crossing into JavaScript, its values as domo-core's JSON, and the
// request loop over `fetch`.
mod js;
mod json;
#[cfg(feature = "public-api")]
mod oauth;
mod transport;

pub use client::DomoClient;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// The methods `js/methods.js` installs (generated from domo-core's
/// declarations).
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

/// Talc instead of dlmalloc: the package's allocator on single-threaded
/// wasm (see Cargo.toml for why).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
