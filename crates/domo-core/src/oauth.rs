//! OAuth client credentials of Domo's public API: the token request
//! ([`RequestToken`]: `POST /oauth/token` with the client id and secret as
//! HTTP Basic and the form `grant_type=client_credentials[&scope=data
//! user]`), its reply, and [`TokenState`], the rules a transport follows to
//! hold a valid access token: fetch one when there is none, renew it
//! shortly before it expires (by `expires_in`, or by the JWT's `exp` when
//! that is earlier) and once after a 401, and never fetch two at a time.
//! There is no clock here: the transport passes the time.
//!
//! ```text
//! next(now) ── Use(token) ──────────────▶ send with `Authorization: Bearer`
//!    │                                      │ 401 (once per request)
//!    ├── Fetch(RequestToken) ─▶ send it ──▶ fetched(reply, now)
//!    │                                      ▲
//!    └── Wait (another fetch is in flight)  rejected(token) ──▶ next(now)
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domo_model::Id;

use crate::error::{Error, ErrorKind};
use crate::json::JsonDoc;
use crate::secret::Secret;
use crate::spec::{BodyShape, Fixup, ReplyShape};

pub use crate::secret::{ClientCredentials, PUBLIC_API, TOKEN_PATH};

declare! {
    /// `POST /oauth/token` with the client credentials as HTTP Basic and
    /// the form `grant_type=client_credentials[&scope=...]`, as pydomo and
    /// the Java SDK send it: an access token and how long it lives.
    /// Transports send it themselves, as [`TokenState`] says; fetching a
    /// token twice is harmless, so it is idempotent.
    RequestToken => custom TokenReply = parse_token {
        POST TOKEN_PATH;
        body: BodyShape::Form("grant_type=client_credentials&scope={scope}"),
        idempotent: true,
        reply: ReplyShape::Json(&[Fixup::Secret, Fixup::Require("access_token")]),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The scopes asked for, separated by spaces (`data user`); every
        /// scope the client has when absent.
        arg scope "scope": Option<String>,
    }
}

/// What `/oauth/token` answered: the access token (a [`Secret`]) and what
/// the client reads beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenReply {
    /// The access token, for `Authorization: Bearer`.
    pub access_token: Secret,
    /// Seconds it lives from when it was issued.
    pub expires_in: Option<u64>,
    /// The scopes granted, separated by spaces.
    pub scope: Option<String>,
    /// The user it acts as.
    pub user_id: Option<Id>,
}

/// Read a token reply, parsed as JSON by any [`JsonDoc`]. A reply without
/// `access_token` text is a [`ErrorKind::Decode`] error that quotes
/// nothing of it.
pub fn read_token_reply<J: JsonDoc>(reply: &J) -> Result<TokenReply, Error> {
    let access_token = reply
        .get("access_token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                "the token reply has no `access_token` text",
            )
        })?;
    let user_id = reply.get("userId").and_then(|u| {
        u.as_u64()
            .map(Id::Num)
            .or_else(|| u.as_str().filter(|s| !s.is_empty()).map(Id::Str))
    });
    Ok(TokenReply {
        access_token: Secret::new(access_token),
        expires_in: reply.get("expires_in").and_then(|e| e.as_u64()),
        scope: reply.get("scope").and_then(|s| s.as_str()),
        user_id,
    })
}

#[cfg(feature = "typed")]
fn parse_token(
    _: &RequestToken,
    reply: crate::endpoint::Reply,
    sent: &crate::request::Prepared,
) -> Result<TokenReply, Error> {
    let value: serde_json::Value = crate::endpoint::decode(&RequestToken::SPEC, &reply, sent)?;
    read_token_reply(&value)
}

/// An access token held by a [`TokenState`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Token {
    /// The token.
    pub value: Secret,
    /// The scopes granted, separated by spaces.
    pub scope: Option<String>,
    /// The user it acts as.
    pub user_id: Option<Id>,
    /// When it expires, when the reply said (`expires_in`, or the JWT's
    /// `exp`); `None`: until a 401 says so.
    pub expires_at: Option<SystemTime>,
    /// When to renew it: a little before `expires_at`.
    pub renew_at: Option<SystemTime>,
}

