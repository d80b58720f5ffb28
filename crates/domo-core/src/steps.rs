//! The reply steps ([`Fixup`]) run over a parsed reply: one reader for
//! the typed endpoints and the browser package, over [`JsonDoc`].

use crate::error::{Error, ErrorKind};
use crate::json::{JsonDoc, kind_of};
use crate::spec::Fixup;

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
            Fixup::RowsOrTable if value.array_len().is_some() => {
                apply(&[Fixup::ArrayOfObjects], value)?;
            }
            Fixup::QueryEnvelope | Fixup::RowsOrTable => envelope(value)?,
            Fixup::LoginRefused => {
                if value.get("success").and_then(|s| s.as_bool()) == Some(false) {
                    let reason = value
                        .get("reason")
                        .and_then(|r| r.as_str())
                        .unwrap_or_else(|| "UNKNOWN".to_owned());
                    return Err(login_refused(reason));
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
    // The Data API's table writes `fromcache` as text (`"false"`).
    let cached = value.get("fromcache").and_then(|v| v.as_str());
    if let Some(flag) = cached
        .as_deref()
        .and_then(|t| J::parse(t).ok())
        .filter(|f| f.as_bool().is_some())
    {
        value.set("fromcache", flag);
    }
    Ok(())
}

/// The error of a refused login (`reason` as the server gave it).
fn login_refused(reason: String) -> Error {
    let why = match reason.as_str() {
        "INVALID_CREDENTIALS" => "wrong email address or password".to_owned(),
        "ACCOUNT_LOCKED" => "the account is locked".to_owned(),
        other => format!("the server refused it ({other})"),
    };
    Error::new(ErrorKind::AuthFailed, format!("login failed: {why}"))
        .with_status(200)
        .with_auth_reason(reason)
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

    /// The browser's JSON is what the typed decode, encoded, gives.
    #[test]
    fn the_query_envelope_matches_the_typed_round_trip() {
        for body in [
            r#"{"datasource":"abc","columns":["city","n"],"metadata":[{"type":"STRING"},{"type":"LONG"}],
                "rows":[["Oslo",3],["Rome",null]],"numRows":2,"numColumns":2,"fromcache":false,"pageSize":9}"#,
            r#"{"columns":["a"],"rows":[[1],[2]],"metadata":null,"fromcache":null}"#,
            r#"{"columns":[],"rows":null}"#,
            r#"[{"column1":"value1","column2":"value2"},{"column2":"b","column1":"a"}]"#,
            "[]",
        ] {
            let typed: domo_model::query::QueryResult = serde_json::from_str(body).unwrap();
            let via_steps = read(&[Fixup::QueryEnvelope], body).unwrap();
            assert_eq!(via_steps, serde_json::to_value(&typed).unwrap(), "{body}");
        }
        for body in ["[1]", "\"x\"", r#"{"rows":[]}"#, r#"{"columns":3}"#] {
            assert!(read(&[Fixup::QueryEnvelope], body).is_err(), "{body}");
            assert!(
                serde_json::from_str::<domo_model::query::QueryResult>(body).is_err(),
                "{body}"
            );
        }
    }
}
