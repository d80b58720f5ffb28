//! The browser build: `cargo xtask web` builds `crates/domo-wasm` into the
//! npm package `web/pkg/` (cargo → wasm-bindgen → wasm-opt, then the package
//! files and a size check), and [`ci`] tests it: wasm-bindgen-test in
//! headless Chromium against emulators, `tsc --strict` over the whole API,
//! the package from Node, every method's reply against its declared type,
//! the demo custom app end to end, and the package's listeners for the Domo
//! page's messages in an app framed by the emulator's page.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use super::{cargo, run};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
const PACKAGE_NAME: &str = "@domo-rs/datasets";
/// The budget for what a page downloads: the .wasm and the JS glue, gzipped.
/// 100 KB read as 100,000 bytes, the stricter of KB and KiB.
const MAX_GZIP_BYTES: u64 = 100_000;
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// `domo-emulator --demo`'s dataset (the emulator's `DEMO_DATASET_ID`).
pub(crate) const DEMO_DATASET: &str = "00000000-0000-4000-8000-000000000001";
/// The password (`--password ID=SECRET`) of demo user 7 (east@example.com)
/// on the emulator of the declared-types test, which calls `login`.
const TYPES_LOGIN: &str = "7=types-test-password";
/// `ID:SECRET` of the OAuth client the Node tests use on the main emulator.
const NODE_CLIENT: &str = "node-test-client:node-test-secret";

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn section(title: &str) {
    eprintln!("\n================ {title} ================");
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

/// `cargo xtask web`: build the npm package into `web/pkg/`.
pub fn build(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!(
            "`cargo xtask web` takes no arguments (got {a:?}); it writes web/pkg/"
        ));
    }
    ensure_wasm_target()?;
    let wasm_bindgen = ensure_wasm_bindgen()?;
    ensure_npm_packages()?;
    package(&wasm_bindgen)?;
    check_size(&root().join("web/pkg"))
}

fn package(wasm_bindgen: &Path) -> Result<(), String> {
    let root = root();
    let web = root.join("web");
    let pkg = web.join("pkg");
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("cannot clear {}: {e}", pkg.display()))?;
    }
    // Two builds of the same crate: the browser's (what the size budget
    // counts), and Node's, which adds OAuth client credentials and the
    // public API's endpoints (a client secret never belongs in a web page).
    bindgen(wasm_bindgen, &[], &pkg)?;
    bindgen(
        wasm_bindgen,
        &["--features", "public-api"],
        &pkg.join("node"),
    )?;
    write_package_files(&pkg)?;
    // Minified as a bundler would (exported names and the wasm import
    // names, which are property keys, are kept): about 1.6 KB of the
    // gzipped budget. Every test below runs the minified files.
    for file in ["domo_wasm.js", "methods.js", "node/domo_wasm.js"] {
        let path = pkg.join(file);
        run(
            &format!("terser {file}"),
            Command::new(web.join("node_modules/.bin/terser"))
                .arg(&path)
                .args(["--module", "--compress", "--mangle", "-o"])
                .arg(&path),
        )?;
    }
    // Each app is served from its own folder and imports ./pkg/, as an
    // author's app carries the package.
    for app in APPS {
        copy_dir(&pkg, &web.join(app).join("pkg"))?;
    }
    eprintln!(
        "package: {} (copied to {} in web/)",
        pkg.display(),
        APPS.map(|app| format!("{app}/pkg")).join(", ")
    );
    Ok(())
}

