//! JavaScript values as domo-core's [`JsonDoc`]: replies are parsed by the
//! platform (`JSON.parse`) and domo-core's rules (reply steps, argument
//! checks, a load's plan) read and change them in place, so the package
//! ships no JSON parser or printer of its own.

use bytes::Bytes;
use domo_core::json::JsonDoc;
use js_sys::{Array, JSON, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// A JavaScript value (objects and arrays are shared handles).
#[derive(Debug, Clone)]
pub(crate) struct Js(pub JsValue);

/// 2^53: the first integer a JavaScript number cannot hold exactly.
const TWO_53: f64 = 9_007_199_254_740_992.0;

impl Js {
    fn key(key: &str) -> JsValue {
        JsValue::from_str(key)
    }
}

impl JsonDoc for Js {
    fn null() -> Self {
        Js(JsValue::NULL)
    }
    fn object() -> Self {
        Js(Object::new().into())
    }
    fn array() -> Self {
        Js(Array::new().into())
    }
    fn string(s: &str) -> Self {
        Js(JsValue::from_str(s))
    }
    fn number(text: &str) -> Option<Self> {
        JSON::parse(text)
            .ok()
            .filter(|v| v.as_f64().is_some())
            .map(Js)
    }
    fn parse(text: &str) -> Result<Self, String> {
        JSON::parse(text).map(Js).map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| "not JSON".to_owned())
        })
    }
    fn to_json(&self) -> String {
        if self.0.is_undefined() {
            return "null".to_owned();
        }
        JSON::stringify(&self.0)
            .map(String::from)
            .unwrap_or_else(|_| "null".to_owned())
    }
    fn is_null(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }
    fn array_len(&self) -> Option<usize> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).length() as usize)
    }
    fn as_str(&self) -> Option<String> {
        self.0.as_string()
    }
    fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn as_u64(&self) -> Option<u64> {
        let n = self.0.as_f64()?;
        (n.fract() == 0.0 && (0.0..TWO_53).contains(&n)).then_some(n as u64)
    }
    fn as_i64(&self) -> Option<i64> {
        let n = self.0.as_f64()?;
        (n.fract() == 0.0 && n.abs() < TWO_53).then_some(n as i64)
    }
    fn as_bytes(&self) -> Option<Bytes> {
        self.0
            .dyn_ref::<Uint8Array>()
            .map(|a| Bytes::from(a.to_vec()))
    }
    fn keys(&self) -> Vec<String> {
        if !self.is_object() {
            return Vec::new();
        }
        Object::keys(self.0.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }
    fn has(&self, key: &str) -> bool {
        self.is_object() && Reflect::has(&self.0, &Js::key(key)).unwrap_or(false)
    }
    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(&self.0, &Js::key(key))
            .ok()
            .filter(|v| !v.is_undefined())
            .map(Js)
    }
    fn at(&self, index: usize) -> Option<Self> {
        Array::is_array(&self.0).then(|| Js(Array::from(&self.0).get(index as u32)))
    }
    fn set(&mut self, key: &str, value: Self) {
        if self.is_object() {
            let _ = Reflect::set(&self.0, &Js::key(key), &value.0);
        }
    }
    fn remove(&mut self, key: &str) -> Option<Self> {
        let value = self.get(key)?;
        let _ = Reflect::delete_property(self.0.unchecked_ref::<Object>(), &Js::key(key));
        Some(value)
    }
    fn push(&mut self, value: Self) {
        if Array::is_array(&self.0) {
            Array::from(&self.0).push(&value.0);
        }
    }
    fn with_member(&mut self, key: &str, f: &mut dyn FnMut(&mut Self)) -> bool {
        let Some(mut member) = self.get(key) else {
            return false;
        };
        f(&mut member);
        self.set(key, member);
        true
    }
    fn with_elements(&mut self, f: &mut dyn FnMut(&mut Self)) {
        if !Array::is_array(&self.0) {
            return;
        }
        let array = Array::from(&self.0);
        for i in 0..array.length() {
            let mut item = Js(array.get(i));
            f(&mut item);
            array.set(i, item.0);
        }
    }
}
