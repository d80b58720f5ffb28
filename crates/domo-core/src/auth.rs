//! Password login: `POST /api/content/v2/authentication` gives a session
//! token for `X-DOMO-Authentication`. The password goes out and the
//! session token comes back as [`Secret`]s.
//!
//! Domo answers a wrong password with HTTP 200 and `success: false`: that
//! is an [`ErrorKind::AuthFailed`] error here, never a session. An unknown
//! instance answers 403 with the text body `Forbidden`.

use bytes::Bytes;
use domo_model::Id;
use domo_model::auth::{LoginReply, SESSION_TOKEN_FIELD};
use http::{Method, Response};
use serde_json::{Value, json};

use crate::endpoint::{Body, Endpoint, RequestLabel, check};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;
use crate::tokens::{from_value, secret_json};

/// A login session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Travels as `X-DOMO-Authentication`
    /// ([`crate::Credentials::SessionToken`]).
    pub token: Secret,
    pub user_id: Option<Id>,
}

/// `POST /api/content/v2/authentication`
/// `{"method": "password", "emailAddress", "password"}`. Send it without
/// credentials ([`crate::Credentials::None`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

impl Endpoint for Login {
    type Output = Session;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/content/v2/authentication".to_owned())
    }
    fn body(&self) -> Result<Body, Error> {
        if self.email.trim().is_empty() {
            return Err(Error::invalid_input("login: the email address is empty"));
        }
        if self.password.expose().is_empty() {
            return Err(Error::invalid_input("login: the password is empty"));
        }
        Body::json(&json!({
            "method": "password",
            "emailAddress": self.email.trim(),
            "password": self.password.expose(),
        }))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Session, Error> {
        let mut reply = secret_json(response, "the login reply")?;
        let token = match &mut reply {
            Value::Object(map) => match map.shift_remove(SESSION_TOKEN_FIELD) {
                Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s)),
                _ => None,
            },
            _ => None,
        };
        let reply: LoginReply = from_value(reply, "the login reply")?;
        if reply.success == Some(false) {
            let reason = reply.reason.unwrap_or_else(|| "UNKNOWN".to_owned());
            let why = match reason.as_str() {
                "INVALID_CREDENTIALS" => "wrong email address or password".to_owned(),
                "ACCOUNT_LOCKED" => "the account is locked".to_owned(),
                other => format!("the server refused it ({other})"),
            };
            return Err(
                Error::new(ErrorKind::AuthFailed, format!("login failed: {why}"))
                    .with_status(200)
                    .with_auth_reason(reason),
            );
        }
        let token = token.ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                "the login reply has no `sessionToken` text",
            )
        })?;
        Ok(Session {
            token,
            user_id: reply.user_id,
        })
    }
    /// A 403 whose body is the bare text `Forbidden` is how Domo answers
    /// for a host with no instance: say so rather than "forbidden".
    fn handle(&self, request: &RequestLabel, response: Response<Bytes>) -> Result<Session, Error> {
        let unknown_instance =
            response.status() == 403 && response.body().trim_ascii() == b"Forbidden";
        if unknown_instance {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "no Domo instance answers at this address (HTTP 403 `Forbidden` to the login): check the instance name or base URL",
            )
            .with_status(403)
            .with_request(&request.method, &request.path));
        }
        check(response)
            .and_then(|r| self.parse(r))
            .map_err(|e| e.with_request(&request.method, &request.path))
    }
}
