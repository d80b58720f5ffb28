//! The one path every single-request method takes. The methods themselves
//! are rows of `js/methods.js` that call [`DomoClient::call`] with the name
//! of a domo-core endpoint and its arguments: domo-core's `named::endpoint`
//! builds the endpoint (the same typed endpoint a Rust caller builds), the
//! transport sends it, and the reply goes to JavaScript as plain JSON, text
//! or `undefined`. Nothing here is compiled per endpoint, so a new one costs
//! the package its row in domo-core and a row of JavaScript.

use domo_core::Error;
use domo_core::named::{NamedEndpoint, Reply};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::{DomoClient, promise};
use crate::js::{to_js, to_json};
use crate::transport::exec;

#[wasm_bindgen]
impl DomoClient {
    /// Run one of domo-core's named endpoints (`"GetDataset"`,
    /// `"ListPermissions"`, ...) with its arguments, and the properties of
    /// `options` when given: what every method that sends one request does.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn call(
        &self,
        endpoint: String,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] args: JsValue,
        #[wasm_bindgen(unchecked_param_type = "object | null")] options: Option<js_sys::Object>,
    ) -> Promise {
        let built = json_args(&endpoint, &args, options.as_ref())
            .and_then(|a| domo_core::named::endpoint(&endpoint, &a));
        self.run(built)
    }
}

impl DomoClient {
    /// Send an endpoint and hand its reply to JavaScript.
    pub(crate) fn run(&self, endpoint: Result<NamedEndpoint, Error>) -> Promise {
        let t = self.transport.clone();
        let call = endpoint.and_then(|e| t.prepare(e, reply_js));
        promise(exec(t, call))
    }
}

/// `args` and the properties of `options` as one JSON object.
fn json_args(
    endpoint: &str,
    args: &JsValue,
    options: Option<&js_sys::Object>,
) -> Result<serde_json::Value, Error> {
    let not_object =
        |what: &str| Error::invalid_input(format!("{endpoint}: {what} must be an object"));
    let is_object = |v: &JsValue| v.is_object() && !js_sys::Array::is_array(v);
    if !is_object(args) {
        return Err(not_object("the arguments"));
    }
    let Some(options) = options else {
        return to_json(args);
    };
    if !is_object(options) {
        return Err(not_object("the options"));
    }
    let merged = js_sys::Object::assign(&js_sys::Object::new(), options);
    to_json(&js_sys::Object::assign(&merged, args.unchecked_ref()))
}

fn reply_js(reply: Reply) -> Result<JsValue, Error> {
    match reply {
        Reply::Json(value) => to_js(&value),
        Reply::Text(text) => Ok(JsValue::from_str(&text)),
        Reply::Empty => Ok(JsValue::UNDEFINED),
    }
}
