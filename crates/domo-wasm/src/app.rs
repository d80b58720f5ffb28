//! Inside a Domo custom app: the client on the app's own session and
//! origin. The Data API methods (`appData`, `appSql`) are rows of
//! `js/methods.js`.

use domo_core::{BaseUrl, Config, Credentials, Error, Secret};
use wasm_bindgen::prelude::*;

use crate::client::{DomoClient, arg};
use crate::js::{Options, domo_error};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "InAppOptions")]
    pub type InAppOptionsArg;
}

#[wasm_bindgen]
impl DomoClient {
    /// A client for code running inside a Domo custom app: relative URLs
    /// (the app's own origin) and the app's session from
    /// `window.__RYUU_SID__` (`X-DOMO-Ryuu-Session`), or from
    /// `window.__RYUU_AUTHENTICATION_TOKEN__` (`X-DOMO-Ryuu-Token`) on older
    /// embeds; with neither, no auth header (the session cookie applies).
    #[wasm_bindgen(js_name = inApp)]
    pub fn in_app(options: Option<InAppOptionsArg>) -> Result<DomoClient, JsValue> {
        DomoClient::build_in_app(&arg(options)).map_err(|e| domo_error(&e))
    }
}

impl DomoClient {
    fn build_in_app(options: &JsValue) -> Result<DomoClient, Error> {
        let o = Options::new(options, "inApp options")?;
        let base = match &o.string("baseUrl")? {
            Some(u) => BaseUrl::parse(u)?,
            None => BaseUrl::relative(),
        };
        let global = js_sys::global();
        let read = |name: &str| {
            js_sys::Reflect::get(&global, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty())
        };
        let credentials = match (read("__RYUU_SID__"), read("__RYUU_AUTHENTICATION_TOKEN__")) {
            (Some(sid), _) => Credentials::RyuuSession(Secret::new(sid)),
            (None, Some(token)) => Credentials::RyuuToken(Secret::new(token)),
            (None, None) => Credentials::None,
        };
        let mut config = Config::new(base, credentials);
        // Whatever the URL (an emulator's, in tests), code in an app
        // reaches only the in-app APIs.
        config.in_app = true;
        DomoClient::with(config, &o)
    }
}