/// Build domo-wasm with `features` and write its glue and optimised .wasm
/// (`domo_wasm.js`, `domo_wasm_bg.wasm`) into `out`.
fn bindgen(wasm_bindgen: &Path, features: &[&str], out: &Path) -> Result<(), String> {
    let root = root();
    let web = root.join("web");
    run(
        &format!(
            "cargo build (domo-wasm, wasm-release) {}",
            features.join(" ")
        ),
        cargo()
            .current_dir(&root)
            .args([
                "build",
                "--locked",
                "-p",
                "domo-wasm",
                "--target",
                TARGET,
                "--profile",
                PROFILE,
            ])
            .args(features),
    )?;
    let wasm = target_dir()
        .join(TARGET)
        .join(PROFILE)
        .join("domo_wasm.wasm");
    run(
        "wasm-bindgen",
        Command::new(wasm_bindgen)
            .args(["--target", "web", "--out-name", "domo_wasm", "--out-dir"])
            .arg(out)
            .arg(&wasm),
    )?;
    let bg = out.join("domo_wasm_bg.wasm");
    let before = file_len(&bg)?;
    // Debian's wasm-opt (108) silently breaks wasm-bindgen output; the npm
    // `binaryen` package pins a version that works, and every test below
    // runs the optimised file. `-Os --converge` rather than `-Oz`: the
    // file is larger (348 vs 340 KB) but gzips smaller (by about 0.8 KB),
    // and the gzipped size is what the budget and the browser pay.
    run(
        "wasm-opt -Os --converge",
        Command::new(web.join("node_modules/.bin/wasm-opt"))
            .args(["-Os", "--converge"])
            .args(WASM_FEATURES)
            .arg(&bg)
            .arg("-o")
            .arg(&bg),
    )?;
    eprintln!("wasm-opt: {before} → {} bytes", file_len(&bg)?);
    // The JS glue repeats every doc comment, which users read from the
    // .d.ts; dropping them saves about 1.8 KB of the gzipped budget.
    let glue = out.join("domo_wasm.js");
    let js = fs::read_to_string(&glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    write(&glue, &strip_doc_comments(&js)?)?;
    // Node's types are the browser's (index.d.ts); its own are not shipped.
    if !features.is_empty() {
        for f in ["domo_wasm.d.ts", "domo_wasm_bg.wasm.d.ts", ".gitignore"] {
            let _ = fs::remove_file(out.join(f));
        }
    }
    Ok(())
}

/// The custom apps in web/ that import the package from their own ./pkg/:
/// the demo, and the app web/test/page.e2e.mjs drives.
const APPS: [&str; 2] = ["demo-app", "test/page-app"];

/// What rustc's wasm32 target emits by default; wasm-opt must accept (and
/// may use) exactly these.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

fn file_len(p: &Path) -> Result<u64, String> {
    fs::metadata(p)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", p.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub(crate) fn workspace_version() -> Result<String, String> {
    let toml = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    let mut in_package = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[workspace.package]";
        } else if in_package
            && line.starts_with("version")
            && let Some(v) = line.split('"').nth(1)
        {
            return Ok(v.to_owned());
        }
    }
    Err("no version in [workspace.package] of Cargo.toml".into())
}

