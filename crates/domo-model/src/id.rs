//! Identifiers. [`Id`] arrives as a JSON string on some endpoints and as a
//! number on others (user ids, stream ids, upload ids): it accepts both and
//! keeps the form it was given, so re-encoding sends what the server sent,
//! and it compares by text, so `7` and `"7"` are the same id. [`DatasetId`]
//! is a dataset's id, always text.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An id sent as a number or as text: `7` and `"7"` are equal.
#[derive(Clone)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number | string"))]
pub enum Id {
    /// Sent as a JSON number.
    Num(u64),
    /// Sent as a JSON string.
    Str(String),
}

impl PartialEq for Id {
    fn eq(&self, other: &Id) -> bool {
        match (self, other) {
            (Id::Num(a), Id::Num(b)) => a == b,
            _ => self.as_text() == other.as_text(),
        }
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_text().hash(state);
    }
}

/// Numbers in numeric order, then text; consistent with equality by text.
impl Ord for Id {
    fn cmp(&self, other: &Id) -> Ordering {
        let key = |id: &Id| {
            (
                id.as_u64().is_none(),
                id.as_u64(),
                id.as_text().into_owned(),
            )
        };
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Id) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Id {
    /// The id as path text: numbers in decimal, strings as they are.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Id::Num(n) => n.to_string().into(),
            Id::Str(s) => s.as_str().into(),
        }
    }

    /// The numeric value, when the id is a number or a string of digits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Id::Num(n) => Some(*n),
            Id::Str(s) => s.parse().ok(),
        }
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Num(n) => write!(f, "{n}"),
            Id::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_text())
    }
}

impl From<u64> for Id {
    fn from(n: u64) -> Self {
        Id::Num(n)
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Id::Str(s.to_owned())
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        Id::Str(s)
    }
}

impl From<&String> for Id {
    fn from(s: &String) -> Self {
        Id::Str(s.clone())
    }
}

impl From<u32> for Id {
    fn from(n: u32) -> Self {
        Id::Num(n.into())
    }
}

impl From<&Id> for Id {
    fn from(id: &Id) -> Self {
        id.clone()
    }
}

/// A dataset's id (a UUID on Domo). Built from any text; checked when it
/// goes into a request path.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct DatasetId(String);

impl DatasetId {
    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id's text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for DatasetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for DatasetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for DatasetId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DatasetId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for DatasetId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for DatasetId {
    fn from(s: &str) -> Self {
        DatasetId(s.to_owned())
    }
}

impl From<String> for DatasetId {
    fn from(s: String) -> Self {
        DatasetId(s)
    }
}

impl From<&String> for DatasetId {
    fn from(s: &String) -> Self {
        DatasetId(s.clone())
    }
}

impl From<&DatasetId> for DatasetId {
    fn from(id: &DatasetId) -> Self {
        id.clone()
    }
}

impl From<DatasetId> for String {
    fn from(id: DatasetId) -> String {
        id.0
    }
}

impl PartialEq<str> for DatasetId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for DatasetId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for DatasetId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Id::Num(n) => s.serialize_u64(*n),
            Id::Str(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (string or non-negative integer)")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id::Num(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map(Id::Num)
                    .map_err(|_| E::custom(format!("negative id {v}")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::Str(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::Str(v))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_form_it_was_given() {
        let n: Id = serde_json::from_str("10").unwrap();
        let s: Id = serde_json::from_str("\"966365811\"").unwrap();
        assert_eq!(n, Id::Num(10));
        assert_eq!(serde_json::to_string(&n).unwrap(), "10");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"966365811\"");
        assert_eq!(s.as_u64(), Some(966_365_811));
        assert!(serde_json::from_str::<Id>("-1").is_err());
        assert!(serde_json::from_str::<Id>("1.5").is_err());
    }

    #[test]
    fn ids_compare_by_text() {
        use std::collections::HashSet;
        assert_eq!(Id::Num(7), Id::from("7"));
        assert_ne!(Id::Num(7), Id::from("07"));
        let set: HashSet<Id> = [Id::Num(7), Id::from("7")].into_iter().collect();
        assert_eq!(set.len(), 1);
        let mut ids = vec![Id::from("10"), Id::Num(9), Id::from("a"), Id::from("07")];
        ids.sort();
        assert_eq!(
            ids,
            [Id::from("07"), Id::Num(9), Id::Num(10), Id::from("a")]
        );
        assert_eq!(DatasetId::from("abc"), "abc");
    }
}