impl Token {
    /// The token of `reply`, fetched by a request sent at `sent` and
    /// answered at `now`. Its lifetime counts from `sent` (the server's
    /// clock started before the reply left). The JWT's `exp` is by the
    /// server's clock: it is believed only when it lies ahead of this one,
    /// so a client whose clock runs ahead does not find every token
    /// expired on arrival (and fetch one per call, as pydomo does with a
    /// token it cannot read).
    pub fn from_reply(reply: TokenReply, sent: SystemTime, now: SystemTime) -> Token {
        let by_lifetime = reply.expires_in.map(|s| sent + Duration::from_secs(s));
        let by_claim = jwt_exp(reply.access_token.expose())
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
            .filter(|exp| *exp > now);
        let expires_at = match (by_lifetime, by_claim) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Token {
            value: reply.access_token,
            scope: reply.scope,
            user_id: reply.user_id,
            expires_at,
            renew_at: expires_at.map(|at| at - renewal_margin(at, sent)),
        }
    }

    /// Whether requests sent at `now` should still carry it.
    pub fn fresh_at(&self, now: SystemTime) -> bool {
        self.renew_at.is_none_or(|at| now < at)
    }
}

/// How long before it expires a token is renewed: a minute, or a tenth of
/// its life when that is shorter (a token of an hour is renewed a minute
/// early, one of ten seconds one second early).
pub fn renewal_margin(expires_at: SystemTime, issued: SystemTime) -> Duration {
    let life = expires_at.duration_since(issued).unwrap_or_default();
    (life / 10).min(Duration::from_secs(60))
}

/// What a request needs next ([`TokenState::next`]).
#[derive(Debug, Clone, PartialEq)]
pub enum TokenStep {
    /// Send the request with this token.
    Use(Secret),
    /// Send this request (sent without a bearer token: the transport's
    /// [`crate::Config`] sends the credentials as HTTP Basic) and hand the
    /// outcome to [`TokenState::fetched`].
    Fetch(RequestToken),
    /// Another request is fetching a token: wait for it to be handed to
    /// [`TokenState::fetched`] (or [`TokenState::abandon`]ed), then ask
    /// again.
    Wait,
}

/// The access token a client holds, and whether one is being fetched: one
/// per client, shared by all its requests. A transport asks
/// [`TokenState::next`] before each attempt, reports a fetch's outcome to
/// [`TokenState::fetched`] and a 401 to [`TokenState::rejected`]; a fetch
/// that will not finish (its caller gave up) must be
/// [`TokenState::abandon`]ed, or every later request waits for it.
#[derive(Debug, Clone)]
pub struct TokenState {
    scope: Option<String>,
    current: Option<Token>,
    /// When the fetch in flight was sent.
    fetching: Option<SystemTime>,
}

impl TokenState {
    /// No token yet, for a client with `credentials`.
    pub fn new(credentials: &ClientCredentials) -> TokenState {
        TokenState {
            scope: credentials.scope_param(),
            current: None,
            fetching: None,
        }
    }

    /// The token held, if any (fresh or not).
    pub fn token(&self) -> Option<&Token> {
        self.current.as_ref()
    }

    /// Whether a fetch is in flight.
    pub fn is_fetching(&self) -> bool {
        self.fetching.is_some()
    }

    /// What a request sent at `now` needs: the token held while it is
    /// fresh; otherwise a fetch, unless one is in flight already.
    pub fn next(&mut self, now: SystemTime) -> TokenStep {
        if self.fetching.is_some() {
            return TokenStep::Wait;
        }
        if let Some(token) = self.current.as_ref().filter(|t| t.fresh_at(now)) {
            return TokenStep::Use(token.value.clone());
        }
        self.fetching = Some(now);
        TokenStep::Fetch(RequestToken {
            scope: self.scope.clone(),
        })
    }

    /// The outcome of the fetch [`TokenState::next`] asked for, at `now`:
    /// the new token, or the error (the token held before, if any, stays
    /// as it was; the next request fetches again).
    pub fn fetched(
        &mut self,
        result: Result<TokenReply, Error>,
        now: SystemTime,
    ) -> Result<Secret, Error> {
        let sent = self.fetching.take().unwrap_or(now);
        let reply = result.map_err(token_error)?;
        let token = Token::from_reply(reply, sent, now);
        let value = token.value.clone();
        self.current = Some(token);
        Ok(value)
    }

    /// The fetch in flight will not be reported (its caller was dropped):
    /// the next request fetches afresh.
    pub fn abandon(&mut self) {
        self.fetching = None;
    }

    /// The server answered 401 to a request that carried `token`: it is
    /// no longer good (revoked, or expired by the server's clock). Unless a
    /// newer token has replaced it already (another request saw the 401
    /// first), the next request fetches one.
    pub fn rejected(&mut self, token: &Secret) {
        if self.current.as_ref().is_some_and(|t| t.value == *token) {
            self.current = None;
        }
    }
}

