//! The crate's module graph, read from its sources: no module import
//! cycle, no handler module importing another, and no SQLite connection
//! used outside the store.
//!
//! The rule (the same the workspace's xtask check states): nodes are file
//! modules (`src/a.rs`, `src/a/mod.rs`, `src/a/b.rs`); an edge A→B is any
//! `use crate::…`, `use super::…`, `use self::…` or in-code `crate::…` /
//! `super::…` path in A naming module B or an item of B (an item defined
//! in a parent's mod.rs is an edge to that parent); `mod b;` is not an
//! edge. `super` inside an inline `mod tests { }` names the file's own
//! module, so such imports are no edge at all.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file is: `src/lib.rs` is the root, `a/mod.rs` is `a`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        name => parts.push(name.trim_end_matches(".rs").to_owned()),
    }
    parts
}

/// The source with comments, strings and char literals blanked out.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if c == 'r'
            && (next == Some('#') || next == Some('"'))
            && !b[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Sep,
    Open,
    Close,
    Semi,
    Comma,
    Other,
}

fn tokens(code: &str) -> Vec<Tok> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
            continue;
        }
        out.push(match ch {
            ':' if c.get(i + 1) == Some(&':') => {
                i += 1;
                Tok::Sep
            }
            '{' => Tok::Open,
            '}' => Tok::Close,
            ';' => Tok::Semi,
            ',' => Tok::Comma,
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            _ => Tok::Other,
        });
        i += 1;
    }
    out
}

/// Expands a `use` tree starting at `toks[*i]` into full paths.
fn use_tree(toks: &[Tok], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    loop {
        match toks.get(*i) {
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                *i += 1;
                if toks.get(*i) == Some(&Tok::Sep) {
                    *i += 1;
                    continue;
                }
                // `as alias`
                if matches!(toks.get(*i), Some(Tok::Ident(s)) if s == "as") {
                    *i += 2;
                }
                out.push(path);
                return;
            }
            Some(Tok::Open) => {
                *i += 1;
                loop {
                    match toks.get(*i) {
                        Some(Tok::Close) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Comma) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, &path, out),
                    }
                }
            }
            _ => {
                // `*` (glob) or the end: the path itself is named.
                if !path.is_empty() {
                    out.push(path);
                }
                *i += 1;
                return;
            }
        }
    }
}

