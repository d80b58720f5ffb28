//! Where the request builder reads an endpoint's arguments: [`Args`]. A
//! typed endpoint's fields are one source (each field's type says its
//! [`Kind`] through [`ArgType`]); the browser package's JavaScript object is
//! the other. Both hand over [`Arg`]s, which the builder places.

use std::borrow::Cow;

use bytes::Bytes;
use domo_model::{DatasetId, Id};

use crate::error::Error;
use crate::json::JsonDoc;
use crate::secret::Secret;
use crate::spec::{Kind, Param, Spec};

/// One argument's value as the request builder reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    /// Not given.
    Absent,
    /// Text: a string, an id, a choice's name (a JSON string in bodies).
    Text(Cow<'a, str>),
    /// A number's decimal text (a JSON number in bodies).
    Num(Cow<'a, str>),
    /// A flag.
    Bool(bool),
    /// A list of strings.
    List(Vec<Cow<'a, str>>),
    /// JSON text, sent as it is.
    Json(String),
    /// Bytes (a CSV part).
    Bytes(Bytes),
}

impl Arg<'_> {
    /// Whether the argument is absent (an empty list counts as absent).
    pub fn is_absent(&self) -> bool {
        match self {
            Arg::Absent => true,
            Arg::List(items) => items.is_empty(),
            _ => false,
        }
    }

    /// The argument as path or query text: numbers in decimal, flags as
    /// `true`/`false`, lists comma-separated. `None` for JSON and bytes.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Arg::Text(t) | Arg::Num(t) => Some(Cow::Borrowed(t)),
            Arg::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Arg::List(items) => Some(Cow::Owned(items.join(","))),
            Arg::Absent | Arg::Json(_) | Arg::Bytes(_) => None,
        }
    }

    /// The argument as JSON text (`null` when absent).
    pub fn json(&self) -> String {
        match self {
            Arg::Absent => "null".to_owned(),
            Arg::Text(t) => crate::json::quote(t),
            Arg::Num(n) => n.to_string(),
            Arg::Bool(b) => b.to_string(),
            Arg::List(items) => {
                let quoted: Vec<String> = items.iter().map(|s| crate::json::quote(s)).collect();
                format!("[{}]", quoted.join(","))
            }
            Arg::Json(j) => j.clone(),
            Arg::Bytes(_) => "null".to_owned(),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Arg<'static> {
        match self {
            Arg::Absent => Arg::Absent,
            Arg::Text(t) => Arg::Text(Cow::Owned(t.into_owned())),
            Arg::Num(n) => Arg::Num(Cow::Owned(n.into_owned())),
            Arg::Bool(b) => Arg::Bool(b),
            Arg::List(items) => Arg::List(
                items
                    .into_iter()
                    .map(|s| Cow::Owned(s.into_owned()))
                    .collect(),
            ),
            Arg::Json(j) => Arg::Json(j),
            Arg::Bytes(b) => Arg::Bytes(b),
        }
    }
}

/// A source of arguments for the request builder.
pub trait Args {
    /// The JSON values its JSON arguments are.
    type Json: JsonDoc;

    /// The argument `param` names. A source that is not type-checked at
    /// compile time (JavaScript) checks the value against `param.kind` and
    /// says which argument is wrong (`spec` names the endpoint).
    fn arg(&self, spec: &Spec, param: &Param) -> Result<Arg<'_>, Error>;

    /// A JSON argument as a value, for rules that look inside it; `None`
    /// when absent.
    fn json(&self, spec: &Spec, param: &Param) -> Result<Option<Self::Json>, Error>;

    /// The names the arguments were given under, for a source that names
    /// them at run time (a JavaScript object), so that a misspelt one can
    /// be refused ([`crate::spec::Check::OnlyArguments`]); empty for typed
    /// sources, whose names the compiler checked.
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A field type of a typed endpoint: its [`Kind`], whether it may be left
/// out, and its value.
pub trait ArgType {
    /// What it holds.
    const KIND: Kind;
    /// Whether it may be absent (an `Option`, a list).
    const OPTIONAL: bool = false;
    /// Its TypeScript type.
    const TS: &'static str;
    /// Its value.
    fn arg(&self) -> Arg<'_>;
}

impl ArgType for String {
    const TS: &'static str = "string";
    const KIND: Kind = Kind::Str;
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(self))
    }
}

impl ArgType for bool {
    const TS: &'static str = "boolean";
    const KIND: Kind = Kind::Bool;
    fn arg(&self) -> Arg<'_> {
        Arg::Bool(*self)
    }
}

impl ArgType for u32 {
    const TS: &'static str = "number";
    const KIND: Kind = Kind::Int;
    fn arg(&self) -> Arg<'_> {
        Arg::Num(Cow::Owned(self.to_string()))
    }
}

impl ArgType for u64 {
    const TS: &'static str = "number";
    const KIND: Kind = Kind::Int;
    fn arg(&self) -> Arg<'_> {
        Arg::Num(Cow::Owned(self.to_string()))
    }
}

