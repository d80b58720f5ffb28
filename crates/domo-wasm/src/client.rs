//! `DomoClient` and its constructor: where requests go, how they
//! authenticate, and the transport options (`timeoutMs`, `maxRetries`,
//! `onRetry`) both constructors read. `DomoClient.inApp` is in `app.rs`.

use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use domo_core::{BaseUrl, Config, Credentials, Error, RetryPolicy};
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::js::{Options, domo_error};
use crate::json::Js;
use crate::transport::{self, RetryEvent, Transport};

/// A client for Domo's Datasets API. Every method returns a Promise that
/// rejects with a `DomoError`.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct DomoClient {
    pub(crate) transport: Rc<Transport>,
}

#[wasm_bindgen]
impl DomoClient {
    /// A client for a Domo instance (or an emulator) with a developer or
    /// session token. Throws a `DomoError` on invalid options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "DomoClientOptions")] options: JsValue,
    ) -> Result<DomoClient, JsValue> {
        DomoClient::build(&options).map_err(|e| domo_error(&e))
    }

    /// Run one of domo-core's declared endpoints (`"GetDataset"`,
    /// `"ListPermissions"`, ...) with its arguments, and the properties of
    /// `options` when given: what every method that sends one request does.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn call(
        &self,
        endpoint: String,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] args: JsValue,
        #[wasm_bindgen(unchecked_param_type = "object | null")] options: Option<js_sys::Object>,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let spec = domo_core::spec(&endpoint).ok_or_else(|| {
                Error::invalid_input(format!("there is no endpoint named {endpoint:?}"))
            })?;
            // With client credentials, the public API's same request in
            // place of the product API's (`exportCsv`, `query`).
            #[cfg(feature = "public-api")]
            let spec = match domo_core::spec::same_call(spec.name).and_then(domo_core::spec) {
                Some(public) if t.config.credentials.is_public_api() => public,
                _ => spec,
            };
            let args = Js(merged(spec, args, options)?);
            let prepared = {
                let args = domo_core::args::ObjectArgs::new(spec, &args)?;
                t.config.prepare_spec(spec, &args)?
            };
            t.send(spec, &prepared, None).await.result
        })
    }
}

/// `args` and the properties of `options` as one object (`null` or
/// `undefined` args read as none).
fn merged(
    spec: &domo_core::Spec,
    args: JsValue,
    options: Option<js_sys::Object>,
) -> Result<JsValue, Error> {
    let not_object =
        |what: &str| Error::invalid_input(format!("{}: {what} must be an object", spec.name));
    let is_object = |v: &JsValue| v.is_object() && !js_sys::Array::is_array(v);
    if !(args.is_null() || args.is_undefined() || is_object(&args)) {
        return Err(not_object("the arguments"));
    }
    let Some(options) = options else {
        return Ok(args);
    };
    if !is_object(&options) {
        return Err(not_object("the options"));
    }
    let merged = js_sys::Object::assign(&js_sys::Object::new(), &options);
    if is_object(&args) {
        js_sys::Object::assign(&merged, args.unchecked_ref());
    }
    Ok(merged.into())
}

