//! The public API's OAuth clients and access tokens, without HTTP: clients
//! given with `--client ID:SECRET:USER_ID[:SCOPES]`, and access tokens
//! that are JWTs with an `exp` claim, signed (HS256) with a key made at
//! start: pydomo reads `exp` to know when to fetch a new token, and fetches
//! one before every call when a token is not a JWT. A token dies with the
//! process that signed it. `public::auth` serves `/oauth/token` and checks
//! bearer tokens with it.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest::{SHA256, digest};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::directory::Password;
use crate::error::Error;
use crate::store::UserId;

/// How long an access token lives unless `--token-ttl` says otherwise
/// (Domo's own tokens answer `expires_in: 3599`).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The scopes Domo documents (`workflow` from the Java SDK). A client
/// given without scopes has all of them.
pub const SCOPES: [&str; 7] = [
    "account",
    "audit",
    "buzz",
    "dashboard",
    "data",
    "user",
    "workflow",
];

/// An OAuth client of the public API (`--client ID:SECRET:USER_ID[:SCOPES]`):
/// its tokens act as user `user_id`, with `scopes` (all of [`SCOPES`] when
/// `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSpec {
    pub id: String,
    /// The client secret; `Debug` never shows it.
    pub secret: Password,
    pub user_id: i64,
    pub scopes: Option<Vec<String>>,
}

fn parse_scopes(s: &str) -> Result<Vec<String>, String> {
    let scopes: Vec<String> = s
        .split([',', ' ', '+'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if scopes.is_empty() {
        return Err("the scope list is empty".to_owned());
    }
    for sc in &scopes {
        if !SCOPES.contains(&sc.as_str()) {
            return Err(format!(
                "unknown scope `{sc}`; the scopes are {}",
                SCOPES.join(", ")
            ));
        }
    }
    Ok(scopes)
}

/// `ID:SECRET:USER_ID[:SCOPES]`, scopes separated by commas (`data,user`).
/// The id has no `:` (HTTP Basic ends it at the first); the secret may.
/// No message repeats the secret.
pub fn parse_client(s: &str) -> Result<ClientSpec, String> {
    const SHAPE: &str = "--client: expected ID:SECRET:USER_ID[:SCOPES]";
    let (id, rest) = s.split_once(':').ok_or(SHAPE)?;
    let (head, last) = rest.rsplit_once(':').ok_or(SHAPE)?;
    let user = |u: &str| {
        u.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--client {id}: USER_ID must be a positive integer"))
    };
    let (secret, user_id, scopes) = match user(last) {
        Ok(n) => (head, n, None),
        Err(_) => {
            let (secret, u) = head.rsplit_once(':').ok_or(SHAPE)?;
            let scopes = parse_scopes(last).map_err(|e| format!("--client {id}: {e}"))?;
            (secret, user(u)?, Some(scopes))
        }
    };
    if id.trim().is_empty() {
        return Err("--client: the client id is empty".to_owned());
    }
    if secret.is_empty() {
        return Err(format!("--client {id}: the secret is empty"));
    }
    Ok(ClientSpec {
        id: id.trim().to_owned(),
        secret: Password::new(secret),
        user_id,
        scopes,
    })
}

struct Client {
    secret_digest: Vec<u8>,
    user: UserId,
    scopes: Vec<String>,
}

/// The clients, the signing key and the token lifetime.
pub(crate) struct Auth {
    clients: HashMap<String, Client>,
    key: hmac::Key,
    ttl_s: i64,
    clock: Clock,
}

/// Secrets and the key stay out of `Debug`.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<&String> = self.clients.keys().collect();
        ids.sort();
        f.debug_struct("Auth")
            .field("clients", &ids)
            .field("ttl_s", &self.ttl_s)
            .finish_non_exhaustive()
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest(&SHA256, bytes).as_ref().to_vec()
}

/// What a verified access token says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claims {
    pub user: UserId,
    pub scopes: Vec<String>,
}

