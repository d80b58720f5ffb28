//! The browser package's one-request methods come from domo-core's
//! endpoint declarations: `crates/domo-wasm/js/methods.js` (method,
//! endpoint, argument names) and `crates/domo-wasm/src/methods.d.ts`
//! (their TypeScript) are generated here from [`domo_core::specs`]. This
//! test fails when either file is not what the declarations generate today;
//! `UPDATE_TS=1` rewrites them. Adding an endpoint with a `js` method adds
//! it to the package. methods.d.ts also maps each method to its reply type
//! (`EndpointReplies`), the map `web/test/types.test.mjs` checks replies
//! against.

use std::fmt::Write as _;
use std::path::Path;

use domo_core::spec::{JsHandle, Kind, Param, Spec};

fn path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A Rust type's name (as `stringify!` wrote it) as the TypeScript type
/// the package declares: model types keep their names (model.d.ts exports
/// them), lists become arrays.
fn ts_type(rust: &str) -> String {
    let t: String = rust.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.rsplit("::").next().unwrap_or(&t).to_owned();
    if let Some(inner) = t.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
        return format!("{}[]", ts_type(inner));
    }
    if let Some(inner) = t.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')) {
        return format!("{} | null", ts_type(inner));
    }
    match t.as_str() {
        "Value" => "unknown".to_owned(),
        // An app data row: column name to value.
        "Row" => "Record<string, unknown>".to_owned(),
        // The browser hands on the replies with their secrets: the caller
        // asked for them.
        "Session" => "LoginReply".to_owned(),
        "MintedToken" => "AccessToken & { token: string }".to_owned(),
        "u64" | "u32" | "i64" | "f64" => "number".to_owned(),
        // Renamed in TypeScript, where `Document` is the DOM's.
        "Document" => "AppDocument".to_owned(),
        // AppDB content, filters and update operators: JSON objects.
        "Content" | "DocumentFilter" | "UpdateOperation" => "Record<string, unknown>".to_owned(),
        // What the Data API answers depends on the format asked for (the
        // method's overloads say which).
        "AppDataReply" => "Record<string, unknown>[] | QueryResult | string".to_owned(),
        other => other.to_owned(),
    }
}

/// What a method's Promise resolves to, as the reply's steps leave it.
fn output(spec: &Spec) -> String {
    match spec.output {
        "void" => "void".to_owned(),
        "string" => "string".to_owned(),
        // An empty reply reads as `{}` (no dataset sent back).
        other if spec.name == "SetProperties" => {
            let inner = ts_type(other).replace(" | null", "");
            format!("{inner} | Record<string, never>")
        }
        other => ts_type(other),
    }
}

/// For a method whose reply form its `format` argument picks: each
/// choice's TypeScript, as `format`'s type text and the reply's type.
fn reply_forms(spec: &Spec) -> Option<[(&'static str, &'static str); 3]> {
    (spec.output == "AppDataReply").then_some([
        ("\"arrays\"", "QueryResult"),
        ("\"csv\" | \"excel\"", "string"),
        ("\"objects\"", "Record<string, unknown>[]"),
    ])
}

/// An options parameter's text with `format` narrowed to `choice` (and
/// required, unless the choice is the default's).
fn narrow_format(param: &str, choice: &str) -> String {
    let all = r#"format?: "objects" | "arrays" | "csv" | "excel" | null"#;
    if !param.contains(all) {
        return param.to_owned();
    }
    if choice == "\"objects\"" {
        return param.replace(all, &format!("format?: {choice} | null"));
    }
    param
        .replace(all, &format!("format: {choice}"))
        .replacen("options?:", "options:", 1)
        .trim_end_matches(" | null")
        .to_owned()
}

fn param_type(p: &Param) -> String {
    match p.kind {
        // A policy sent may leave out what the server fills in.
        Kind::Object if ts_type(p.ts) == "Policy" => "PolicyInput".to_owned(),
        Kind::Json | Kind::Object | Kind::Array => ts_type(p.ts),
        _ => p.ts.to_owned(),
    }
}

