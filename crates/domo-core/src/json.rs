//! JSON as the rules see it: [`JsonDoc`], the few operations the reply
//! steps ([`crate::spec::Fixup`], run by [`crate::steps`]) and argument checks need, so that each rule is written
//! once and runs on `serde_json::Value` in Rust and on JavaScript values in
//! the browser package (which parses with `JSON.parse` and ships no JSON
//! library of its own).

/// A JSON value the rules can read and change. Objects and arrays may be
/// shared handles (JavaScript's are): a change made through
/// [`JsonDoc::with_member`] is always written back.
pub trait JsonDoc: Sized {
    /// `null`.
    fn null() -> Self;
    /// An empty object.
    fn object() -> Self;
    /// An empty array.
    fn array() -> Self;
    /// A string.
    fn string(s: &str) -> Self;
    /// A number from its decimal text (`None` when it is not one).
    fn number(text: &str) -> Option<Self>;
    /// Parse JSON text.
    fn parse(text: &str) -> Result<Self, String>;
    /// The value as JSON text.
    fn to_json(&self) -> String;

    /// Whether it is `null`.
    fn is_null(&self) -> bool;
    /// Whether it is an object.
    fn is_object(&self) -> bool;
    /// The array's length, `None` when it is no array.
    fn array_len(&self) -> Option<usize>;
    /// The string's text, `None` when it is no string.
    fn as_str(&self) -> Option<String>;
    /// The boolean, `None` when it is no boolean.
    fn as_bool(&self) -> Option<bool>;
    /// The number, when it is a whole number from 0 up.
    fn as_u64(&self) -> Option<u64>;
    /// The number, when it is a whole number.
    fn as_i64(&self) -> Option<i64>;
    /// Bytes, for a value that holds some (a `Uint8Array`); strings are
    /// read by [`JsonDoc::as_str`].
    fn as_bytes(&self) -> Option<bytes::Bytes> {
        None
    }
    /// The object's member names, in order (empty for a non-object).
    fn keys(&self) -> Vec<String>;
    /// Whether the object has this member (`null` counts).
    fn has(&self, key: &str) -> bool;
    /// A copy of (or a handle to) a member.
    fn get(&self, key: &str) -> Option<Self>;
    /// A copy of (or a handle to) an element.
    fn at(&self, index: usize) -> Option<Self>;
    /// Set a member of an object (nothing for a non-object).
    fn set(&mut self, key: &str, value: Self);
    /// Remove a member and return it.
    fn remove(&mut self, key: &str) -> Option<Self>;
    /// Append to an array.
    fn push(&mut self, value: Self);
    /// Run `f` on a member, writing the result back; `false` when absent.
    fn with_member(&mut self, key: &str, f: &mut dyn FnMut(&mut Self)) -> bool;
    /// Run `f` on each element of an array, writing the results back.
    fn with_elements(&mut self, f: &mut dyn FnMut(&mut Self));
}

/// What a JSON value is, for messages ("found a string").
pub fn kind_of<J: JsonDoc>(v: &J) -> &'static str {
    if v.is_null() {
        "null"
    } else if v.is_object() {
        "an object"
    } else if v.array_len().is_some() {
        "an array"
    } else if v.as_str().is_some() {
        "a string"
    } else if v.as_bool().is_some() {
        "a boolean"
    } else {
        "a number"
    }
}

/// `text` as a JSON string literal, quotes included.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(HEX[n >> 4] as char);
                out.push(HEX[n & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(feature = "typed")]
mod serde_value {
    use serde_json::Value;

    use super::JsonDoc;

    impl JsonDoc for Value {
        fn null() -> Self {
            Value::Null
        }
        fn object() -> Self {
            Value::Object(serde_json::Map::new())
        }
        fn array() -> Self {
            Value::Array(Vec::new())
        }
        fn string(s: &str) -> Self {
            Value::String(s.to_owned())
        }
        fn number(text: &str) -> Option<Self> {
            serde_json::from_str::<serde_json::Number>(text)
                .ok()
                .map(Value::Number)
        }
        fn parse(text: &str) -> Result<Self, String> {
            serde_json::from_str(text).map_err(|e| e.to_string())
        }
        fn to_json(&self) -> String {
            self.to_string()
        }
        fn is_null(&self) -> bool {
            self.is_null()
        }
        fn is_object(&self) -> bool {
            self.is_object()
        }
        fn array_len(&self) -> Option<usize> {
            self.as_array().map(Vec::len)
        }
        fn as_str(&self) -> Option<String> {
            Value::as_str(self).map(str::to_owned)
        }
        fn as_bool(&self) -> Option<bool> {
            Value::as_bool(self)
        }
        fn as_u64(&self) -> Option<u64> {
            Value::as_u64(self)
        }
        fn as_i64(&self) -> Option<i64> {
            Value::as_i64(self)
        }
        fn keys(&self) -> Vec<String> {
            self.as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        }
        fn has(&self, key: &str) -> bool {
            self.as_object().is_some_and(|m| m.contains_key(key))
        }
        fn get(&self, key: &str) -> Option<Self> {
            Value::get(self, key).cloned()
        }
        fn at(&self, index: usize) -> Option<Self> {
            self.as_array().and_then(|a| a.get(index)).cloned()
        }
        fn set(&mut self, key: &str, value: Self) {
            if let Value::Object(m) = self {
                m.insert(key.to_owned(), value);
            }
        }
        fn remove(&mut self, key: &str) -> Option<Self> {
            self.as_object_mut().and_then(|m| m.shift_remove(key))
        }
        fn push(&mut self, value: Self) {
            if let Value::Array(a) = self {
                a.push(value);
            }
        }
        fn with_member(&mut self, key: &str, f: &mut dyn FnMut(&mut Self)) -> bool {
            match self.as_object_mut().and_then(|m| m.get_mut(key)) {
                Some(v) => {
                    f(v);
                    true
                }
                None => false,
            }
        }
        fn with_elements(&mut self, f: &mut dyn FnMut(&mut Self)) {
            if let Value::Array(a) = self {
                a.iter_mut().for_each(f);
            }
        }
    }
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_json() {
        for s in ["", "a\"b\\c", "line\nbreak\t\r", "\u{1}\u{1f}", "é ✓"] {
            let parsed: String = serde_json::from_str(&quote(s)).unwrap();
            assert_eq!(parsed, s);
        }
    }
}
