//! Access tokens: mint (`POST /api/data/v1/accesstokens`), list, revoke.
//! The value of a minted token is in one reply only; it leaves this module
//! as a [`Secret`], and a reply that cannot be read is reported without its
//! body, which would hold the value.

use domo_model::Id;
use domo_model::tokens::AccessToken;

use crate::secret::Secret;
use crate::spec::{BodyShape, Check, Fixup, ReplyShape};

declare! {
    /// `GET /api/data/v1/accesstokens`: every token, never a value. Should
    /// a server send one anyway, it is dropped here.
    ListAccessTokens => json Vec<AccessToken> {
        GET "/api/data/v1/accesstokens";
        reply: ReplyShape::Json(&[Fixup::Secret, Fixup::Drop("[].token")]),
        js: js![listAccessTokens()],
    } fields {}

    /// `POST /api/data/v1/accesstokens` `{"name", "ownerId", "expires"}`:
    /// a new token for `owner_id`, valid until `expires`. Its value is in
    /// this reply only ([`MintedToken::value`]). Not idempotent: each call
    /// mints a token.
    CreateAccessToken => custom MintedToken = parse_minted {
        POST "/api/data/v1/accesstokens";
        body: BodyShape::Json(r#"{"name":$name,"ownerId":$ownerId,"expires":$expires}"#),
        checks: &[Check::NotBlank("name", "create access token: the name must not be blank")],
        reply: ReplyShape::Json(&[Fixup::Secret, Fixup::Require("token")]),
        js: js![createAccessToken(name, ownerId, expires)],
    } fields {
        /// What the token is for, as the list shows it.
        arg name "name": String,
        /// The user it acts as.
        arg owner_id "ownerId": Id,
        /// When it stops working, in epoch milliseconds.
        arg expires "expires": u64,
    }

    /// `DELETE /api/data/v1/accesstokens/{id}`: the token stops working.
    RevokeAccessToken => empty {
        DELETE "/api/data/v1/accesstokens/{tokenId}";
        js: js![revokeAccessToken(tokenId)],
    } fields {
        /// The token (its id, never its value).
        arg token_id "tokenId": Id,
    }
}

/// A token just minted: what the list shows of it, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct MintedToken {
    /// The token as the list will show it.
    pub token: AccessToken,
    /// Shown in this reply only.
    pub value: Secret,
}

#[cfg(feature = "typed")]
fn parse_minted(
    _: &CreateAccessToken,
    reply: crate::endpoint::Reply,
    sent: &crate::request::Prepared,
) -> Result<MintedToken, crate::Error> {
    let mut value: serde_json::Value =
        crate::endpoint::decode(&CreateAccessToken::SPEC, &reply, sent)?;
    let secret = take_secret(&mut value, domo_model::tokens::TOKEN_FIELD).ok_or_else(|| {
        crate::Error::new(
            crate::ErrorKind::Decode,
            "the reply to the token request has no `token` text",
        )
    })?;
    Ok(MintedToken {
        token: crate::endpoint::from_value(value, true)?,
        value: secret,
    })
}

/// Take a credential out of a reply object, as a [`Secret`].
#[cfg(feature = "typed")]
pub(crate) fn take_secret(value: &mut serde_json::Value, field: &str) -> Option<Secret> {
    match value.as_object_mut()?.shift_remove(field)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(Secret::new(s)),
        _ => None,
    }
}