/// Every type the TypeScript declarations of domo-wasm export.
fn declared_types() -> Result<Vec<String>, String> {
    let mut text = String::new();
    // Hand-written (the API's own types) and generated from domo-model.
    for file in ["types.d.ts", "methods.d.ts", "model.d.ts"] {
        let path = root().join("crates/domo-wasm/src").join(file);
        text += &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(text
        .lines()
        .filter_map(|l| {
            let rest = l
                .strip_prefix("export interface ")
                .or_else(|| l.strip_prefix("export type "))?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // `interface DomoClient` (methods.d.ts) merges into the class,
            // which index.d.ts exports as a value.
            (!name.is_empty() && name != "DomoClient").then_some(name)
        })
        .collect())
}

fn write_package_files(pkg: &Path) -> Result<(), String> {
    let version = workspace_version()?;
    let values = "DomoClient, isDomoError";
    // Browsers (and bundlers): instantiate from the .wasm next to this file.
    // Both entry points install the one-request methods (js/methods.js)
    // on the class before anyone can use it.
    // Its comments are for readers of the source (the .d.ts documents the
    // methods): they would cost the size budget.
    // The page's messages to an app (js/host.js) join them in one module.
    let mut js = String::new();
    for file in ["methods.js", "host.js"] {
        let path = root().join("crates/domo-wasm/js").join(file);
        js += &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    write(&pkg.join("methods.js"), &strip_line_comments(&js))?;
    write(
        &pkg.join("index.js"),
        &format!(
            "// Entry point for browsers: loads the .wasm beside this file, then exports the API.\n\
             import init, {{ DomoClient }} from \"./domo_wasm.js\";\n\
             import {{ install, installHost }} from \"./methods.js\";\n\
             await init({{ module_or_path: new URL(\"./domo_wasm_bg.wasm\", import.meta.url) }});\n\
             install(DomoClient);\n\
             installHost(DomoClient);\n\
             export {{ {values} }} from \"./domo_wasm.js\";\n"
        ),
    )?;
    // Node has no fetch for file: URLs; read the .wasm from disk. Node's
    // build (node/) also takes OAuth client credentials.
    write(
        &pkg.join("node.js"),
        &format!(
            "// Entry point for Node 18+: reads the .wasm from disk, then exports the API.\n\
             import {{ readFile }} from \"node:fs/promises\";\n\
             import {{ initSync, DomoClient }} from \"./node/domo_wasm.js\";\n\
             import {{ install, installHost }} from \"./methods.js\";\n\
             initSync({{ module: await readFile(new URL(\"./node/domo_wasm_bg.wasm\", import.meta.url)) }});\n\
             install(DomoClient);\n\
             installHost(DomoClient);\n\
             export {{ {values} }} from \"./node/domo_wasm.js\";\n"
        ),
    )?;
    // The public surface: the client, the guard and the model types; not
    // wasm-bindgen's low-level init exports.
    // wasm-bindgen's declarations use `Symbol.dispose`: the reference lets
    // projects on an ES2022 target compile them too.
    write(
        &pkg.join("index.d.ts"),
        &format!(
            "/// <reference lib=\"esnext.disposable\" />\nexport {{ {values} }} from \"./domo_wasm.js\";\nexport type {{\n  {}\n}} from \"./domo_wasm.js\";\n",
            declared_types()?.join(",\n  ")
        ),
    )?;
    // The package carries the texts of the licenses it names (npm takes
    // only a file named exactly LICENSE on its own, so they are listed).
    for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
        fs::copy(root().join(license), pkg.join(license))
            .map_err(|e| format!("cannot copy {license}: {e}"))?;
    }
    let files = [
        "index.js",
        "node.js",
        "methods.js",
        "index.d.ts",
        "domo_wasm.js",
        "domo_wasm.d.ts",
        "domo_wasm_bg.wasm",
        "domo_wasm_bg.wasm.d.ts",
        "node/domo_wasm.js",
        "node/domo_wasm_bg.wasm",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ];
    let package_json = format!(
        r#"{{
  "name": "{PACKAGE_NAME}",
  "version": "{version}",
  "description": "Domo Datasets API client for browsers, custom apps and Node, built from Rust (domo-rs)",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./index.js",
  "types": "./index.d.ts",
  "exports": {{
    ".": {{
      "types": "./index.d.ts",
      "node": "./node.js",
      "default": "./index.js"
    }},
    "./package.json": "./package.json"
  }},
  "files": [{}],
  "sideEffects": ["./index.js", "./node.js"],
  "engines": {{ "node": ">=18" }}
}}
"#,
        files
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    write(&pkg.join("package.json"), &package_json)?;
    let readme = fs::read_to_string(root().join("web/README.md"))
        .map_err(|e| format!("web/README.md: {e}"))?;
    // The repository's screenshots stay in the repository: the package
    // ships no images, so a relative image link would show as broken.
    let readme: String = readme
        .lines()
        .filter(|line| !line.starts_with("!["))
        .map(|line| format!("{line}\n"))
        .collect();
    write(&pkg.join("README.md"), &readme)?;
    // wasm-bindgen writes a package.json-less .gitignore of its own.
    let _ = fs::remove_file(pkg.join(".gitignore"));
    Ok(())
}

