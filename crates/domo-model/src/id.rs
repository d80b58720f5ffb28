//! Identifiers that arrive as JSON strings on some endpoints and as numbers on
//! others (user ids, stream ids, upload ids): one type accepts both and keeps
//! the form it was given, so re-encoding sends what the server sent.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number | string"))]
pub enum Id {
    Num(u64),
    Str(String),
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
}