impl DomoClient {
    fn build(options: &JsValue) -> Result<DomoClient, Error> {
        let o = Options::new(options, "DomoClient options")?;
        let client_id = o.string("clientId")?;
        let secret = o.string("clientSecret")?;
        let credentials = match (o.string("token")?, o.string("sessionToken")?) {
            _ if client_id.is_some() || secret.is_some() => {
                client_credentials(&o, client_id, secret)?
            }
            (Some(t), None) => Credentials::developer_token(t),
            (None, Some(s)) => Credentials::session_token(s),
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "give a developer token or a session token, not both",
                ));
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    "no token configured: set `token` (a developer token) or `sessionToken`",
                ));
            }
        };
        let base = BaseUrl::for_credentials(
            &credentials,
            o.string("instance")?.as_deref(),
            o.string("baseUrl")?.as_deref(),
            o.bool("allowInsecureHttp")?.unwrap_or(false),
        )?;
        DomoClient::with(Config::new(base, credentials), &o)
    }

    /// A client for `config` with the transport options of `o`.
    pub(crate) fn with(config: Config, o: &Options<'_>) -> Result<DomoClient, Error> {
        let mut retry = RetryPolicy::default();
        if let Some(n) = o.integer("maxRetries", 0)? {
            retry.max_attempts = u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1);
        }
        let timeout = match o.number("timeoutMs")? {
            None => Some(domo_core::DEFAULT_TIMEOUT),
            Some(ms) if ms.is_finite() && ms > 0.0 => Some(Duration::from_secs_f64(ms / 1000.0)),
            Some(0.0) => None,
            Some(ms) => {
                // JavaScript writes the number: Rust's float formatting
                // would cost the package kilobytes.
                let ms = String::from(
                    js_sys::Number::from(ms)
                        .to_string_with_radix(10)
                        .unwrap_or_default(),
                );
                return Err(Error::invalid_input(format!(
                    "timeoutMs must be a non-negative number of milliseconds, got {ms}"
                )));
            }
        };
        let on_retry = o.function("onRetry")?.map(|f| {
            Box::new(move |event: &RetryEvent<'_>| {
                let obj = js_sys::Object::new();
                let set = |k: &str, v: JsValue| {
                    let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &v);
                };
                set("attempt", JsValue::from_f64(f64::from(event.attempt)));
                set(
                    "delayMs",
                    JsValue::from_f64(event.delay.as_secs_f64() * 1000.0),
                );
                set("error", domo_error(event.error));
                // A throwing callback must not break the call.
                let _ = f.call1(&JsValue::NULL, &obj);
            }) as transport::RetryHook
        });
        Ok(DomoClient {
            transport: Rc::new(Transport {
                #[cfg(feature = "public-api")]
                oauth: match &config.credentials {
                    Credentials::Client(client) => Some(crate::oauth::OAuth::new(client)),
                    _ => None,
                },
                config,
                retry,
                timeout,
                on_retry,
            }),
        })
    }
}

/// OAuth client credentials (`clientId`, `clientSecret`, `scopes`), which
/// only the Node build takes: a secret in a web page is readable by anyone
/// who opens it.
#[cfg(feature = "public-api")]
fn client_credentials(
    o: &Options<'_>,
    client_id: Option<String>,
    secret: Option<String>,
) -> Result<Credentials, Error> {
    if o.string("token")?.is_some() || o.string("sessionToken")?.is_some() {
        return Err(Error::invalid_input(
            "give a token or OAuth client credentials (clientId, clientSecret), not both",
        ));
    }
    let (Some(id), Some(secret)) = (client_id, secret) else {
        return Err(Error::invalid_input(
            "OAuth client credentials need both `clientId` and `clientSecret`",
        ));
    };
    let mut scopes = Vec::new();
    if let Some(list) = o.object::<js_sys::Array>("scopes", "an array of strings")? {
        for v in list.iter() {
            scopes.push(v.as_string().ok_or_else(|| {
                Error::invalid_input("DomoClient options: `scopes` must be an array of strings")
            })?);
        }
    }
    let client = domo_core::secret::ClientCredentials::new(id, secret).scopes(scopes);
    Ok(Credentials::Client(client))
}

/// The browser build refuses client credentials (see above).
#[cfg(not(feature = "public-api"))]
fn client_credentials(
    _: &Options<'_>,
    _: Option<String>,
    _: Option<String>,
) -> Result<Credentials, Error> {
    Err(Error::invalid_input(
        "the browser build of this package does not take OAuth client credentials (clientId, clientSecret): a client secret must never reach a web page; use a developer token here, or the package from Node (its Node entry takes them)",
    ))
}

/// Run `future` as a Promise; errors reject as `DomoError`s.
pub(crate) fn promise(future: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    future_to_promise(async move { future.await.map_err(|e| domo_error(&e)) })
}

/// An optional argument as a plain value (`undefined` when absent).
pub(crate) fn arg<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map(Into::into).unwrap_or(JsValue::UNDEFINED)
}