impl Auth {
    /// Checks the clients (unique ids) and makes this process's key.
    pub(crate) fn new(clients: &[ClientSpec], ttl: Duration) -> Result<Self, Error> {
        if ttl.as_secs() < 1 || ttl.subsec_nanos() != 0 {
            return Err(Error::Config(format!(
                "token_ttl must be a whole number of seconds, at least 1 (got {ttl:?}): a JWT's exp counts seconds"
            )));
        }
        let mut map = HashMap::new();
        for c in clients {
            if c.user_id < 1 {
                return Err(Error::Config(format!(
                    "client {}: user id {} must be a positive integer",
                    c.id, c.user_id
                )));
            }
            let scopes = match &c.scopes {
                Some(s) => parse_scopes(&s.join(","))
                    .map_err(|e| Error::Config(format!("client {}: {e}", c.id)))?,
                None => SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            };
            let client = Client {
                secret_digest: sha256(c.secret.expose().as_bytes()),
                user: c.user_id,
                scopes,
            };
            if map.insert(c.id.clone(), client).is_some() {
                return Err(Error::Config(format!("client {} is given twice", c.id)));
            }
        }
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| Error::Config("the system random source failed".to_owned()))?;
        Ok(Self {
            clients: map,
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            ttl_s: ttl.as_secs() as i64,
            clock: Clock::system(),
        })
    }

    /// The same, reading the time from `clock` (the store's: the server
    /// gives it the emulator's one clock).
    pub(crate) fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// THE time of the public API: token issue and expiry read it here.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The user and scopes of the client with this id and secret.
    pub(crate) fn client(&self, id: &str, secret: &str) -> Option<(UserId, &[String])> {
        self.clients
            .get(id)
            .filter(|c| c.secret_digest == sha256(secret.as_bytes()))
            .map(|c| (c.user, c.scopes.as_slice()))
    }

    /// The users the clients act as (the registry must know them).
    pub(crate) fn users(&self) -> impl Iterator<Item = UserId> + '_ {
        self.clients.values().map(|c| c.user)
    }

    /// A signed token for `client` with `scopes`, its expiry (epoch s)
    /// and its id (`jti`).
    pub(crate) fn issue(
        &self,
        client_id: &str,
        user: UserId,
        scopes: &[String],
        role: &str,
    ) -> (String, i64, String) {
        let now_s = self.now_ms().div_euclid(1000);
        let exp = now_s + self.ttl_s;
        let mut jti = [0u8; 16];
        let _ = SystemRandom::new().fill(&mut jti);
        let jti: String = jti.iter().map(|b| format!("{b:02x}")).collect();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = json!({
            "sub": client_id,
            "userId": user,
            "role": role,
            "customer": "emulator",
            "scope": scopes,
            "iat": now_s,
            "exp": exp,
            "jti": &jti,
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{payload}");
        let sig = hmac::sign(&self.key, signed.as_bytes());
        (
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref())),
            exp,
            jti,
        )
    }

    /// The claims of a token this process signed that has not expired.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, String> {
        let invalid = || "the access token is not valid".to_owned();
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let signed = &token[..h.len() + 1 + p.len()];
        hmac::verify(&self.key, signed.as_bytes(), &sig).map_err(|_| invalid())?;
        let claims: Value = URL_SAFE_NO_PAD
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(invalid)?;
        let exp = claims["exp"].as_i64().ok_or_else(invalid)?;
        if self.now_ms() >= exp.saturating_mul(1000) {
            return Err(format!(
                "the access token expired at {}; fetch a new one from /oauth/token",
                crate::reply::iso_time(exp.saturating_mul(1000))
            ));
        }
        let user = claims["userId"].as_i64().ok_or_else(invalid)?;
        let scopes = claims["scope"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .ok_or_else(invalid)?;
        Ok(Claims { user, scopes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(spec: &str) -> ClientSpec {
        parse_client(spec).unwrap()
    }

    #[test]
    fn client_flags_parse_and_never_echo_the_secret() {
        let c = client("app:s3:cr3t:7:data,user");
        assert_eq!(
            (c.id.as_str(), c.secret.expose(), c.user_id),
            ("app", "s3:cr3t", 7)
        );
        assert_eq!(c.scopes, Some(vec!["data".into(), "user".into()]));
        let c = client("app:hunter2:1");
        assert_eq!((c.user_id, c.scopes), (1, None));
        assert!(!format!("{:?}", client("a:hunter2:1")).contains("hunter2"));
        for bad in [
            "app",
            "app:hunter2",
            "app:hunter2:x",
            ":hunter2:1",
            "app:hunter2:1:root",
        ] {
            let e = parse_client(bad).unwrap_err();
            assert!(!e.contains("hunter2"), "{bad}: {e}");
        }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let now = crate::clock::ManualClock::at(1_700_000_000_000);
        let auth = Auth::new(&[client("app:pw:7:data")], Duration::from_secs(60))
            .unwrap()
            .with_clock(now.clock());
        let (token, exp, _) = auth.issue("app", 7, &["data".into()], "Editor");
        assert_eq!(exp, 1_700_000_060);
        let payload: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(payload["exp"], 1_700_000_060);
        assert_eq!(
            auth.verify(&token).unwrap(),
            Claims {
                user: 7,
                scopes: vec!["data".into()]
            }
        );
        now.advance(Duration::from_millis(59_999));
        assert!(auth.verify(&token).is_ok(), "a millisecond before exp");
        now.advance(Duration::from_millis(1));
        assert!(auth.verify(&token).unwrap_err().contains("expired"));
        // Another process's key, or a changed claim, is refused.
        let other = Auth::new(&[], Duration::from_secs(60)).unwrap();
        assert!(other.verify(&token).unwrap_err().contains("not valid"));
        let mut forged: Vec<&str> = token.split('.').collect();
        let admin = URL_SAFE_NO_PAD.encode(r#"{"userId":1,"scope":["data"],"exp":9999999999}"#);
        forged[1] = &admin;
        assert!(auth.verify(&forged.join(".")).is_err());
        assert!(
            Auth::new(&[], Duration::from_millis(500)).is_err(),
            "sub-second TTLs cannot be said in exp"
        );
    }
}