/// Rust doc text as TSDoc: links become their text.
fn doc_text(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) => {
                out.push_str(&after[..close]);
                rest = &after[close + 1..];
                // `[text](target)`: drop the target.
                if rest.starts_with('(')
                    && let Some(end) = rest.find(')')
                {
                    rest = &rest[end + 1..];
                }
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

fn tsdoc(out: &mut String, indent: &str, lines: &[String]) {
    // Doc comments keep the space after `///`.
    let lines: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.lines())
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for l in lines {
        let line = format!("{indent} * {l}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "{indent} */");
}

fn generate() -> (String, String) {
    let mut js = String::from(
        "// Generated from domo-core's endpoint declarations by `UPDATE_TS=1 cargo test -p\n\
         // domo-integration-tests --test browser_methods`; do not edit.\n\
         //\n\
         // The methods of DomoClient that run one declared endpoint: the method, the\n\
         // endpoint and its arguments in order; `...` is an options object whose\n\
         // properties join the arguments. `call` does the rest in Rust (building the\n\
         // request from the declaration, retries, reading the reply). The package's\n\
         // entry points install them.\n\
         const METHODS = [\n",
    );
    let mut dts = String::from(
        "// Generated from domo-core's endpoint declarations by `UPDATE_TS=1 cargo test -p\n\
         // domo-integration-tests --test browser_methods`; do not edit.\n\
         //\n\
         // The methods js/methods.js installs on DomoClient, merged into the class\n\
         // declaration.\n\
         export interface DomoClient {\n",
    );
    // The same type text as each method's Promise, by method name.
    let mut handle_dts = String::new();
    let mut replies = String::from(
        "\n/**\n\
         \x20* What each method above resolves to, by method name (the type its\n\
         \x20* Promise declares). `MethodReplies` adds the other methods.\n\
         \x20*/\n\
         export interface EndpointReplies {\n",
    );
    // The objects a client method returns (`domo.appDb(name)`), in the
    // order first declared: their JS rows, declarations and replies.
    let mut handles: Vec<(&JsHandle, String, String, String)> = Vec::new();
    for spec in domo_core::specs() {
        for m in spec.js {
            let quoted: Vec<String> = std::iter::once(m.name)
                .chain(std::iter::once(spec.name))
                .chain(m.params.iter().copied())
                .map(|s| format!("{s:?}"))
                .collect();
            let at =
                m.on.map(|h| match handles.iter().position(|(k, ..)| *k == h) {
                    Some(i) => i,
                    None => {
                        handles.push((h, String::new(), String::new(), String::new()));
                        handles.len() - 1
                    }
                });
            let (js, dts, replies) = match at {
                None => (&mut js, &mut dts, &mut replies),
                Some(i) => {
                    let (_, j, d, r) = &mut handles[i];
                    (j, d, r)
                }
            };
            let indent = if at.is_some() { "    " } else { "  " };
            let _ = writeln!(js, "{indent}[{}],", quoted.join(", "));

            let mut doc = vec![doc_text(spec.doc)];
            let mut params = Vec::new();
            for name in m.params {
                if *name == "..." {
                    let rest: Vec<&Param> = spec
                        .params
                        .iter()
                        .filter(|p| !m.params.contains(&p.name))
                        .filter(|p| m.on.is_none_or(|h| h.arg != p.name))
                        .collect();
                    let fields: Vec<String> = rest
                        .iter()
                        .map(|p| format!("{}?: {} | null", p.name, param_type(p)))
                        .collect();
                    params.push(format!("options?: {{ {} }} | null", fields.join("; ")));
                    for p in rest {
                        if !p.doc.is_empty() {
                            doc.push(format!("@param options.{} {}", p.name, doc_text(p.doc)));
                        }
                    }
                    continue;
                }
                let p = spec.param(name).expect("a declared argument");
                // A handle supplies its own argument.
                if m.on.is_some_and(|h| h.arg == p.name) {
                    continue;
                }
                let optional = p.optional || p.default.is_some();
                // TypeScript allows `?` only where no required parameter
                // follows; before one, an optional argument takes `undefined`.
                let required_after = m.params.iter().skip_while(|n| *n != name).skip(1).any(|n| {
                    spec.param(n)
                        .is_some_and(|q| !q.optional && q.default.is_none())
                });
                let (q, null) = match (optional, required_after) {
                    (false, _) => ("", ""),
                    (true, false) => ("?", " | null"),
                    (true, true) => ("", " | null | undefined"),
                };
                params.push(format!("{}{q}: {}{null}", p.name, param_type(p)));
                if !p.doc.is_empty() {
                    doc.push(format!("@param {} {}", p.name, doc_text(p.doc)));
                }
            }
            let reply = output(spec);
            dts.push('\n');
            tsdoc(dts, "  ", &doc);
            // A reply whose form an argument picks (the Data API's
            // `format`): an overload per form, the general one last.
            if let Some(forms) = reply_forms(spec) {
                for (choice, form) in forms {
                    let narrowed: Vec<String> =
                        params.iter().map(|p| narrow_format(p, choice)).collect();
                    let _ = writeln!(
                        dts,
                        "  {}({}): Promise<{form}>;",
                        m.name,
                        narrowed.join(", "),
                    );
                }
            }
            let _ = writeln!(
                dts,
                "  {}({}): Promise<{reply}>;",
                m.name,
                params.join(", "),
            );
            let _ = writeln!(replies, "  {}: {reply};", m.name);
        }
    }
    js.push_str(
        "];\n\n\
         // The objects methods of DomoClient return (`domo.appDb(name)`): the\n\
         // method, the class, the argument the object supplies to each of its\n\
         // methods, and those methods (as above).\n\
         const HANDLES = [\n",
    );
    for (h, rows, methods, handle_replies) in &handles {
        let _ = writeln!(js, "  [{:?}, {:?}, {:?}, [", h.factory, h.class, h.arg);
        js.push_str(rows);
        js.push_str("  ]],\n");
        // The factory takes the argument as the endpoints declare it.
        let arg = domo_core::specs()
            .flat_map(|s| s.js.iter().filter(|m| m.on == Some(*h)).map(move |_| s))
            .find_map(|s| s.param(h.arg))
            .expect("a handle's argument is an argument of its endpoints");
        dts.push('\n');
        tsdoc(
            &mut dts,
            "  ",
            &[
                doc_text(h.doc),
                format!("@param {} {}", h.arg, doc_text(arg.doc)),
            ],
        );
        let _ = writeln!(
            dts,
            "  {}({}: {}): {};",
            h.factory,
            h.arg,
            param_type(arg),
            h.class
        );
        let _ = write!(
            handle_dts,
            "\n/** What `DomoClient.{}` returns. */\nexport interface {} {{\n\
             \x20 /** {} */\n\x20 readonly {}: {};\n{methods}}}\n",
            h.factory,
            h.class,
            doc_text(arg.doc),
            h.arg,
            param_type(arg),
        );
        let _ = write!(
            handle_dts,
            "\n/** What each method of `{}` resolves to, by method name. */\n\
             export interface {}Replies {{\n{handle_replies}}}\n",
            h.class, h.class,
        );
    }
    js.push_str(
        "];\n\n\
         /** Define each row's method on `target`; `fixed` gives the arguments its object supplies. */\n\
         function define(target, rows, fixed) {\n\
         \x20 for (const [method, endpoint, ...params] of rows) {\n\
         \x20   const value = function (...values) {\n\
         \x20     const args = fixed ? fixed(this) : {};\n\
         \x20     let options;\n\
         \x20     params.forEach((p, i) => {\n\
         \x20       if (p === \"...\") options = values[i];\n\
         \x20       else args[p] = values[i];\n\
         \x20     });\n\
         \x20     return (fixed ? this.client : this).call(endpoint, args, options);\n\
         \x20   };\n\
         \x20   Object.defineProperty(value, \"name\", { value: method });\n\
         \x20   Object.defineProperty(target, method, { value, writable: true, configurable: true });\n\
         \x20 }\n\
         }\n\n\
         /** Add the methods to `DomoClient.prototype`, as class methods are, and the objects' classes. */\n\
         export function install(DomoClient) {\n\
         \x20 define(DomoClient.prototype, METHODS);\n\
         \x20 for (const [factory, name, arg, rows] of HANDLES) {\n\
         \x20   const Handle = {\n\
         \x20     [name]: class {\n\
         \x20       constructor(client, value) {\n\
         \x20         Object.defineProperty(this, \"client\", { value: client });\n\
         \x20         Object.defineProperty(this, arg, { value, enumerable: true });\n\
         \x20       }\n\
         \x20     },\n\
         \x20   }[name];\n\
         \x20   define(Handle.prototype, rows, (h) => ({ [arg]: h[arg] }));\n\
         \x20   const value = function (v) {\n\
         \x20     if (typeof v !== \"string\" || v.trim() === \"\") throw new TypeError(`${factory}: \\`${arg}\\` must be a non-empty string`);\n\
         \x20     return new Handle(this, v);\n\
         \x20   };\n\
         \x20   Object.defineProperty(value, \"name\", { value: factory });\n\
         \x20   Object.defineProperty(DomoClient.prototype, factory, { value, writable: true, configurable: true });\n\
         \x20 }\n\
         }\n",
    );
    dts.push_str("}\n");
    dts.push_str(&handle_dts);
    dts.push_str(&replies);
    dts.push_str("}\n");
    (js, dts)
}

#[test]
fn the_methods_are_generated_from_the_declarations() {
    let (js, dts) = generate();
    let files = [
        ("../crates/domo-wasm/js/methods.js", js),
        ("../crates/domo-wasm/src/methods.d.ts", dts),
    ];
    for (relative, generated) in files {
        let path = path(relative);
        if std::env::var_os("UPDATE_TS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is not what domo-core's declarations generate; run `UPDATE_TS=1 cargo test \
             -p domo-integration-tests --test browser_methods` and commit the result",
            path.display()
        );
    }
}

/// Every type a method names is declared by the package.
#[test]
fn every_type_the_methods_name_is_declared() {
    let (_, dts) = generate();
    let declared = [
        std::fs::read_to_string(path("../crates/domo-wasm/src/model.d.ts")).unwrap(),
        std::fs::read_to_string(path("../crates/domo-wasm/src/types.d.ts")).unwrap(),
    ]
    .concat();
    let builtin = [
        "string",
        "number",
        "boolean",
        "unknown",
        "void",
        "null",
        "Promise",
        "Record",
        "never",
        "Uint8Array",
        "options",
    ];
    let signatures: String = dts.lines().filter(|l| l.contains("): Promise<")).collect();
    for word in signatures
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
    {
        if builtin.contains(&word) {
            continue;
        }
        let ok = declared.contains(&format!("export type {word} "))
            || declared.contains(&format!("export type {word}<"))
            || declared.contains(&format!("export interface {word} "));
        assert!(ok, "{word} is named but not declared");
    }
}
