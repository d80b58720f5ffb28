//! The module graph of a crate, read from its sources, for `cargo xtask
//! layering`: no module import cycle in any crate, and the emulator's own
//! rules (no handler module imports another; SQL only in the store).
//!
//! The rule: nodes are file modules (`src/a.rs`, `src/a/mod.rs`,
//! `src/a/b.rs`); an edge A→B is any `use crate::…`, `use super::…`,
//! `use self::…` or in-code `crate::…` / `super::…` path in A naming module
//! B or an item of B (an item defined in a parent's mod.rs is an edge to
//! that parent); `mod b;` is not an edge. `super` inside an inline
//! `mod tests { }` names the file's own module, so such imports are no
//! edge at all. The binary's `main.rs` and `src/bin/` are crates of their
//! own and are left out. Read by hand: no Rust parser crate is worth its
//! build time for paths and `use` trees.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The module a file is: `src/lib.rs` is the root, `a/mod.rs` is `a`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
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

/// Every path that may name something in the crate (all `use` paths, and
/// `crate::`/`super::` paths in code), with the inline module it appears
/// in (relative to the file's module).
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
                    if cfg_test_before(&toks, i) {
                        // Test code is not part of the crate's graph.
                        i = matching_close(&toks, i + 2) + 1;
                        continue;
                    }
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
                // Every `use` path: one that starts with a child module's
                // name (`use rows::R` in a parent) resolves to it; one
                // that names an outside crate resolves to nothing.
                for p in found {
                    out.push((here.clone(), p));
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

/// Whether the item at `toks[i]` is preceded by `#[cfg(test)]` (as
/// tokens: `#`, `[`, `cfg`, `(`, `test`, `)`, `]`).
fn cfg_test_before(toks: &[Tok], i: usize) -> bool {
    i >= 5
        && toks[i - 5] == Tok::Ident("cfg".into())
        && toks[i - 3] == Tok::Ident("test".into())
        && toks[i - 4] == Tok::Other
        && toks[i - 2] == Tok::Other
        && toks[i - 1] == Tok::Other
}

/// The index of the `}` that closes the `{` at `open`.
fn matching_close(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    toks.len()
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

pub struct Graph {
    pub edges: BTreeMap<Module, BTreeSet<Module>>,
    /// Each module's file and source.
    pub sources: BTreeMap<Module, (PathBuf, String)>,
}

/// The graph of the crate whose sources are in `src`.
pub fn graph(src: &Path) -> Result<Graph, String> {
    let mut files = Vec::new();
    rust_files(src, &mut files)?;
    files.retain(|f| {
        let rel = f.strip_prefix(src).unwrap_or(f);
        rel != Path::new("main.rs") && !rel.starts_with("bin")
    });
    let mut sources = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        sources.insert(module_of(src, f), (f.clone(), text));
    }
    let known: BTreeSet<Module> = sources.keys().cloned().collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (m, (_, text)) in &sources {
        let set = edges.entry(m.clone()).or_default();
        for (inline, p) in paths(&code_only(text)) {
            if let Some(to) = resolve(m, &inline, &p, &known)
                && &to != m
            {
                set.insert(to);
            }
        }
    }
    Ok(Graph { edges, sources })
}

pub fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".to_owned()
    } else {
        m.join("::")
    }
}

impl Graph {
    /// A cycle of imports, if there is one (depth-first search: a back
    /// edge closes a cycle).
    pub fn cycle(&self) -> Option<Vec<Module>> {
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
                        let start = stack.iter().position(|s| s == to)?;
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
        for m in self.edges.keys() {
            if state.get(m).copied().unwrap_or(0) == 0
                && let Some(c) = visit(m, self, &mut state, &mut Vec::new())
            {
                return Some(c);
            }
        }
        None
    }

    /// Imports from one child of `parent` (`api::uploads`) to another.
    pub fn sibling_imports(&self, parent: &str) -> Vec<(Module, Module)> {
        let child = |m: &Module| m.len() == 2 && m[0] == parent;
        let mut out = Vec::new();
        for (from, tos) in &self.edges {
            for to in tos.iter().filter(|to| child(from) && child(to)) {
                out.push((from.clone(), to.clone()));
            }
        }
        out
    }
}

