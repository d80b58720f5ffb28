//! Where requests go and how they authenticate.

use std::time::Duration;

use crate::error::Error;
use crate::secret::Credentials;

/// The root every request path is appended to: `https://acme.domo.com`, an
/// explicit URL, or nothing at all (relative URLs, for custom apps served by
/// Domo itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// `acme` → `https://acme.domo.com`; a full host name (`acme.domo.com`) is
    /// taken as it is.
    pub fn instance(name: &str) -> Result<BaseUrl, Error> {
        let name = name.trim().to_ascii_lowercase();
        let ok = !name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !ok {
            return Err(Error::invalid_input(format!(
                "invalid Domo instance {name:?}: expected a name like `acme` (for acme.domo.com) or a host name"
            )));
        }
        let host = if name.contains('.') {
            name
        } else {
            format!("{name}.domo.com")
        };
        Ok(BaseUrl(format!("https://{host}")))
    }

    /// An explicit base URL. Plain `http://` is refused unless the host is a
    /// loopback address: tokens must not cross a network in clear text.
    pub fn parse(url: &str) -> Result<BaseUrl, Error> {
        BaseUrl::parse_inner(url, false)
    }

    /// Like [`BaseUrl::parse`] but allows `http://` to any host. For test rigs
    /// and private networks whose risk the caller has accepted.
    pub fn parse_allowing_insecure_http(url: &str) -> Result<BaseUrl, Error> {
        BaseUrl::parse_inner(url, true)
    }

    /// Where a client's settings point: an instance name or an explicit base
    /// URL, exactly one of them (`allow_insecure_http` as for
    /// [`BaseUrl::parse_allowing_insecure_http`]). Every client's builder
    /// reads its settings through this.
    pub fn from_settings(
        instance: Option<&str>,
        base_url: Option<&str>,
        allow_insecure_http: bool,
    ) -> Result<BaseUrl, Error> {
        match (instance, base_url) {
            (Some(_), Some(_)) => Err(Error::invalid_input(
                "give an instance name or a base URL, not both",
            )),
            (Some(i), None) => BaseUrl::instance(i),
            (None, Some(u)) => BaseUrl::parse_inner(u, allow_insecure_http),
            (None, None) => Err(Error::invalid_input(
                "no Domo instance or base URL configured (set an instance such as `acme`, or a base URL)",
            )),
        }
    }

    /// Where a client with `credentials` sends its requests: OAuth client
    /// credentials reach the public API ([`crate::secret::PUBLIC_API`], or
    /// `base_url` for a proxy or an emulator) and take no instance; tokens
    /// go to the instance or base URL ([`BaseUrl::from_settings`]). Every
    /// client's builder decides through this.
    pub fn for_credentials(
        credentials: &Credentials,
        instance: Option<&str>,
        base_url: Option<&str>,
        allow_insecure_http: bool,
    ) -> Result<BaseUrl, Error> {
        if !credentials.is_public_api() {
            return BaseUrl::from_settings(instance, base_url, allow_insecure_http);
        }
        if let Some(instance) = instance {
            return Err(Error::invalid_input(format!(
                "OAuth client credentials reach Domo's public API at {}, not the instance {instance:?}: drop the instance (or give a base URL for a proxy or an emulator)",
                crate::secret::PUBLIC_API
            )));
        }
        BaseUrl::from_settings(
            None,
            Some(base_url.unwrap_or(crate::secret::PUBLIC_API)),
            allow_insecure_http,
        )
    }

    /// Relative URLs (`/data/v1/...`), resolved by the browser against the
    /// page: the page's own origin, where only a custom app runs (a client
    /// on it reaches only the in-app APIs, [`crate::app::in_app_only`]).
    pub fn relative() -> BaseUrl {
        BaseUrl(String::new())
    }

    /// Whether this is [`BaseUrl::relative`].
    pub fn is_relative(&self) -> bool {
        self.0.is_empty()
    }

    fn parse_inner(url: &str, allow_http: bool) -> Result<BaseUrl, Error> {
        let bad = |why: &str| Error::invalid_input(format!("invalid base URL {url:?}: {why}"));
        let url_text = url.trim();
        if url_text.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(bad("not a URL"));
        }
        let (scheme, rest) = url_text
            .split_once("://")
            .ok_or_else(|| bad("it needs a scheme (https://)"))?;
        let scheme = scheme.to_ascii_lowercase();
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(bad(
                "credentials in the URL are not supported; pass a token instead",
            ));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let close = v6.find(']').ok_or_else(|| bad("not a URL"))?;
                (&authority[..close + 2], &v6[close + 1..])
            }
            None => match authority.find(':') {
                Some(i) => (&authority[..i], &authority[i..]),
                None => (authority, ""),
            },
        };
        if host.is_empty() || host == "[]" {
            return Err(bad("it has no host"));
        }
        let port_ok = port.is_empty()
            || port.strip_prefix(':').is_some_and(|p| {
                !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
            });
        let host_ok = host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !port_ok || !host_ok {
            return Err(bad("not a URL"));
        }
        if tail.contains(['?', '#']) {
            return Err(bad("it must not have a query string"));
        }
        match scheme.as_str() {
            "https" => {}
            "http" if allow_http || is_loopback(host) => {}
            "http" => {
                return Err(bad(
                    "plain http is only allowed to a loopback address; use https, or opt in explicitly to insecure http",
                ));
            }
            _ => return Err(bad("the scheme must be https or http")),
        }
        let path = tail.trim_end_matches('/');
        Ok(BaseUrl(format!("{scheme}://{authority}{path}")))
    }

    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `localhost`, an IPv4 address in 127.0.0.0/8 or the IPv6 `::1` (in any
/// spelling), as `std::net` decides it. Written out because the standard
/// address parser costs the browser package about 1.5 KB.
fn is_loopback(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return ipv6_groups(v6).is_some_and(|g| g == [0, 0, 0, 0, 0, 0, 0, 1]);
    }
    host.eq_ignore_ascii_case("localhost") || ipv4_octets(host).is_some_and(|o| o[0] == 127)
}