/// `js` without its `/** ... */` blocks (each starting a line, as
/// wasm-bindgen writes them). Code, strings and `//` comments are kept; a
/// block that ends mid-line (code after `*/`) is an error rather than a
/// guess.
fn strip_doc_comments(js: &str) -> Result<String, String> {
    let mut out = String::with_capacity(js.len());
    let mut in_doc = false;
    for (n, line) in js.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if !in_doc && t.starts_with("/**") {
            in_doc = true;
        }
        if !in_doc {
            out.push_str(line);
            continue;
        }
        if t.ends_with("*/") {
            in_doc = false;
        } else if t.contains("*/") {
            return Err(format!(
                "line {}: code after a doc comment; cannot strip it safely",
                n + 1
            ));
        }
    }
    Ok(out)
}

/// `js` without its whole-line `//` comments (the JSDoc `/** */` blocks,
/// which are for the method's readers too, go with them) and blank lines.
fn strip_line_comments(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut in_doc = false;
    for line in js.lines() {
        let t = line.trim();
        if t.starts_with("/**") {
            in_doc = !t.ends_with("*/");
            continue;
        }
        if in_doc {
            in_doc = !t.ends_with("*/");
            continue;
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn gzip_len(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip {} failed", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

fn check_size(pkg: &Path) -> Result<(), String> {
    let mut total = 0;
    for f in [
        "domo_wasm_bg.wasm",
        "domo_wasm.js",
        "methods.js",
        "index.js",
    ] {
        let p = pkg.join(f);
        let (raw, gz) = (file_len(&p)?, gzip_len(&p)?);
        eprintln!("size: {f:<20} {raw:>8} bytes, {gz:>7} gzipped");
        total += gz;
    }
    let kib = total as f64 / 1024.0;
    eprintln!(
        "size: wasm + JS gzipped: {total} bytes ({kib:.1} KiB); budget {MAX_GZIP_BYTES} bytes, {} to spare",
        MAX_GZIP_BYTES as i64 - total as i64
    );
    if total > MAX_GZIP_BYTES {
        return Err(format!(
            "the package is {total} bytes gzipped, over the budget of {MAX_GZIP_BYTES} bytes (100 KB)"
        ));
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    if to.exists() {
        fs::remove_dir_all(to).map_err(|e| format!("cannot clear {}: {e}", to.display()))?;
    }
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        }
    }
    Ok(())
}

// ---- tools -----------------------------------------------------------

fn ensure_wasm_target() -> Result<(), String> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e} (the wasm32 target is installed with rustup)"))?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    run(
        &format!("rustup target add {TARGET}"),
        Command::new("rustup").args(["target", "add", TARGET]),
    )
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must be the same.
fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.split('"').nth(1))
        {
            return Ok(v.to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry (is domo-wasm a workspace member?)".into())
}

/// A tool on PATH, else in cargo's bin directory.
fn tool(name: &str) -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin").join(name));
    match cargo_bin {
        Some(p) if p.exists() => p,
        _ => PathBuf::from(name),
    }
}

fn version_of(tool: &Path) -> Option<String> {
    let out = Command::new(tool).arg("--version").output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    })
}

