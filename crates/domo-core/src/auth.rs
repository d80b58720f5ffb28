//! Password login: `POST /api/content/v2/authentication` gives a session
//! token for `X-DOMO-Authentication`. The password goes out and the
//! session token comes back as [`Secret`]s.
//!
//! Domo answers a wrong password with HTTP 200 and `success: false`: that
//! is an [`ErrorKind::AuthFailed`](crate::ErrorKind::AuthFailed) error here, never a session. An unknown
//! instance answers 403 with the text body `Forbidden`.

use domo_model::Id;

use crate::error::Error;
use crate::json::quote;
use crate::secret::Secret;
use crate::spec::BodyValues;
use crate::spec::{BodyShape, Check, Fixup, ReplyShape};

/// A login session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Travels as `X-DOMO-Authentication`
    /// ([`crate::Credentials::SessionToken`]).
    pub token: Secret,
    /// The user it is for.
    pub user_id: Option<Id>,
}

declare! {
    /// `POST /api/content/v2/authentication`
    /// `{"method": "password", "emailAddress", "password"}`. Send it without
    /// credentials ([`crate::Credentials::None`]).
    Login => custom Session = parse_login {
        POST "/api/content/v2/authentication";
        body: BodyShape::Build(login_body),
        checks: &[
            Check::NotBlank("email", "login: the email address is empty"),
            Check::NotBlank("password", "login: the password is empty"),
        ],
        reply: ReplyShape::Json(&[
            Fixup::Secret,
            Fixup::LoginRefused,
            Fixup::ForbiddenTextIsNoInstance,
            Fixup::Require("sessionToken"),
        ]),
        js: js![login(email, password)],
    } fields {
        /// The user's email address.
        arg email "email": String,
        /// The password.
        arg password "password": Secret,
    }
}

/// The login body, the email address trimmed.
fn login_body(values: &dyn BodyValues) -> Result<String, Error> {
    let email = values.text("email")?.unwrap_or_default();
    Ok(format!(
        r#"{{"method":"password","emailAddress":{},"password":{}}}"#,
        quote(email.trim()),
        values.json("password")?
    ))
}

#[cfg(feature = "typed")]
fn parse_login(
    _: &Login,
    reply: crate::endpoint::Reply,
    sent: &crate::request::Prepared,
) -> Result<Session, Error> {
    let mut value: serde_json::Value = crate::endpoint::decode(&Login::SPEC, &reply, sent)?;
    let token = crate::tokens::take_secret(&mut value, domo_model::auth::SESSION_TOKEN_FIELD)
        .ok_or_else(|| {
            Error::new(
                crate::error::ErrorKind::Decode,
                "the login reply has no `sessionToken` text",
            )
        })?;
    let reply: domo_model::auth::LoginReply = crate::endpoint::from_value(value, true)?;
    Ok(Session {
        token,
        user_id: reply.user_id,
    })
}
