//! `domoctl mcp --http ADDR`: the same server over streamable HTTP at
//! `/mcp`. Loopback only (and only loopback `Host` headers, against DNS
//! rebinding) unless `--allow-remote`, which needs a bearer token in
//! [`BEARER_TOKEN_ENV`]; when that is set, every request must carry it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domo_core::Secret;
use domo_native::CancellationToken;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::server::DomoServer;
use crate::failure::Failure;

/// The environment variable holding the bearer token `--http` clients
/// must send (required with `--allow-remote`, honoured on loopback too).
pub const BEARER_TOKEN_ENV: &str = "DOMOCTL_MCP_BEARER_TOKEN";

/// Serves until interrupted (Ctrl-C).
pub async fn serve(
    server: DomoServer,
    addr: SocketAddr,
    allow_remote: bool,
) -> Result<(), Failure> {
    let bearer = std::env::var(BEARER_TOKEN_ENV)
        .ok()
        .map(|t| Secret::new(t.trim()))
        .filter(|t| !t.expose().is_empty());
    check_address(addr, allow_remote, bearer.is_some())?;
    let stop = CancellationToken::new();
    let mut config =
        StreamableHttpServerConfig::default().with_cancellation_token(stop.child_token());
    if allow_remote {
        // Remote clients name this host as they reach it; the bearer
        // token, not the Host header, keeps strangers out.
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let mut router = axum::Router::new().nest_service("/mcp", service);
    if let Some(token) = bearer {
        let token = Arc::new(token);
        router = router.layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let token = Arc::clone(&token);
                async move { require_bearer(&token, req, next).await }
            },
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::Io(format!("cannot listen on {addr}: {e}")))?;
    tracing::info!("serving MCP over streamable HTTP at http://{local}/mcp");
    let result = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        })
        .await;
    result.map_err(|e| Failure::Io(format!("the MCP HTTP server stopped: {e}")))
}

/// Loopback, or a remote address with `--allow-remote` and a token.
fn check_address(addr: SocketAddr, allow_remote: bool, has_token: bool) -> Result<(), Failure> {
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(Failure::usage(format!(
            "--http {addr} is not a loopback address: anyone who reaches it could read your \
             Domo data. Use 127.0.0.1, or add --allow-remote with a bearer token in {BEARER_TOKEN_ENV}"
        )));
    }
    if allow_remote && !has_token {
        return Err(Failure::usage(format!(
            "--allow-remote needs a bearer token in {BEARER_TOKEN_ENV} (a long random value; \
             clients send it as `Authorization: Bearer ...`)"
        )));
    }
    Ok(())
}

/// Passes a request that carries the token; answers 401 otherwise.
async fn require_bearer(token: &Secret, req: Request, next: Next) -> Response {
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match sent {
        Some(sent) if same(sent.as_bytes(), token.expose().as_bytes()) => next.run(req).await,
        _ => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a bearer token is required (Authorization: Bearer ...)",
        )
            .into_response(),
    }
}

/// Equality whose time does not depend on where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_addresses_need_the_switch_and_a_token() {
        let loopback: SocketAddr = "127.0.0.1:8808".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8808".parse().unwrap();
        assert!(check_address(loopback, false, false).is_ok());
        let e = check_address(any, false, true)
            .unwrap_err()
            .describe()
            .unwrap();
        assert!(e.contains("--allow-remote"), "{e}");
        let e = check_address(any, true, false)
            .unwrap_err()
            .describe()
            .unwrap();
        assert!(e.contains(BEARER_TOKEN_ENV), "{e}");
        assert!(check_address(any, true, true).is_ok());
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd") && !same(b"abc", b"ab") && !same(b"", b"a"));
    }
}
