//! Access tokens: mint (`POST /api/data/v1/accesstokens`), list, revoke.
//! The value of a minted token is in one reply only; it leaves this module
//! as a [`Secret`], and a reply that cannot be read is reported without its
//! body, which would hold the value.

use bytes::Bytes;
use domo_model::tokens::{AccessToken, AccessTokenRequest, TOKEN_FIELD};
use http::{Method, Response};
use serde::Serialize;
use serde_json::Value;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json};
use crate::error::{Error, ErrorKind};
use crate::path::segment;
use crate::secret::Secret;

const TOKENS: &str = "/api/data/v1/accesstokens";

/// `GET /api/data/v1/accesstokens`: every token, never a value. Should a
/// server send one anyway, it is dropped here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAccessTokens;

impl Endpoint for ListAccessTokens {
    type Output = Vec<AccessToken>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(TOKENS.to_owned())
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<AccessToken>, Error> {
        let list = self.parse_json(response)?;
        from_value(list, "the token list")
    }
}

impl JsonEndpoint for ListAccessTokens {
    fn parse_json(&self, response: Response<Bytes>) -> Result<Value, Error> {
        let mut list = secret_json(response, "the token list")?;
        if let Value::Array(items) = &mut list {
            for item in items {
                if let Value::Object(map) = item {
                    map.shift_remove(TOKEN_FIELD);
                }
            }
        }
        Ok(list)
    }
}

/// A token just minted: what the list shows of it, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct MintedToken {
    pub token: AccessToken,
    /// Shown in this reply only.
    pub value: Secret,
}

/// `POST /api/data/v1/accesstokens` `{"name", "ownerId", "expires"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateAccessToken<R = AccessTokenRequest> {
    /// An [`AccessTokenRequest`], or any serializable form of one.
    pub request: R,
}

impl<R: Serialize> Endpoint for CreateAccessToken<R> {
    type Output = MintedToken;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(TOKENS.to_owned())
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<MintedToken, Error> {
        let mut reply = secret_json(response, "the new token")?;
        let value = match &mut reply {
            Value::Object(map) => match map.shift_remove(TOKEN_FIELD) {
                Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s)),
                _ => None,
            },
            _ => None,
        };
        let value = value.ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                "the reply to the token request has no `token` text",
            )
        })?;
        Ok(MintedToken {
            token: from_value(reply, "the new token")?,
            value,
        })
    }
}

/// The reply as sent, value included: the caller asked for it.
impl<R: Serialize> JsonEndpoint for CreateAccessToken<R> {
    fn parse_json(&self, response: Response<Bytes>) -> Result<Value, Error> {
        secret_json(response, "the new token")
    }
}

/// `DELETE /api/data/v1/accesstokens/{id}`: the token stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeAccessToken {
    pub token_id: String,
}

impl Endpoint for RevokeAccessToken {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{TOKENS}/{}", segment("token id", &self.token_id)?))
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// A JSON reply that may hold a secret: on failure the error keeps neither
/// the body nor the decoder's message (which quotes values), only where
/// the JSON broke.
pub(crate) fn secret_json(response: Response<Bytes>, what: &str) -> Result<Value, Error> {
    json::<Value>(response).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("{what}: the reply is not JSON (its body is not shown: it may hold a secret)"),
        )
        .with_status(e.status().unwrap_or(200))
    })
}

/// A decode from a value that held a secret, reported without values.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, Error> {
    serde_json::from_value(v).map_err(|e| {
        let mut msg = format!("{what}: the reply did not match the expected shape");
        // serde_json's messages quote values for type errors only; a
        // missing field names the field.
        let text = e.to_string();
        if text.starts_with("missing field") {
            msg.push_str(&format!(" ({text})"));
        }
        Error::new(ErrorKind::Decode, msg)
    })
}