/// A failed token request, said as such: a 401 there is the client id or
/// secret, not an expired token.
fn token_error(e: Error) -> Error {
    let why = match e.kind() {
        ErrorKind::Unauthorized => {
            "the OAuth client id or secret was refused (POST /oauth/token answered 401)"
        }
        ErrorKind::BadRequest => {
            "the token request was refused (a scope the client does not have, or a grant type the server does not take)"
        }
        _ => "fetching an access token with the client credentials failed",
    };
    e.context(why)
}

/// The `exp` claim (epoch seconds) of a JWT, read without checking its
/// signature (only the server can); `None` for a token that is not a JWT
/// or has no numeric `exp`.
pub fn jwt_exp(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = String::from_utf8(base64url_decode(payload)?).ok()?;
    json_number(&json, "exp")
}

/// A top-level numeric member of a JSON object, read without a JSON
/// library (the browser package has none): the claims of a JWT are a flat
/// object whose `exp` is an integer.
fn json_number(json: &str, key: &str) -> Option<u64> {
    let quoted = format!("\"{key}\"");
    let bytes = json.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let end = string_end(bytes, i)?;
                if depth == 1 && json[i..=end] == *quoted {
                    let rest = json[end + 1..].trim_start().strip_prefix(':')?.trim_start();
                    let digits: &str = &rest[..rest
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(rest.len())];
                    return digits.parse().ok();
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing the JSON string opened at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// URL-safe base64, padded or not (a JWT's segments); `None` for anything
/// else.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(feature = "typed")]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BaseUrl, Config};
    use crate::endpoint::{Endpoint, Reply};
    use crate::secret::{Credentials, base64};

    fn config() -> Config {
        Config::new(
            BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            Credentials::Client(
                ClientCredentials::new("my-app", "s3cret:with:colons").scopes(["data", "user"]),
            ),
        )
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    /// A JWT whose claims are `claims` (the signature is not checked here).
    fn jwt(claims: &str) -> String {
        let seg = |s: &str| {
            base64(s.as_bytes())
                .trim_end_matches('=')
                .replace('+', "-")
                .replace('/', "_")
        };
        format!(
            "{}.{}.c2ln",
            seg(r#"{"alg":"HS256","typ":"JWT"}"#),
            seg(claims)
        )
    }

    /// The reply the emulator (and Domo's docs) give, as bytes.
    fn reply(token: &str, expires_in: u64) -> Reply {
        Reply::new(
            200,
            format!(
                r#"{{"access_token":"{token}","customer":"acme","expires_in":{expires_in},"jti":"j1","role":"Admin","scope":"data user","token_type":"bearer","userId":7}}"#
            ),
        )
        .with_content_type("application/json")
    }

    fn fetch(state: &mut TokenState, now: SystemTime, reply: Reply) -> Result<Secret, Error> {
        let TokenStep::Fetch(request) = state.next(now) else {
            panic!("expected a fetch");
        };
        let prepared = config().prepare(&request).unwrap();
        state.fetched(request.handle(&prepared, reply), now)
    }

    #[test]
    fn the_token_request_is_basic_auth_and_a_form() {
        let request = RequestToken {
            scope: Some("data user".into()),
        };
        let p = config().prepare(&request).unwrap();
        assert_eq!(p.label.method.as_str(), "POST");
        assert_eq!(p.uri, "http://127.0.0.1:1/oauth/token");
        assert_eq!(
            p.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            &p.body[..],
            b"grant_type=client_credentials&scope=data%20user"
        );
        // base64("my-app:s3cret:with:colons"): the secret may hold `:`.
        assert_eq!(
            p.header("authorization"),
            Some("Basic bXktYXBwOnMzY3JldDp3aXRoOmNvbG9ucw==")
        );
        assert!(!format!("{p:?}").contains("bXktYXBw"), "{p:?}");
        let all = RequestToken { scope: None };
        assert_eq!(
            &config().prepare(&all).unwrap().body[..],
            b"grant_type=client_credentials"
        );
        let bad = Config::new(
            BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            Credentials::client("a:b", "s"),
        );
        let e = bad.prepare(&all).unwrap_err();
        assert!(e.to_string().contains("`:`"), "{e}");
    }

    #[test]
    fn base64_matches_the_standard_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
            assert_eq!(base64url_decode(coded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert!(base64url_decode("a b").is_none());
    }

    #[test]
    fn the_jwt_exp_claim_is_read_at_the_top_level_only() {
        assert_eq!(
            jwt_exp(&jwt(r#"{"exp":1700000000,"sub":"7"}"#)),
            Some(1_700_000_000)
        );
        assert_eq!(
            jwt_exp(&jwt(r#"{"a":{"exp":1},"s":"\"exp\":2","exp" : 3}"#)),
            Some(3)
        );
        assert_eq!(jwt_exp(&jwt(r#"{"sub":"7"}"#)), None);
        assert_eq!(jwt_exp(&jwt(r#"{"exp":"soon"}"#)), None);
        assert_eq!(jwt_exp("opaque-token"), None);
        assert_eq!(jwt_exp("a.!!.c"), None);
    }

    #[test]
    fn a_token_is_used_until_shortly_before_it_expires() {
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        let t = fetch(&mut state, at(1000), reply("opaque-1", 3600)).unwrap();
        assert_eq!(t.expose(), "opaque-1");
        let token = state.token().unwrap();
        assert_eq!(token.user_id, Some(Id::Num(7)));
        assert_eq!(token.expires_at, Some(at(4600)));
        // A minute early.
        assert_eq!(state.next(at(4539)), TokenStep::Use(t.clone()));
        assert!(matches!(state.next(at(4540)), TokenStep::Fetch(_)));
        // While that fetch is in flight, every other request waits.
        assert_eq!(state.next(at(4541)), TokenStep::Wait);
        let t2 = state
            .fetched(
                read_token_reply(
                    &serde_json::json!({"access_token": "opaque-2", "expires_in": 10}),
                ),
                at(4542),
            )
            .unwrap();
        // A short life: renewed a tenth of it early, counted from the send.
        assert_eq!(state.token().unwrap().expires_at, Some(at(4550)));
        assert_eq!(state.next(at(4548)), TokenStep::Use(t2));
        assert!(matches!(state.next(at(4549)), TokenStep::Fetch(_)));
    }

    #[test]
    fn the_jwt_exp_wins_when_earlier_and_ahead_of_this_clock() {
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        let early = jwt(r#"{"exp":2000,"userId":7}"#);
        fetch(&mut state, at(1000), reply(&early, 3600)).unwrap();
        assert_eq!(state.token().unwrap().expires_at, Some(at(2000)));
        // An `exp` already past by this clock (the client's clock runs
        // ahead): the lifetime decides, not a fetch per call.
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        let past = jwt(r#"{"exp":500}"#);
        fetch(&mut state, at(1000), reply(&past, 3600)).unwrap();
        assert_eq!(state.token().unwrap().expires_at, Some(at(4600)));
        assert!(matches!(state.next(at(1001)), TokenStep::Use(_)));
        // No lifetime and no claim: used until a 401.
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        state.next(at(0));
        state
            .fetched(
                read_token_reply(&serde_json::json!({"access_token": "x"})),
                at(0),
            )
            .unwrap();
        assert!(matches!(state.next(at(1_000_000)), TokenStep::Use(_)));
    }

    #[test]
    fn a_401_renews_once_however_many_requests_saw_it() {
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        let old = fetch(&mut state, at(0), reply("t1", 3600)).unwrap();
        // Two requests in flight with t1 both get a 401: the first makes
        // the next request fetch; the second finds t2 already there.
        state.rejected(&old);
        let new = fetch(&mut state, at(5), reply("t2", 3600)).unwrap();
        state.rejected(&old);
        assert_eq!(state.next(at(6)), TokenStep::Use(new));
    }

    #[test]
    fn a_failed_or_abandoned_fetch_lets_the_next_request_fetch_again() {
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        let refused = Reply::new(
            401,
            r#"{"status":401,"statusReason":"Unauthorized","message":"bad client credentials","toe":"X"}"#,
        );
        let e = fetch(&mut state, at(0), refused).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(e.to_string().contains("client id or secret"), "{e}");
        assert!(matches!(state.next(at(1)), TokenStep::Fetch(_)));
        state.abandon();
        assert!(matches!(state.next(at(2)), TokenStep::Fetch(_)));
        assert!(state.is_fetching());
    }

    #[test]
    fn a_reply_without_a_token_quotes_nothing() {
        let mut state = TokenState::new(&ClientCredentials::new("a", "s"));
        let e = fetch(
            &mut state,
            at(0),
            Reply::new(200, r#"{"token_type":"bearer","secret_thing":"zzz"}"#),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(!e.to_string().contains("zzz"), "{e}");
        assert!(e.body().is_none());
        let e = fetch(
            &mut state,
            at(0),
            Reply::new(200, r#"{"access_token":"leaky","expires_in":"soon"#),
        )
        .unwrap_err();
        assert!(!e.to_string().contains("leaky"), "{e}");
    }
}
