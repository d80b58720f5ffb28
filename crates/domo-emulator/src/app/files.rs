//! The app's static files. A request path is percent-decoded, split into
//! segments and refused if any segment is `..` (or holds a separator); the
//! file found is then canonicalised and must still lie under the app root,
//! which also stops symlinks that point outside it. HTML pages get the
//! session id injected and set as the `ryuu_sid` cookie, as Domo's app
//! host does.

use std::path::{Path, PathBuf};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppSite;
use crate::error::ApiError;

/// Content type by file name (the longest known suffix wins, so `x.d.ts`
/// is TypeScript and `x.js.map` a source map).
pub(crate) fn content_type(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "ts" | "mts" => "application/typescript",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Turns a raw (still percent-encoded) URL path into path segments, or
/// says why it is refused. Decoding happens before the checks, so `%2e%2e`
/// and `..%2f` are caught like `..`.
pub(crate) fn segments(raw_path: &str) -> Result<Vec<String>, String> {
    let decoded = percent_decode(raw_path).ok_or("the path is not valid percent-encoded UTF-8")?;
    let mut out = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err("the path leaves the app directory (`..`)".to_owned()),
            s if s.contains(['\\', '\0', ':']) => {
                return Err(format!("the path segment `{s}` is not allowed"));
            }
            s => out.push(s.to_owned()),
        }
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Finds the file for `segs` under `root` (a directory serves its
/// `index.html`); `None` when there is none inside the root.
async fn locate(root: &Path, segs: &[String]) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    path.extend(segs);
    let mut real = tokio::fs::canonicalize(&path).await.ok()?;
    if !real.starts_with(root) {
        return None;
    }
    if tokio::fs::metadata(&real).await.ok()?.is_dir() {
        real = tokio::fs::canonicalize(real.join("index.html"))
            .await
            .ok()?;
        if !real.starts_with(root) {
            return None;
        }
    }
    tokio::fs::metadata(&real)
        .await
        .ok()
        .filter(|m| m.is_file())
        .map(|_| real)
}

/// `<script>window.__RYUU_SID__ = "...";</script>` with the token as a JSON
/// string that also cannot close the script element.
pub(crate) fn sid_script(token: &str) -> String {
    let json = serde_json::Value::from(token)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    format!("<script>window.__RYUU_SID__ = {json};</script>")
}

/// Inserts `script` right after the `<head>` tag (any case, attributes
/// allowed); without one, after a leading `<!doctype ...>` (so the page
/// keeps its standards mode), else at the very start.
pub(crate) fn inject(html: &[u8], script: &str) -> Vec<u8> {
    let lower = html.to_ascii_lowercase();
    let after_tag = |name: &[u8]| -> Option<usize> {
        let mut from = 0;
        while let Some(pos) = find(&lower[from..], name) {
            let start = from + pos;
            let next = lower.get(start + name.len()).copied();
            if matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
                return find(&lower[start..], b">").map(|e| start + e + 1);
            }
            from = start + name.len();
        }
        None
    };
    let at = after_tag(b"<head")
        .or_else(|| {
            let trimmed = lower.iter().position(|c| !c.is_ascii_whitespace())?;
            if lower[trimmed..].starts_with(b"<!doctype") {
                find(&lower[trimmed..], b">").map(|e| trimmed + e + 1)
            } else {
                None
            }
        })
        .unwrap_or(0);
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// GET (or HEAD) of a non-API path.
pub(crate) async fn serve(site: &AppSite, raw_path: &str) -> Response {
    let segs = match segments(raw_path) {
        Ok(s) => s,
        Err(why) => return ApiError::bad_request(format!("refused: {why}")).into_response(),
    };
    let Some(file) = locate(&site.root, &segs).await else {
        return ApiError::not_found(format!("no file {raw_path} in the app directory"))
            .into_response();
    };
    let bytes = match tokio::fs::read(&file).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::internal(format!("cannot read {raw_path}: {e}")).into_response();
        }
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ty = content_type(name);
    let html = ty.starts_with("text/html");
    let body = if html {
        inject(&bytes, &sid_script(&site.session_token))
    } else {
        bytes
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A development server: always revalidate; pages carry the session id.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if html { "no-store" } else { "no-cache" }),
    );
    if html && let Some(cookie) = super::session::set_cookie(site) {
        h.insert(header::SET_COOKIE, cookie);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        for (name, ty) in [
            ("index.html", "text/html; charset=utf-8"),
            ("app.js", "text/javascript"),
            ("app.MJS", "text/javascript"),
            ("pkg_bg.wasm", "application/wasm"),
            ("pkg.d.ts", "application/typescript"),
            ("app.js.map", "application/json"),
            ("manifest.json", "application/json"),
            ("logo.svg", "image/svg+xml"),
            ("favicon.ico", "image/x-icon"),
            ("style.css", "text/css; charset=utf-8"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("thumbnail.png", "image/png"),
            ("LICENSE", "application/octet-stream"),
        ] {
            assert_eq!(content_type(name), ty, "{name}");
        }
    }

    #[test]
    fn traversal_is_refused_however_spelled() {
        assert_eq!(segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(segments("/a/./b//c.js").unwrap(), ["a", "b", "c.js"]);
        assert_eq!(segments("/my%20app.js").unwrap(), ["my app.js"]);
        // An encoded slash only splits; it cannot make a path absolute.
        assert_eq!(segments("/%2Fetc%2Fpasswd").unwrap(), ["etc", "passwd"]);
        for bad in [
            "/../Cargo.toml",
            "/a/../../x",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/..%2fx",
            "/a%2f..%2f..%2fx",
            "/..%5cx",
            "/C:%5cwindows",
            "/x%00.html",
            "/%zz",
            "/%ff",
        ] {
            assert!(segments(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn injects_the_sid_after_head() {
        let s = sid_script("t");
        assert_eq!(s, r#"<script>window.__RYUU_SID__ = "t";</script>"#);
        let out = |html: &str| String::from_utf8(inject(html.as_bytes(), "<S>")).unwrap();
        assert_eq!(
            out("<!DOCTYPE html><html><HEAD lang=x><title>t</title></head>"),
            "<!DOCTYPE html><html><HEAD lang=x><S><title>t</title></head>"
        );
        assert_eq!(
            out("<html><header>h</header><head></head>"),
            "<html><header>h</header><head><S></head>"
        );
        assert_eq!(
            out("  <!doctype html><p>x</p>"),
            "  <!doctype html><S><p>x</p>"
        );
        assert_eq!(out("<p>x</p>"), "<S><p>x</p>");
    }

    #[test]
    fn the_token_cannot_break_out_of_the_script() {
        let s = sid_script("a\"</script><script>alert(1)</script>\u{2028}");
        assert!(!s[8..s.len() - 9].contains("</script>"), "{s}");
        assert!(s.contains(r#"\"\u003c/script\u003e"#), "{s}");
        assert!(s.contains("\\u2028"), "{s}");
    }
}
