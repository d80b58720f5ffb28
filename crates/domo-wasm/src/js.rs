//! Crossing the JS boundary: options objects read property by property,
//! and errors as `DomoError`s. Values themselves cross as JavaScript values
//! ([`crate::json::Js`]), never as JSON text.

use domo_core::{Error, ErrorKind};
use wasm_bindgen::{JsCast, JsValue};

/// An options object passed from JS (`undefined` and `null` read as empty),
/// read property by property. Options are not model types, so they are read
/// with `Reflect.get` rather than through serde: a serde decoder per options
/// type costs the package more than the whole reader. Unknown properties
/// are ignored, as TypeScript's structural types expect.
pub(crate) struct Options<'a> {
    object: Option<&'a JsValue>,
    what: &'static str,
}

impl<'a> Options<'a> {
    /// `what` names the argument in errors (`DomoClient options`).
    pub(crate) fn new(value: &'a JsValue, what: &'static str) -> Result<Options<'a>, Error> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options { object: None, what });
        }
        if !value.is_object() || js_sys::Array::is_array(value) {
            return Err(Error::invalid_input(format!("{what} must be an object")));
        }
        Ok(Options {
            object: Some(value),
            what,
        })
    }

    /// A property; `None` when absent, `undefined` or `null`.
    fn get(&self, key: &str) -> Result<Option<JsValue>, Error> {
        let Some(object) = self.object else {
            return Ok(None);
        };
        let value = js_sys::Reflect::get(object, &JsValue::from_str(key))
            .map_err(|_| self.bad(key, "readable"))?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    fn bad(&self, key: &str, expected: &str) -> Error {
        Error::invalid_input(format!("{}: `{key}` must be {expected}", self.what))
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.get(key)?
            .map(|v| v.as_string().ok_or_else(|| self.bad(key, "a string")))
            .transpose()
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        self.get(key)?
            .map(|v| v.as_bool().ok_or_else(|| self.bad(key, "true or false")))
            .transpose()
    }

    pub(crate) fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        self.get(key)?
            .map(|v| v.as_f64().ok_or_else(|| self.bad(key, "a number")))
            .transpose()
    }

    /// A whole number from `min` up to 2^53 (JS's exact integers).
    pub(crate) fn integer(&self, key: &str, min: u64) -> Result<Option<u64>, Error> {
        match self.number(key)? {
            None => Ok(None),
            Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= MAX_SAFE_INTEGER => {
                Ok(Some(n as u64))
            }
            Some(_) if min == 0 => Err(self.bad(key, "a non-negative integer")),
            Some(_) => Err(self.bad(key, "a positive integer")),
        }
    }

    /// An object of JS class `T` (an `AbortSignal`), if any.
    pub(crate) fn object<T: JsCast>(&self, key: &str, expected: &str) -> Result<Option<T>, Error> {
        self.get(key)?
            .map(|v| v.dyn_into().map_err(|_| self.bad(key, expected)))
            .transpose()
    }

    /// A function-valued property, if any.
    pub(crate) fn function(&self, key: &str) -> Result<Option<js_sys::Function>, Error> {
        self.get(key)?
            .map(|v| v.dyn_into().map_err(|_| self.bad(key, "a function")))
            .transpose()
    }
}

/// 2^53 - 1: larger integers are not exact in a JS number.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The stable name of an error kind, as `DomoError.kind` carries it.
pub(crate) fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidInput => "InvalidInput",
        ErrorKind::Unauthorized => "Unauthorized",
        ErrorKind::Forbidden => "Forbidden",
        ErrorKind::NotFound => "NotFound",
        ErrorKind::Conflict => "Conflict",
        ErrorKind::PayloadTooLarge => "PayloadTooLarge",
        ErrorKind::RateLimited => "RateLimited",
        ErrorKind::RequestTimeout => "RequestTimeout",
        ErrorKind::BadRequest => "BadRequest",
        ErrorKind::Server => "Server",
        ErrorKind::Blocked => "Blocked",
        ErrorKind::Decode => "Decode",
        ErrorKind::Connect => "Connect",
        ErrorKind::Timeout => "Timeout",
        ErrorKind::Transport => "Transport",
        ErrorKind::Io => "Io",
        ErrorKind::AuthFailed => "AuthFailed",
        ErrorKind::RowCountMismatch => "RowCountMismatch",
        ErrorKind::Cancelled => "Cancelled",
        ErrorKind::WrongApi => "WrongApi",
        _ => "Other",
    }
}

/// A real JS `Error` named `DomoError`, carrying what the core error knows.
/// Its message is the core error's `Display`: method, path, status, the
/// server's message and a short body excerpt; never a credential.
pub(crate) fn domo_error(error: &Error) -> JsValue {
    let e = js_sys::Error::new(&error.to_string());
    e.set_name("DomoError");
    let obj: &JsValue = e.as_ref();
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value);
    };
    set("kind", JsValue::from_str(kind_name(error.kind())));
    set("retryable", JsValue::from_bool(error.is_retryable()));
    if let Some(s) = error.status() {
        set("status", JsValue::from_f64(f64::from(s)));
    }
    if let Some(b) = error.body() {
        set("body", JsValue::from_str(b));
    }
    if let Some(m) = error.method() {
        set("method", JsValue::from_str(m.as_str()));
    }
    if let (Some(sent), Some(stored)) = (error.rows_sent(), error.rows_stored()) {
        set("rowsSent", JsValue::from_f64(sent as f64));
        set("rowsStored", JsValue::from_f64(stored as f64));
    }
    if let Some(p) = error.path() {
        set("path", JsValue::from_str(p));
    }
    if let Some(r) = error.retry_after() {
        set("retryAfter", JsValue::from_str(r));
    }
    if let Some(j) = error.json_path() {
        set("jsonPath", JsValue::from_str(j));
    }
    e.into()
}

/// Whether `value` is a `DomoError` made by [`domo_error`].
pub(crate) fn is_domo_error(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "DomoError")
}
