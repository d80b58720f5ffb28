//! JSON as the rules see it: [`JsonDoc`], the few operations the reply
//! steps ([`Fixup`]) and argument checks need, so that each rule is written
//! once and runs on `serde_json::Value` in Rust and on JavaScript values in
//! the browser package (which parses with `JSON.parse` and ships no JSON
//! library of its own).

use crate::error::{Error, ErrorKind};
use crate::spec::Fixup;

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

/// A reply body read by the steps of its [`crate::spec::ReplyShape::Json`]:
/// `body` is the reply's text, `sent` the JSON body of the request.
pub fn read_reply<J: JsonDoc>(
    fixups: &[Fixup],
    body: &str,
    sent: Option<&str>,
) -> Result<J, Error> {
    let parsed = (!body.trim().is_empty()).then(|| J::parse(body));
    read_parsed(fixups, parsed, sent)
}

/// [`read_reply`] for a transport that parses the body itself (the
/// browser's `JSON.parse`): `parsed` is `None` for an empty body, else
/// what parsing gave.
pub fn read_parsed<J: JsonDoc>(
    fixups: &[Fixup],
    parsed: Option<Result<J, String>>,
    sent: Option<&str>,
) -> Result<J, Error> {
    let mut value = match parsed {
        None => {
            let replacement = fixups.iter().find_map(|f| match f {
                Fixup::EmptyAs(text) => Some(*text),
                Fixup::EmptyIsSentBody => Some(sent.unwrap_or("null")),
                _ => None,
            });
            match replacement {
                Some(text) => J::parse(text).map_err(|e| decode(format!("the sent body: {e}")))?,
                None => {
                    return Err(decode(
                        "expected a JSON body but the response was empty".to_owned(),
                    ));
                }
            }
        }
        Some(parsed) => parsed.map_err(|e| {
            let what = if e.contains("EOF") || e.contains("end of") {
                format!("the JSON body is truncated: {e}")
            } else {
                format!("the body is not JSON: {e}")
            };
            decode(what)
        })?,
    };
    apply(fixups, &mut value)?;
    Ok(value)
}

/// Apply the steps that change a parsed reply.
pub fn apply<J: JsonDoc>(fixups: &[Fixup], value: &mut J) -> Result<(), Error> {
    for fixup in fixups {
        match *fixup {
            Fixup::EmptyAs(_)
            | Fixup::EmptyIsSentBody
            | Fixup::Secret
            | Fixup::ForbiddenTextIsNoInstance => {}
            Fixup::WrapArray(key) => {
                if value.array_len().is_some() {
                    let items = std::mem::replace(value, J::object());
                    value.set(key, items);
                }
            }
            Fixup::DefaultArray(key) => {
                if value.is_object() && value.get(key).is_none_or(|v| v.is_null()) {
                    value.set(key, J::array());
                }
            }
            Fixup::Rename(path, aliases) => {
                walk(value, path, &mut |v: &mut J, _| {
                    // An array at the end of the path: its elements.
                    if v.array_len().is_some() {
                        v.with_elements(&mut |item| rename(item, aliases));
                    } else {
                        rename(v, aliases);
                    }
                    Ok(())
                })?;
            }
            Fixup::JsonText(path) => {
                let (parent, key) = split_last(path);
                walk(value, parent, &mut |v: &mut J, at| {
                    let Some(text) = v.get(key).and_then(|m| m.as_str()) else {
                        return Ok(());
                    };
                    let parsed = if text.trim().is_empty() {
                        Ok(J::array())
                    } else {
                        J::parse(&text)
                    };
                    match parsed {
                        Ok(p) => {
                            v.set(key, p);
                            Ok(())
                        }
                        Err(e) => Err(decode(format!("{key}: expected JSON in a string: {e}"))
                            .with_json_path(join(at, key))),
                    }
                })?;
            }
            Fixup::Drop(path) => {
                let (parent, key) = split_last(path);
                walk(value, parent, &mut |v: &mut J, _| {
                    v.remove(key);
                    Ok(())
                })?;
            }
            Fixup::Require(path) => {
                let (parent, key) = split_last(path);
                let mut present = false;
                walk(value, parent, &mut |v: &mut J, _| {
                    present = v.get(key).is_some_and(|m| !m.is_null());
                    Ok(())
                })?;
                if !present {
                    return Err(decode(format!("the reply has no `{path}`")));
                }
            }
            Fixup::ArrayOfObjects => {
                let ok = value.array_len().is_some_and(|n| {
                    (0..n).all(|i| value.at(i).is_some_and(|row| row.is_object()))
                });
                if !ok {
                    return Err(decode(
                        "expected a list of row objects, found another shape".to_owned(),
                    ));
                }
            }
            Fixup::QueryEnvelope => envelope(value)?,
            Fixup::LoginRefused => {
                if value.get("success").and_then(|s| s.as_bool()) == Some(false) {
                    let reason = value
                        .get("reason")
                        .and_then(|r| r.as_str())
                        .unwrap_or_else(|| "UNKNOWN".to_owned());
                    return Err(crate::auth::refused(reason));
                }
            }
        }
    }
    Ok(())
}