impl ArgType for Id {
    const TS: &'static str = "Id";
    const KIND: Kind = Kind::Id;
    fn arg(&self) -> Arg<'_> {
        match self {
            Id::Num(n) => Arg::Num(Cow::Owned(n.to_string())),
            Id::Str(s) => Arg::Text(Cow::Borrowed(s)),
        }
    }
}

impl ArgType for DatasetId {
    const KIND: Kind = Kind::TextId;
    const TS: &'static str = "string";
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(self.as_str()))
    }
}

impl ArgType for Vec<String> {
    const TS: &'static str = "string | string[]";
    const KIND: Kind = Kind::StrList;
    const OPTIONAL: bool = true;
    fn arg(&self) -> Arg<'_> {
        Arg::List(self.iter().map(|s| Cow::Borrowed(s.as_str())).collect())
    }
}

impl ArgType for Secret {
    const TS: &'static str = "string";
    const KIND: Kind = Kind::Secret;
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(self.expose()))
    }
}

impl ArgType for Bytes {
    const TS: &'static str = "string | Uint8Array";
    const KIND: Kind = Kind::Bytes;
    fn arg(&self) -> Arg<'_> {
        Arg::Bytes(self.clone())
    }
}

impl<T: ArgType> ArgType for Option<T> {
    const KIND: Kind = T::KIND;
    const TS: &'static str = T::TS;
    const OPTIONAL: bool = true;
    fn arg(&self) -> Arg<'_> {
        match self {
            Some(v) => v.arg(),
            None => Arg::Absent,
        }
    }
}

/// A model value as a JSON argument.
#[cfg(feature = "typed")]
pub fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<Arg<'static>, Error> {
    serde_json::to_string(value)
        .map(Arg::Json)
        .map_err(|e| Error::invalid_input(format!("cannot encode the request body: {e}")))
}

/// A model value as an owned JSON argument (`Option`s: absent when `None`).
/// Without the `typed` feature model values cannot be encoded: the browser
/// package passes JSON arguments as JavaScript values instead.
pub fn json_arg_owned<T: JsonArg + ?Sized>(value: &T) -> Result<Arg<'static>, Error> {
    value.json_arg()
}

/// A model value a declaration passes as JSON.
pub trait JsonArg {
    /// The value as a JSON argument.
    fn json_arg(&self) -> Result<Arg<'static>, Error>;
}

#[cfg(feature = "typed")]
impl<T: serde::Serialize> JsonArg for T {
    fn json_arg(&self) -> Result<Arg<'static>, Error> {
        let value = serde_json::to_value(self)
            .map_err(|e| Error::invalid_input(format!("cannot encode the request body: {e}")))?;
        Ok(if value.is_null() {
            Arg::Absent
        } else {
            Arg::Json(value.to_string())
        })
    }
}

#[cfg(not(feature = "typed"))]
impl<T: ?Sized> JsonArg for T {
    fn json_arg(&self) -> Result<Arg<'static>, Error> {
        Err(Error::invalid_input(
            "a JSON argument of a typed endpoint needs domo-core's `typed` feature",
        ))
    }
}

/// A model value as a JSON value, for rules that look inside it.
#[cfg(feature = "typed")]
pub fn json_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value)
        .map_err(|e| Error::invalid_input(format!("cannot encode the request body: {e}")))
}

/// Arguments as a JSON object's members, named as the JavaScript API names
/// them (`{"datasetId": "abc", "limit": 50}`): how the browser package
/// passes a method's arguments (with `J` its JavaScript values), and how
/// tests check that it sends what the typed endpoint sends (with
/// `serde_json::Value`). Each member is checked against its argument's
/// [`Kind`]; numbers must be whole and exact in a JavaScript number.
#[derive(Debug, Clone, Copy)]
pub struct ObjectArgs<'a, J> {
    object: Option<&'a J>,
}

/// 2^53 - 1: larger integers are not exact in a JavaScript number.
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

impl<'a, J: JsonDoc> ObjectArgs<'a, J> {
    /// The arguments of `spec` in `object` (`null` reads as no arguments).
    pub fn new(spec: &Spec, object: &'a J) -> Result<ObjectArgs<'a, J>, Error> {
        if object.is_null() {
            return Ok(ObjectArgs { object: None });
        }
        if !object.is_object() {
            return Err(Error::invalid_input(format!(
                "{}: the arguments must be an object",
                spec.name
            )));
        }
        Ok(ObjectArgs {
            object: Some(object),
        })
    }

    fn member(&self, name: &str) -> Option<J> {
        self.object
            .and_then(|o| o.get(name))
            .filter(|v| !v.is_null())
    }
}

/// A JSON number as an exact whole number from 0 to 2^53 - 1.
fn safe_integer<J: JsonDoc>(v: &J) -> Option<u64> {
    v.as_u64().filter(|n| *n <= MAX_SAFE_INTEGER)
}

impl<J: JsonDoc> Args for ObjectArgs<'_, J> {
    type Json = J;