/// A dotted quad of decimal octets, without leading zeros.
fn ipv4_octets(text: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        let plain = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'));
        *octet = if plain {
            part.parse().ok()?
        } else {
            return None;
        };
    }
    parts.next().is_none().then_some(octets)
}

/// The eight groups of an IPv6 address (one `::` allowed; an IPv4 tail
/// is refused: no such address is loopback).
fn ipv6_groups(text: &str) -> Option<[u16; 8]> {
    let parse = |part: &str| -> Option<Vec<u16>> {
        if part.is_empty() {
            return Some(Vec::new());
        }
        part.split(':')
            .map(|g| {
                let hex = !g.is_empty() && g.len() <= 4 && g.bytes().all(|b| b.is_ascii_hexdigit());
                if hex {
                    u16::from_str_radix(g, 16).ok()
                } else {
                    None
                }
            })
            .collect()
    };
    let (head, tail, gap) = match text.split_once("::") {
        Some((h, t)) => (parse(h)?, parse(t)?, true),
        None => (parse(text)?, Vec::new(), false),
    };
    let given = head.len() + tail.len();
    if (gap && given > 7) || (!gap && given != 8) {
        return None;
    }
    let mut groups = [0u16; 8];
    groups[..head.len()].copy_from_slice(&head);
    groups[8 - tail.len()..].copy_from_slice(&tail);
    Some(groups)
}

/// How long one attempt may take, from sending to the last byte of the
/// reply, when the caller does not say: every transport's default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Everything a request needs besides its endpoint.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the instance answers (`https://acme.domo.com`, or an emulator).
    pub base_url: BaseUrl,
    /// How requests authenticate.
    pub credentials: Credentials,
    /// Sent as `User-Agent` where the transport may set it.
    pub user_agent: String,
    /// Whether the client runs inside a custom app, where only the in-app
    /// APIs answer: product-API endpoints are then refused before anything
    /// is sent ([`crate::app::in_app_only`]). [`Config::new`] sets it for
    /// app credentials and relative URLs; the browser's `inApp()` always.
    pub in_app: bool,
}

impl Config {
    /// A configuration with the default user agent.
    pub fn new(base_url: BaseUrl, credentials: Credentials) -> Config {
        Config {
            in_app: credentials.is_app() || base_url.is_relative(),
            base_url,
            credentials,
            user_agent: concat!("domo-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_become_domo_hosts() {
        assert_eq!(
            BaseUrl::instance("acme").unwrap().as_str(),
            "https://acme.domo.com"
        );
        assert_eq!(
            BaseUrl::instance("ACME.domo.com").unwrap().as_str(),
            "https://acme.domo.com"
        );
        for bad in ["", "a b", "acme/x", "-x", "a..b", "acme:80"] {
            assert!(BaseUrl::instance(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_is_what_std_net_says() {
        use std::net::IpAddr;
        for host in [
            "127.0.0.1",
            "127.255.0.9",
            "128.0.0.1",
            "127.0.0",
            "127.0.0.1.2",
            "127.00.0.1",
            "127.0.0.256",
            "0.0.0.0",
            "1.2.3.4",
            "[::1]",
            "[0:0:0:0:0:0:0:1]",
            "[::0:1]",
            "[::2]",
            "[::]",
            "[1::1]",
            "[::ffff:127.0.0.1]",
            "[::1:]",
            "[:::1]",
            "[::1::]",
            "[00000::1]",
            "[0:0:0:0:0:0:0:0:1]",
            "[fe80::1]",
        ] {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let std = bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            assert_eq!(is_loopback(host), std, "{host}");
        }
        assert!(is_loopback("LocalHost") && !is_loopback("localhost.example"));
    }

    #[test]
    fn http_only_to_loopback_unless_opted_in() {
        for ok in [
            "http://127.0.0.1:8787",
            "http://localhost:1/",
            "http://[::1]:9",
            "https://x.example",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        let e = BaseUrl::parse("http://10.0.0.5:8080")
            .unwrap_err()
            .to_string();
        assert!(e.contains("loopback"), "{e}");
        assert!(BaseUrl::parse_allowing_insecure_http("http://10.0.0.5:8080").is_ok());
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("https://u:p@x.example").is_err());
        assert!(BaseUrl::parse("nonsense").is_err());
        for bad in [
            "https://",
            "https://x.example:port",
            "https://x.example?a=1",
            "https://x.example/p#f",
            "https://x y.example",
            "https://[::1",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_name_an_instance_or_a_base_url() {
        let url = |i, u, insecure| BaseUrl::from_settings(i, u, insecure).map(|b| b.0);
        assert_eq!(
            url(Some("acme"), None, false).unwrap(),
            "https://acme.domo.com"
        );
        assert_eq!(
            url(None, Some("http://127.0.0.1:9/"), false).unwrap(),
            "http://127.0.0.1:9"
        );
        assert!(url(None, Some("http://10.0.0.5"), false).is_err());
        assert_eq!(
            url(None, Some("http://10.0.0.5"), true).unwrap(),
            "http://10.0.0.5"
        );
        let both = url(Some("acme"), Some("https://x.example"), false).unwrap_err();
        assert!(both.to_string().contains("not both"), "{both}");
        let none = url(None, None, false).unwrap_err();
        assert!(none.to_string().contains("no Domo instance"), "{none}");
    }

    #[test]
    fn trailing_slash_and_prefix_are_normalised() {
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:8787/proxy/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8787/proxy"
        );
    }
}