fn decode(message: String) -> Error {
    Error::new(ErrorKind::Decode, message)
}

fn rename<J: JsonDoc>(v: &mut J, aliases: &[(&str, &str)]) {
    if !v.is_object() {
        return;
    }
    for (alias, name) in aliases {
        if !v.has(name)
            && let Some(value) = v.remove(alias)
        {
            v.set(name, value);
        }
    }
}

fn split_last(path: &str) -> (&str, &str) {
    match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// What a walk runs on each value it reaches, given where that is
/// (`dataSources[3]`) so that errors can name it.
type Step<'a, J> = dyn FnMut(&mut J, &str) -> Result<(), Error> + 'a;

/// Run `f` on every value the path names (none when a member is absent).
fn walk<J: JsonDoc>(value: &mut J, path: &str, f: &mut Step<'_, J>) -> Result<(), Error> {
    walk_at(value, path, f, &mut String::new())
}

fn walk_at<J: JsonDoc>(
    value: &mut J,
    path: &str,
    f: &mut Step<'_, J>,
    at: &mut String,
) -> Result<(), Error> {
    if path.is_empty() {
        return f(value, at);
    }
    let (head, rest) = match path.find('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (path, ""),
    };
    let (name, each) = match head.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (head, false),
    };
    let mut result = Ok(());
    let mut visit = |v: &mut J, at: &mut String| {
        if each {
            let base = at.clone();
            let mut i = 0;
            v.with_elements(&mut |item| {
                if result.is_ok() {
                    *at = format!("{base}[{i}]");
                    result = walk_at(item, rest, f, at);
                }
                i += 1;
            });
            *at = base;
        } else {
            result = walk_at(v, rest, f, at);
        }
    };
    if name.is_empty() {
        visit(value, at);
    } else {
        let base = at.clone();
        *at = join(&base, name);
        value.with_member(name, &mut |member| visit(member, at));
        *at = base;
    }
    result
}