/// The emulator's store owns SQLite: outside `store`, no statement is
/// prepared or run. Value types (cells) and `From<rusqlite::Error>` are not
/// SQL; anything else of rusqlite is.
pub fn sql_outside(g: &Graph, owner: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (m, (path, text)) in &g.sources {
        if m.first().map(String::as_str) == Some(owner) {
            continue;
        }
        let code = code_only(text);
        for (at, _) in code.match_indices("rusqlite::") {
            let rest = &code[at + "rusqlite::".len()..];
            if !(rest.starts_with("types") || rest.starts_with("Error")) {
                let shown: String = rest.chars().take(20).collect();
                found.push(format!("{} uses rusqlite::{shown}", path.display()));
            }
        }
        for needle in [
            ".prepare(",
            "prepare_cached",
            "execute_batch",
            "query_row",
            "params!",
        ] {
            if code.contains(needle) {
                found.push(format!("{} uses `{needle}`", path.display()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files in a fresh temporary folder.
    fn tree(files: &[(&str, &str)]) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-modules-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn m(path: &str) -> Module {
        path.split("::").map(str::to_owned).collect()
    }

    #[test]
    fn a_cycle_through_use_and_paths_is_found() {
        let src = tree(&[
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "use crate::b::Thing;\n"),
            (
                "b.rs",
                "// crate::a in a comment is no edge\npub fn f() { crate::a::g(); }\n",
            ),
        ]);
        let g = graph(&src).unwrap();
        let cycle: Vec<String> = g.cycle().unwrap().iter().map(name).collect();
        assert_eq!(cycle, ["a", "b", "a"]);
    }

    #[test]
    fn children_may_use_their_parent_and_mod_is_no_edge() {
        let src = tree(&[
            ("lib.rs", "mod store;\nmod api;\n"),
            ("store/mod.rs", "mod rows;\npub struct Store;\n"),
            (
                "store/rows.rs",
                "use super::Store;\n#[cfg(test)]\nmod tests { use super::*; }\n",
            ),
            ("api/mod.rs", "pub mod x;\npub mod y;\n"),
            (
                "api/x.rs",
                "use crate::store::rows;\nuse crate::api::y::Y;\n",
            ),
            ("api/y.rs", "use crate::store::{self, rows::R};\n"),
        ]);
        let g = graph(&src).unwrap();
        assert!(g.cycle().is_none(), "{:?}", g.cycle());
        assert!(g.edges[&m("store::rows")].contains(&m("store")));
        assert!(g.edges[&m("api::y")].contains(&m("store")));
        assert!(g.edges[&m("api::y")].contains(&m("store::rows")));
        assert_eq!(g.sibling_imports("api"), [(m("api::x"), m("api::y"))]);
        // A parent that re-exports its child closes a cycle.
        let src = tree(&[
            ("lib.rs", "mod store;\n"),
            (
                "store/mod.rs",
                "mod rows;\npub use rows::R;\npub struct Store;\n",
            ),
            ("store/rows.rs", "use super::Store;\npub struct R;\n"),
        ]);
        assert!(
            graph(&src).unwrap().cycle().is_some(),
            "`use rows::R` in the parent"
        );
        let src = tree(&[
            ("lib.rs", "mod store;\n"),
            (
                "store/mod.rs",
                "mod rows;\npub use self::rows::R;\npub struct Store;\n",
            ),
            ("store/rows.rs", "use super::Store;\npub struct R;\n"),
        ]);
        assert!(graph(&src).unwrap().cycle().is_some());
    }

    #[test]
    fn test_modules_are_not_part_of_the_graph() {
        let src = tree(&[
            ("lib.rs", "mod a;\npub use a::A;\n"),
            (
                "a.rs",
                "pub struct A;\n#[cfg(test)]\nmod tests {\n    use crate::A;\n    fn f() { {} }\n}\nfn g() {}\n",
            ),
        ]);
        let g = graph(&src).unwrap();
        assert!(g.cycle().is_none(), "{:?}", g.cycle());
        // Without the attribute the same module is an edge back.
        let src = tree(&[
            ("lib.rs", "mod a;\npub use a::A;\n"),
            ("a.rs", "pub struct A;\nmod inner {\n    use crate::A;\n}\n"),
        ]);
        assert!(graph(&src).unwrap().cycle().is_some());
    }

    #[test]
    fn sql_is_found_outside_its_owner() {
        let src = tree(&[
            ("lib.rs", "mod store;\nmod api;\n"),
            (
                "store.rs",
                "fn f(c: &rusqlite::Connection) { c.prepare(\"x\"); }\n",
            ),
            (
                "api.rs",
                "fn g(c: &C) { c.query_row(1); let v: rusqlite::types::Value; }\n",
            ),
        ]);
        let found = sql_outside(&graph(&src).unwrap(), "store");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("query_row"), "{found:?}");
    }
}