/// wasm-bindgen and wasm-bindgen-test-runner at the version of the
/// wasm-bindgen crate in Cargo.lock: the glue and the CLI must match.
fn ensure_wasm_bindgen() -> Result<PathBuf, String> {
    let want = locked_wasm_bindgen_version()?;
    let bindgen = tool("wasm-bindgen");
    let runner = tool("wasm-bindgen-test-runner");
    let have = version_of(&bindgen);
    let have_runner = version_of(&runner);
    if have.as_deref() == Some(want.as_str()) && have_runner.as_deref() == Some(want.as_str()) {
        return Ok(bindgen);
    }
    eprintln!(
        "wasm-bindgen CLI is {}, but Cargo.lock pins the wasm-bindgen crate at {want}; \
         the generated glue only works with the same version. Installing it (a few minutes)...",
        have.as_deref().unwrap_or("not installed")
    );
    // Without --locked: the CLI's own lock file does not build on this toolchain.
    run(
        &format!("cargo install wasm-bindgen-cli --version {want}"),
        cargo().args(["install", "wasm-bindgen-cli", "--version", &want, "--force"]),
    )?;
    let bindgen = tool("wasm-bindgen");
    match version_of(&bindgen) {
        Some(v) if v == want => Ok(bindgen),
        other => Err(format!(
            "after installing, wasm-bindgen reports {other:?}, not {want}; is ~/.cargo/bin first on PATH?"
        )),
    }
}

/// binaryen (wasm-opt), typescript, terser, playwright-core, and
/// ts-json-schema-generator and ajv (the declared-types test), from
/// web/package-lock.json.
fn ensure_npm_packages() -> Result<(), String> {
    let web = root().join("web");
    let needed = [
        "node_modules/.bin/wasm-opt",
        "node_modules/.bin/tsc",
        "node_modules/.bin/terser",
        "node_modules/playwright-core/package.json",
        "node_modules/ts-json-schema-generator/package.json",
        "node_modules/ajv/package.json",
    ];
    if needed.iter().all(|p| web.join(p).exists()) {
        return Ok(());
    }
    if Command::new("npm").arg("--version").output().is_err() {
        return Err("npm is not installed; the web build needs Node.js and npm".into());
    }
    run(
        "npm ci (web/)",
        Command::new("npm")
            .current_dir(&web)
            .args(["ci", "--no-audit", "--no-fund"]),
    )
}

/// Debian's chromium and chromedriver, for wasm-bindgen-test and playwright.
pub(crate) fn ensure_chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    crate::apt_install(&["chromium", "chromium-driver"])
}

// ---- servers ---------------------------------------------------------

/// Emulators started for the tests; each is stopped by its PID on drop,
/// whether the tests passed or not.
#[derive(Default)]
pub(crate) struct Servers(Vec<(String, Child)>);

/// Build the emulator binary that [`Servers::start`] runs (debug, as the
/// tests use it).
pub(crate) fn build_emulator() -> Result<(), String> {
    run(
        "cargo build domo-emulator",
        cargo()
            .current_dir(root())
            .args(["build", "--locked", "-p", "domo-emulator"]),
    )
}

impl Servers {
    /// Start `domo-emulator` on a free loopback port; its first stdout line
    /// is `listening on http://HOST:PORT`.
    pub(crate) fn start(&mut self, name: &str, args: &[&str]) -> Result<String, String> {
        let bin = target_dir().join("debug/domo-emulator");
        let log_dir = target_dir().join("web-ci");
        fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
        let log =
            fs::File::create(log_dir.join(format!("{name}.log"))).map_err(|e| e.to_string())?;
        let mut child = Command::new(&bin)
            .current_dir(root())
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let pid = child.id();
        self.0.push((name.to_owned(), child));
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader
            .read_line(&mut first)
            .map_err(|e| format!("emulator {name}: {e}"))?;
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| {
                format!("emulator {name} (pid {pid}) did not start: {first:?}; see target/web-ci/{name}.log")
            })?
            .to_owned();
        // Keep draining stdout so the emulator never blocks on a full pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        eprintln!("emulator {name}: {url} (pid {pid}) {}", shown_args(args));
        Ok(url)
    }
}

/// The emulator's arguments as the log shows them: a password's value
/// (`--password ID=SECRET`) is left out.
fn shown_args(args: &[&str]) -> String {
    let mut shown = Vec::with_capacity(args.len());
    let mut secret_next = false;
    for a in args {
        shown.push(match a.split_once('=') {
            Some((id, _)) if secret_next => format!("{id}=[redacted]"),
            _ => (*a).to_owned(),
        });
        secret_next = *a == "--password";
    }
    shown.join(" ")
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (name, child) in &mut self.0 {
            let pid = child.id();
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("emulator {name} (pid {pid}) stopped");
        }
    }
}