    fn arg(&self, spec: &Spec, param: &Param) -> Result<Arg<'_>, Error> {
        let Some(v) = self.member(param.name) else {
            return Ok(Arg::Absent);
        };
        let bad = || bad_arg(spec, param.name, param.kind);
        Ok(match param.kind {
            Kind::Str | Kind::TextId | Kind::Secret | Kind::Choice(_) => {
                Arg::Text(v.as_str().ok_or_else(bad)?.into())
            }
            Kind::Id => match v.as_str() {
                Some(text) => Arg::Text(text.into()),
                None => Arg::Num(safe_integer(&v).ok_or_else(bad)?.to_string().into()),
            },
            Kind::Int => Arg::Num(safe_integer(&v).ok_or_else(bad)?.to_string().into()),
            Kind::Bool => Arg::Bool(v.as_bool().ok_or_else(bad)?),
            Kind::StrList => match v.as_str() {
                Some(one) => Arg::List(vec![one.into()]),
                None => {
                    let n = v.array_len().ok_or_else(bad)?;
                    let items: Option<Vec<Cow<'_, str>>> = (0..n)
                        .map(|i| v.at(i).and_then(|x| x.as_str()).map(Cow::Owned))
                        .collect();
                    Arg::List(items.ok_or_else(bad)?)
                }
            },
            Kind::Json => Arg::Json(v.to_json()),
            Kind::Object if v.is_object() => Arg::Json(v.to_json()),
            Kind::Array if v.array_len().is_some() => Arg::Json(v.to_json()),
            Kind::Object | Kind::Array => return Err(bad()),
            Kind::Bytes => match v.as_str() {
                Some(text) => Arg::Bytes(Bytes::from(text)),
                None => Arg::Bytes(v.as_bytes().ok_or_else(bad)?),
            },
            Kind::Conditions => Arg::List(conditions(spec, param.name, &v)?),
        })
    }

    fn json(&self, _spec: &Spec, param: &Param) -> Result<Option<J>, Error> {
        Ok(self.member(param.name))
    }

    fn names(&self) -> Vec<String> {
        self.object.map(JsonDoc::keys).unwrap_or_default()
    }
}

/// A filter given as text, a condition object, or a list of either: each
/// condition's text ([`crate::app::condition_text`]), errors naming the
/// item.
fn conditions<'a, J: JsonDoc>(spec: &Spec, name: &str, v: &J) -> Result<Vec<Cow<'a, str>>, Error> {
    let one = |item: &J, at: String| -> Result<Cow<'a, str>, Error> {
        if let Some(text) = item.as_str() {
            return Ok(Cow::Owned(text));
        }
        let why = if item.is_object() {
            crate::condition::condition_text(item)
        } else {
            Err(format!("must be {}", expected(Kind::Conditions)))
        };
        why.map(Cow::Owned)
            .map_err(|e| Error::invalid_input(format!("{}: `{name}`{at}: {e}", spec.name)))
    };
    match v.array_len() {
        Some(n) => (0..n)
            .map(|i| one(&v.at(i).unwrap_or_else(J::null), format!("[{i}]")))
            .collect(),
        None => Ok(vec![one(v, String::new())?]),
    }
}

/// What a JavaScript value for `kind` must be, for messages.
pub fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Str | Kind::TextId | Kind::Secret => "a string",
        Kind::Id => "a string or a non-negative integer",
        Kind::Bool => "true or false",
        Kind::Int => "a non-negative integer (at most 2^53 - 1)",
        Kind::StrList => "a string or an array of strings",
        Kind::Json => "given",
        Kind::Object => "an object",
        Kind::Array => "an array",
        Kind::Bytes => "a string or a Uint8Array",
        Kind::Choice(_) => "one of the names listed",
        Kind::Conditions => "a condition's text, a condition object, or a list of them",
    }
}

/// The error for argument `name` of `spec` that is not what `kind` wants.
pub fn bad_arg(spec: &Spec, name: &str, kind: Kind) -> Error {
    let expected = match kind {
        Kind::Choice(options) => {
            let names: Vec<String> = options.iter().map(|(n, _)| format!("{n:?}")).collect();
            format!("one of {}", names.join(", "))
        }
        other => expected(other).to_owned(),
    };
    Error::invalid_input(format!("{}: `{name}` must be {expected}", spec.name))
}

/// `datasetId` → `dataset id`: how an argument is named in messages.
pub fn label(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_as_text_and_json() {
        assert_eq!(label("datasetId"), "dataset id");
        assert_eq!(label("alias"), "alias");
        let list = vec!["a".to_owned(), "b\"".to_owned()];
        assert_eq!(list.arg().text().unwrap(), "a,b\"");
        assert_eq!(list.arg().json(), r#"["a","b\""]"#);
        assert!(Vec::<String>::new().arg().is_absent());
        assert_eq!(Id::Num(7).arg().json(), "7");
        assert_eq!(Id::from("7").arg().json(), "\"7\"");
        assert_eq!(Some(true).arg().text().unwrap(), "true");
        assert_eq!(None::<u32>.arg(), Arg::Absent);
    }
}