/// The query envelope from either wire form (see [`Fixup::QueryEnvelope`]):
/// a list of row objects becomes columns and rows; missing counts and lists
/// get the defaults the typed decode gives.
fn envelope<J: JsonDoc>(value: &mut J) -> Result<(), Error> {
    if let Some(n) = value.array_len() {
        // The first row names the columns; every row is read by them.
        let mut columns: Vec<String> = Vec::new();
        let mut rows = J::array();
        for i in 0..n {
            let Some(item) = value.at(i) else { continue };
            if !item.is_object() {
                return Err(decode(format!(
                    "cannot decode the query reply: [{i}]: expected a row object, found {}",
                    kind_of(&item)
                )));
            }
            if i == 0 {
                columns = item.keys();
            }
            if let Some(k) = item.keys().into_iter().find(|k| !columns.contains(k)) {
                return Err(decode(format!(
                    "cannot decode the query reply: [{i}]: column {k:?} not in the first row"
                )));
            }
            let mut row = J::array();
            for c in &columns {
                row.push(item.get(c).unwrap_or_else(J::null));
            }
            rows.push(row);
        }
        let mut names = J::array();
        for c in &columns {
            names.push(J::string(c));
        }
        let mut map = J::object();
        map.set("columns", names);
        map.set("metadata", J::array());
        map.set("rows", rows);
        *value = map;
    } else if !value.is_object() {
        return Err(decode(format!(
            "cannot decode the query reply: expected the columns/rows envelope or a list of row objects, found {}",
            kind_of(value)
        )));
    }
    let count = |v: &J, key: &str| -> Result<usize, Error> {
        match v.get(key) {
            Some(list) if list.array_len().is_some() => Ok(list.array_len().unwrap_or(0)),
            None if key == "columns" => Err(decode(
                "cannot decode the query reply: missing field `columns`".to_owned(),
            )),
            Some(n) if n.is_null() && key != "columns" => Ok(0),
            None => Ok(0),
            Some(other) => Err(decode(format!(
                "cannot decode the query reply: `{key}`: expected a list, found {}",
                kind_of(&other)
            ))),
        }
    };
    let (columns, rows) = (count(value, "columns")?, count(value, "rows")?);
    for key in ["metadata", "rows"] {
        if value.get(key).is_none_or(|v| v.is_null()) {
            value.set(key, J::array());
        }
    }
    for (key, n) in [("numRows", rows), ("numColumns", columns)] {
        if value.get(key).is_none_or(|v| v.is_null()) {
            value.set(key, J::number(&n.to_string()).unwrap_or_else(J::null));
        }
    }
    for key in ["datasource", "fromcache"] {
        if value.get(key).is_some_and(|v| v.is_null()) {
            value.remove(key);
        }
    }
    Ok(())
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
    use serde_json::{Value, json};

    use super::*;

    fn read(fixups: &[Fixup], body: &str) -> Result<Value, Error> {
        read_reply::<Value>(fixups, body, Some(r#"{"sent":true}"#))
    }

    #[test]
    fn steps_bring_replies_to_the_model_form() {
        let tags = [
            Fixup::WrapArray("dataSources"),
            Fixup::JsonText("dataSources[].tags"),
        ];
        assert_eq!(
            read(
                &tags,
                r#"[{"id":"a","tags":"[\"x\"]"},{"id":"b","tags":""},{"id":"c"}]"#
            )
            .unwrap(),
            json!({"dataSources": [{"id": "a", "tags": ["x"]}, {"id": "b", "tags": []}, {"id": "c"}]})
        );
        let e = read(&tags, r#"[{"tags":"[1"},{"tags":"nope"}]"#).unwrap_err();
        assert_eq!(e.json_path(), Some("dataSources[0].tags"), "{e}");
        let renames = [Fixup::Rename("searchObjects", &[("id", "databaseId")])];
        assert_eq!(
            read(
                &renames,
                r#"{"searchObjects":[{"id":"1"},{"id":"2","databaseId":"3"}]}"#
            )
            .unwrap(),
            json!({"searchObjects": [{"databaseId": "1"}, {"id": "2", "databaseId": "3"}]})
        );
        assert_eq!(read(&[Fixup::EmptyAs("{}")], " ").unwrap(), json!({}));
        assert_eq!(
            read(&[Fixup::EmptyIsSentBody], "").unwrap(),
            json!({"sent": true})
        );
        assert!(read(&[], "").unwrap_err().message().contains("empty"));
        assert_eq!(
            read(
                &[Fixup::Drop("[].token")],
                r#"[{"id":1,"token":"s"},{"id":2}]"#
            )
            .unwrap(),
            json!([{"id": 1}, {"id": 2}])
        );
        let e = read(
            &[Fixup::Require("dataSource.dataSourceId")],
            r#"{"dataSource":{}}"#,
        )
        .unwrap_err();
        assert!(e.message().contains("dataSource.dataSourceId"), "{e}");
        assert!(read(&[Fixup::ArrayOfObjects], "[1]").is_err());
        assert!(read(&[Fixup::ArrayOfObjects], "[{}]").is_ok());
        let e = read(
            &[Fixup::LoginRefused],
            r#"{"success":false,"reason":"ACCOUNT_LOCKED"}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthFailed);
        assert_eq!(e.auth_reason(), Some("ACCOUNT_LOCKED"));
    }

    #[test]
    fn query_replies_become_the_envelope() {
        assert_eq!(
            read(&[Fixup::QueryEnvelope], r#"[{"a":1,"b":"x"},{"b":"y"}]"#).unwrap(),
            json!({"columns": ["a", "b"], "metadata": [], "rows": [[1, "x"], [null, "y"]],
                   "numRows": 2, "numColumns": 2})
        );
        assert_eq!(
            read(
                &[Fixup::QueryEnvelope],
                r#"{"columns":["n"],"rows":[[1]],"datasource":null}"#
            )
            .unwrap(),
            json!({"columns": ["n"], "rows": [[1]], "metadata": [], "numRows": 1, "numColumns": 1})
        );
        assert!(read(&[Fixup::QueryEnvelope], r#"{"rows":[]}"#).is_err());
        assert!(read(&[Fixup::QueryEnvelope], r#"[1]"#).is_err());
        let e = read(&[Fixup::QueryEnvelope], r#"[{"a":1},{"c":2}]"#).unwrap_err();
        assert!(e.message().contains("not in the first row"), "{e}");
    }

    #[test]
    fn strings_are_quoted_as_json() {
        for s in ["", "a\"b\\c", "line\nbreak\t\r", "\u{1}\u{1f}", "é ✓"] {
            let parsed: String = serde_json::from_str(&quote(s)).unwrap();
            assert_eq!(parsed, s);
        }
    }
}