// ---- ci --------------------------------------------------------------

/// Every test of the browser build. Installs what it needs, starts every
/// server it uses and stops them by PID.
pub fn ci() -> Result<(), String> {
    let started = Instant::now();
    let root = root();
    let web = root.join("web");

    section("web: prerequisites (wasm32 target, chromium, wasm-bindgen CLI, npm packages)");
    ensure_wasm_target()?;
    ensure_chromium()?;
    let wasm_bindgen = ensure_wasm_bindgen()?;
    ensure_npm_packages()?;

    section("web: clippy (domo-wasm on wasm32)");
    run(
        "cargo clippy domo-wasm",
        cargo().current_dir(&root).args([
            "clippy",
            "--locked",
            "-p",
            "domo-wasm",
            "--target",
            TARGET,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    section("web: build the npm package (wasm-release, wasm-bindgen, wasm-opt)");
    package(&wasm_bindgen)?;

    section("web: emulators");
    build_emulator()?;
    let mut servers = Servers(Vec::new());
    // The Node tests' OAuth client (`clientId`/`clientSecret`), acting as
    // demo user 1 with every scope.
    let main = servers.start("main", &["--demo", "--client", &format!("{NODE_CLIENT}:1")])?;
    let faulty = servers.start(
        "faulty",
        &[
            "--demo",
            "--faults",
            "429=0.5,retry-after=0",
            "--fault-seed",
            "7",
        ],
    )?;
    let slow = servers.start("slow", &["--demo", "--faults", "latency=3s"])?;
    let app = servers.start("app", &["--demo", "--app", "web/demo-app"])?;

    section("web: wasm-bindgen-test in headless Chromium");
    run(
        "cargo test domo-wasm (wasm32, Chromium)",
        cargo()
            .current_dir(root.join("crates/domo-wasm"))
            .args(["test", "--locked", "-p", "domo-wasm", "--target", TARGET])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                tool("wasm-bindgen-test-runner"),
            )
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("DOMO_WASM_TEST_URL", &main)
            .env("DOMO_WASM_TEST_FAULTY_URL", &faulty)
            .env("DOMO_WASM_TEST_SLOW_URL", &slow)
            .env("DOMO_WASM_TEST_APP_URL", &app),
    )?;

    section("web: TypeScript (tsc --strict over the whole API, no `any` in the public types)");
    check_no_any(&web.join("pkg"))?;
    run(
        "tsc --strict --noEmit",
        Command::new(web.join("node_modules/.bin/tsc"))
            .current_dir(&web)
            .args(["-p", "test/tsconfig.json"]),
    )?;

    section("web: the package from Node (global fetch)");
    run(
        "node --test web/test/node.test.mjs",
        Command::new("node")
            .current_dir(&web)
            .args(["--test", "test/node.test.mjs"])
            .env("DOMO_EMULATOR_URL", &main)
            .env("DOMO_CLIENT", NODE_CLIENT)
            .env("DOMO_DEMO_DATASET", DEMO_DATASET),
    )?;

    section(
        "web: every method's reply against its declared type (Node, JSON schema from the .d.ts)",
    );
    // A fresh emulator: the test makes and deletes datasets, shares,
    // policies and tokens, and logs in as demo user 7.
    let types = servers.start("types", &["--demo", "--password", TYPES_LOGIN])?;
    let (_, password) = TYPES_LOGIN.split_once('=').expect("ID=SECRET");
    run(
        "node --test web/test/types.test.mjs",
        Command::new("node")
            .current_dir(&web)
            .args(["--test", "test/types.test.mjs"])
            .env("DOMO_EMULATOR_URL", &types)
            .env("DOMO_LOGIN_PASSWORD", password)
            .env("DOMO_APP_URL", &app)
            .env("DOMO_FAULTY_URL", &faulty)
            .env("DOMO_DEMO_DATASET", DEMO_DATASET),
    )?;

    section("web: the demo custom app end to end (playwright-core, Chromium)");
    // A fresh app emulator: the wasm tests read from the other one.
    let e2e_app = servers.start("e2e-app", &["--demo", "--app", "web/demo-app"])?;
    let shot = target_dir().join("web-ci/demo-app.png");
    run(
        "node web/test/e2e.mjs",
        Command::new("node")
            .current_dir(&web)
            .arg("test/e2e.mjs")
            .env("APP_URL", &e2e_app)
            .env("CHROMIUM", CHROMIUM)
            .env("SCREENSHOT", &shot),
    )?;

    section("web: the package's onFiltersUpdated and onDataUpdated in the Domo page (Chromium)");
    let page_app = servers.start("page-app", &["--demo", "--app", "web/test/page-app"])?;
    run(
        "node web/test/page.e2e.mjs",
        Command::new("node")
            .current_dir(&web)
            .arg("test/page.e2e.mjs")
            .env("APP_URL", &page_app)
            .env("CHROMIUM", CHROMIUM),
    )?;
    drop(servers);

    // Last, so that a package over budget still gets every test above.
    section("web: size budget (wasm + JS, gzipped)");
    check_size(&web.join("pkg"))?;

    eprintln!(
        "\nweb ci: all checks passed in {:.0} s (screenshot: {})",
        started.elapsed().as_secs_f64(),
        shot.display()
    );
    Ok(())
}

/// The declarations a user sees (the client, its options and results) must
/// not fall back to `any`; wasm-bindgen's init internals (after
/// `InitInput`) are not re-exported by `index.d.ts`.
fn check_no_any(pkg: &Path) -> Result<(), String> {
    let dts = fs::read_to_string(pkg.join("domo_wasm.d.ts")).map_err(|e| e.to_string())?;
    let public = dts.split("export type InitInput").next().unwrap_or(&dts);
    let bad: Vec<&str> = public
        .lines()
        .filter(|l| {
            l.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "any")
                && !l.trim_start().starts_with('*')
        })
        .collect();
    if !bad.is_empty() {
        return Err(format!("`any` in the public declarations: {bad:#?}"));
    }
    let index = fs::read_to_string(pkg.join("index.d.ts")).map_err(|e| e.to_string())?;
    if index.contains("InitOutput") || index.contains("initSync") {
        return Err("index.d.ts re-exports wasm-bindgen internals".into());
    }
    eprintln!("no `any` in the public declarations");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::strip_doc_comments;

    #[test]
    fn doc_blocks_go_and_code_stays() {
        let js = "/**\n * Doc.\n * @param {string} a\n */\nfoo(a) {\n  // why\n  return \"/**\";\n}\n  /** One line. */\nbar();\n";
        assert_eq!(
            strip_doc_comments(js).unwrap(),
            "foo(a) {\n  // why\n  return \"/**\";\n}\nbar();\n"
        );
        assert!(strip_doc_comments("/** a */ code();\n").is_err());
    }

    #[test]
    fn passwords_stay_out_of_the_log() {
        assert_eq!(
            super::shown_args(&["--demo", "--password", "7=s3cret", "--faults", "a=1"]),
            "--demo --password 7=[redacted] --faults a=1"
        );
    }

    #[test]
    fn line_comments_go_and_code_stays() {
        let js = "// why\nconst A = [\n  // group\n  [\"a\", \"b\"],\n];\n\n/** Doc. */\nexport function f() {\n  return \"// kept\";\n}\n/**\n * Long.\n */\ng();\n";
        assert_eq!(
            super::strip_line_comments(js),
            "const A = [\n  [\"a\", \"b\"],\n];\nexport function f() {\n  return \"// kept\";\n}\ng();\n"
        );
    }
}