/// Every path naming something in the crate, with the inline module it
/// appears in (relative to the file's module).
fn paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let toks = tokens(code);
    let mut out = Vec::new();
    // Inline modules: (name, brace depth at which it opened).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let here: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
        match &toks[i] {
            Tok::Ident(k) if k == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Open)) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    depth += 1;
                    inline.push((name.clone(), depth));
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(k) if k == "use" => {
                i += 1;
                let mut found = Vec::new();
                use_tree(&toks, &mut i, &[], &mut found);
                for p in found {
                    if matches!(
                        p.first().map(String::as_str),
                        Some("crate" | "super" | "self")
                    ) {
                        out.push((here.clone(), p));
                    }
                }
                continue;
            }
            Tok::Ident(k)
                if (k == "crate" || k == "super") && toks.get(i + 1) == Some(&Tok::Sep) =>
            {
                let prev_is_sep = i > 0 && toks[i - 1] == Tok::Sep;
                let mut p = vec![k.clone()];
                let mut j = i + 1;
                while toks.get(j) == Some(&Tok::Sep) {
                    match toks.get(j + 1) {
                        Some(Tok::Ident(s)) => {
                            p.push(s.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                if !prev_is_sep {
                    out.push((here.clone(), p));
                }
                i = j;
                continue;
            }
            Tok::Open => depth += 1,
            Tok::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The file module a path lands in: the longest known module prefix.
fn resolve(
    file_module: &Module,
    inline: &[String],
    path: &[String],
    known: &BTreeSet<Module>,
) -> Option<Module> {
    let mut at: Vec<String> = file_module.iter().chain(inline).cloned().collect();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            at.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        _ => {}
    }
    while rest.first().map(String::as_str) == Some("super") {
        at.pop()?;
        rest = &rest[1..];
    }
    for seg in rest {
        if seg == "self" {
            continue;
        }
        let mut next = at.clone();
        next.push(seg.clone());
        if known.contains(&next) {
            at = next;
        } else {
            break;
        }
    }
    // An inline module resolves to the file that holds it.
    while !known.contains(&at) {
        at.pop()?;
    }
    Some(at)
}

struct Graph {
    edges: BTreeMap<Module, BTreeSet<Module>>,
    sources: BTreeMap<Module, (PathBuf, String)>,
}

fn graph() -> Graph {
    // MODULE_GRAPH_SRC checks another tree (e.g. an older checkout).
    let src = std::env::var_os("MODULE_GRAPH_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // main.rs is the binary: a crate of its own.
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let mut sources = BTreeMap::new();
    for f in &files {
        sources.insert(
            module_of(&src, f),
            (f.clone(), std::fs::read_to_string(f).unwrap()),
        );
    }
    let known: BTreeSet<Module> = sources.keys().cloned().collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (m, (_, text)) in &sources {
        let set = edges.entry(m.clone()).or_default();
        for (inline, p) in paths(&code_only(text)) {
            if let Some(to) = resolve(m, &inline, &p, &known) {
                if &to != m {
                    set.insert(to);
                }
            }
        }
    }
    Graph { edges, sources }
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".to_owned()
    } else {
        m.join("::")
    }
}

#[test]
fn the_module_graph_has_no_cycle() {
    let g = graph();
    // Depth-first search; a back edge is a cycle.
    fn visit(
        m: &Module,
        g: &Graph,
        state: &mut BTreeMap<Module, u8>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for to in g.edges.get(m).into_iter().flatten() {
            match state.get(to).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|s| s == to).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(to.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(to, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.edges.keys() {
        if state.get(m).copied().unwrap_or(0) == 0 {
            if let Some(cycle) = visit(m, &g, &mut state, &mut Vec::new()) {
                let names: Vec<String> = cycle.iter().map(name).collect();
                panic!("module import cycle: {}", names.join(" -> "));
            }
        }
    }
    // The checker sees the edges it should (it is not vacuous).
    let api_uploads = vec!["api".to_owned(), "uploads".to_owned()];
    let store_uploads = vec!["store".to_owned(), "uploads".to_owned()];
    assert!(g.edges[&api_uploads].contains(&store_uploads));
    assert!(g.edges[&store_uploads].contains(&vec!["store".to_owned()]));
}

#[test]
fn no_handler_module_imports_another() {
    let g = graph();
    for (from, tos) in &g.edges {
        if from.first().map(String::as_str) != Some("api") || from.len() != 2 {
            continue;
        }
        for to in tos {
            assert!(
                !(to.first().map(String::as_str) == Some("api") && to.len() == 2),
                "handler {} imports handler {}",
                name(from),
                name(to)
            );
            // Handlers reach the store's operations, not its internals.
        }
    }
}

#[test]
fn no_sqlite_connection_is_used_outside_the_store() {
    let g = graph();
    for (m, (path, text)) in &g.sources {
        if m.first().map(String::as_str) == Some("store") {
            continue;
        }
        let code = code_only(text);
        // Value types (csvio's cells) and the public `From<rusqlite::Error>
        // for Error` are not SQL; anything else of rusqlite is.
        for (at, _) in code.match_indices("rusqlite::") {
            let rest = &code[at + "rusqlite::".len()..];
            assert!(
                rest.starts_with("types") || rest.starts_with("Error"),
                "{} uses rusqlite::{:.20}: SQL belongs in the store",
                path.display(),
                rest
            );
        }
        for needle in [
            ".prepare(",
            "prepare_cached",
            "execute_batch",
            "query_row",
            "params!",
            "rusqlite::params",
        ] {
            assert!(
                !code.contains(needle),
                "{} uses `{needle}`: SQL belongs in the store",
                path.display()
            );
        }
    }
}
