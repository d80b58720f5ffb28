//! Ready to depend on: [`ci`] checks that every library crate packages and
//! builds from its `.crate` alone, that the crate docs build without a
//! warning, and that `npm pack` of `web/pkg` gives a tarball a fresh
//! TypeScript project installs and compiles against under `tsc --strict`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::web::{root, target_dir, workspace_version};
use super::{cargo, run};

/// What a `.crate` may hold besides its code: anything else (a data dump,
/// an editor's backup) is junk a user downloads with every build.
const CRATE_FILES: &[&str] = &[
    ".cargo_vcs_info.json",
    "Cargo.toml",
    "Cargo.toml.orig",
    "Cargo.lock",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "build.rs",
];
const CRATE_DIRS: &[&str] = &["src/", "tests/", "examples/", "benches/"];
/// crates.io refuses a larger `.crate`.
const MAX_CRATE_BYTES: u64 = 10 * 1024 * 1024;
/// What a user reads on crates.io and docs.rs. `documentation` is only
/// asked of crates that publish (docs.rs builds nothing else).
const METADATA: &[&str] = &[
    "description",
    "license",
    "repository",
    "readme",
    "keywords",
    "categories",
    "[package.metadata.docs.rs]",
];
/// The fresh projects' settings, in web/test/consumer/: Node's resolution
/// (which also emits the JS that node then runs), and a bundler's.
const TS_CONFIGS: &[&str] = &[
    "tsconfig.json",
    "tsconfig.bundler.json",
    "tsconfig.es2022.json",
];

/// A crate under `crates/`, read from its manifest.
struct Crate {
    name: String,
    manifest: String,
    publish: bool,
}

/// `cargo xtask package`: the three checks, each on what a user gets.
pub fn ci() -> Result<(), String> {
    let crates = library_crates()?;
    check_metadata(&crates)?;
    package_crates(&crates)?;
    // The wasm target, the npm tools and a package built from the current
    // sources: a tarball of a stale web/pkg would prove nothing.
    super::web::build(&[])?;
    docs()?;
    npm_consumer(&root().join("web/pkg"))?;
    eprintln!("\npackage: every crate packages, the docs build, the npm tarball compiles");
    Ok(())
}

fn library_crates() -> Result<Vec<Crate>, String> {
    let dir = root().join("crates");
    let mut crates = Vec::new();
    for entry in fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path().join("Cargo.toml");
        let Ok(manifest) = fs::read_to_string(&path) else {
            continue;
        };
        let name = manifest
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = \"")?.strip_suffix('"'))
            .ok_or_else(|| format!("{}: no package name", path.display()))?
            .to_owned();
        let publish = !manifest.lines().any(|l| l.trim() == "publish = false");
        crates.push(Crate {
            name,
            manifest,
            publish,
        });
    }
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(crates)
}

/// Every crate, domo-wasm too (it ships through npm), says what it is.
fn check_metadata(crates: &[Crate]) -> Result<(), String> {
    eprintln!("\n==> crate metadata (description, license, readme, keywords, categories, docs.rs)");
    let mut missing = Vec::new();
    for c in crates {
        let has = |key: &str| {
            c.manifest.lines().any(|l| {
                let l = l.trim();
                l == key || l.starts_with(&format!("{key} ")) || l.starts_with(&format!("{key}."))
            })
        };
        for key in METADATA.iter().chain(c.publish.then_some(&"documentation")) {
            if !has(key) {
                missing.push(format!("{}: {key}", c.name));
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("crate manifests lack: {}", missing.join(", ")))
    }
}

/// Cargo verifies each crate against the others' `.crate`s through a local
/// registry, and unpacks those under `$CARGO_HOME/registry/src/-HASH/`,
/// named by crate and version only, where the hash is the build
/// directory's. An unpacked copy from an earlier run of the same version is
/// used as it is, so the crates would be verified against old sources
/// (seen: domo-core against a domo-model without its newer modules). Those
/// copies are removed first (crates.io's own, `index.crates.io-*`, are
/// not touched), and so are our crates' builds in `target/debug/`: cargo
/// reuses a registry crate's build by name and version whatever its
/// source (they rebuild in a minute).
fn forget_packaged_sources(published: &[&Crate], version: &str) -> Result<(), String> {
    let debug = target_dir().join("debug");
    for dir in [".fingerprint", "deps"] {
        let Ok(entries) = fs::read_dir(debug.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = published.iter().any(|c| {
                let snake = c.name.replace('-', "_");
                [c.name.clone(), snake.clone(), format!("lib{snake}")]
                    .iter()
                    .any(|stem| name.starts_with(&format!("{stem}-")))
            });
            if ours {
                let path = entry.path();
                let removed = if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
                removed.map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return Ok(());
    };
    let Ok(registries) = fs::read_dir(&src) else {
        return Ok(());
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for c in published {
            let unpacked = registry.path().join(format!("{}-{version}", c.name));
            if unpacked.is_dir() {
                fs::remove_dir_all(&unpacked)
                    .map_err(|e| format!("cannot remove {}: {e}", unpacked.display()))?;
            }
        }
    }
    Ok(())
}

/// `cargo package` with verification: each crate builds from its `.crate`
/// against the others' `.crate`s, as it would from crates.io.
fn package_crates(crates: &[Crate]) -> Result<(), String> {
    let published: Vec<&Crate> = crates.iter().filter(|c| c.publish).collect();
    let mut cmd = cargo();
    cmd.current_dir(root())
        .args(["package", "--locked", "--allow-dirty"]);
    for c in &published {
        cmd.args(["-p", &c.name]);
    }
    let version = workspace_version()?;
    forget_packaged_sources(&published, &version)?;
    run("cargo package (every published crate, verified)", &mut cmd)?;

    for c in &published {
        let out = cargo()
            .current_dir(root())
            .args([
                "package",
                "--list",
                "--locked",
                "--allow-dirty",
                "-p",
                &c.name,
            ])
            .output()
            .map_err(|e| format!("cargo package --list: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo package --list -p {}: {}",
                c.name,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let list = String::from_utf8_lossy(&out.stdout);
        let files: Vec<&str> = list.lines().collect();
        let junk: Vec<&&str> = files
            .iter()
            .filter(|f| !CRATE_FILES.contains(f) && !CRATE_DIRS.iter().any(|d| f.starts_with(d)))
            .collect();
        if !junk.is_empty() {
            return Err(format!(
                "{}: unexpected files in the package: {junk:?} (exclude them in its Cargo.toml, \
                 or allow them in xtask/src/package.rs)",
                c.name
            ));
        }
        for needed in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
            if !files.contains(&needed) {
                return Err(format!("{}: the package has no {needed}", c.name));
            }
        }
        let file = target_dir()
            .join("package")
            .join(format!("{}-{version}.crate", c.name));
        let bytes = fs::metadata(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        eprintln!(
            "package: {:<26} {:>3} files, {bytes:>7} bytes",
            format!("{}-{version}.crate", c.name),
            files.len()
        );
        if bytes > MAX_CRATE_BYTES {
            return Err(format!(
                "{} is {bytes} bytes; crates.io takes at most {MAX_CRATE_BYTES}",
                file.display()
            ));
        }
    }
    Ok(())
}

/// The crate docs, warnings denied: with default features (what `cargo
/// doc` shows a user), with every feature (what docs.rs builds), and
/// domo-wasm for its only target.
fn docs() -> Result<(), String> {
    let doc = |what: &str, args: &[&str]| {
        run(
            what,
            cargo()
                .current_dir(root())
                .args(["doc", "--no-deps", "--locked"])
                .args(args)
                .env("RUSTDOCFLAGS", "-D warnings"),
        )
    };
    doc(
        "cargo doc -D warnings (default features)",
        &["--workspace", "--exclude", "domo-wasm"],
    )?;
    doc(
        "cargo doc -D warnings (all features, as docs.rs)",
        &["--workspace", "--exclude", "domo-wasm", "--all-features"],
    )?;
    doc(
        "cargo doc -D warnings (domo-wasm, wasm32)",
        &["-p", "domo-wasm", "--target", "wasm32-unknown-unknown"],
    )
}

/// `npm pack` of `pkg`, installed into a fresh project (a copy of
/// web/test/consumer/ in a temp dir, away from web/node_modules), then
/// `tsc` under each of [`TS_CONFIGS`] and the emitted JS run by node. The
/// temp dir is kept when a step fails.
fn npm_consumer(pkg: &Path) -> Result<(), String> {
    let web = root().join("web");
    let tsc = web.join("node_modules/.bin/tsc");
    let work = std::env::temp_dir().join(format!("domo-rs-npm-consumer-{}", std::process::id()));
    let (pack, app) = (work.join("pack"), work.join("app"));
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    }
    for dir in [&pack, &app] {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let result = (|| {
        run(
            "npm pack (web/pkg)",
            Command::new("npm")
                .current_dir(pkg)
                .args(["pack", "--pack-destination"])
                .arg(&pack),
        )?;
        let tarball = only_tarball(&pack)?;
        copy_files(&web.join("test/consumer"), &app)?;
        // The package has no dependencies, so the cache is enough; should it
        // gain some, fetch them.
        let install = |offline: bool| {
            let mut cmd = Command::new("npm");
            cmd.current_dir(&app)
                .args(["install", "--no-audit", "--no-fund", "--ignore-scripts"])
                .args(offline.then_some("--offline"))
                .arg(&tarball);
            cmd
        };
        run("npm install TARBALL --offline", &mut install(true))
            .or_else(|_| run("npm install TARBALL", &mut install(false)))?;
        let installed = app.join("node_modules/@domo-rs/datasets");
        // A folder install is a symlink to web/pkg and would see files the
        // tarball lacks.
        match fs::symlink_metadata(&installed) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "{} is not an unpacked tarball",
                    installed.display()
                ));
            }
            Err(e) => return Err(format!("{}: {e}", installed.display())),
        }
        check_references(&installed)?;
        for config in TS_CONFIGS {
            run(
                &format!("tsc -p {config} (a fresh project on the tarball)"),
                Command::new(&tsc).current_dir(&app).args(["-p", config]),
            )?;
        }
        run(
            "node dist/index.js (the compiled consumer loads the package)",
            Command::new("node").current_dir(&app).arg("dist/index.js"),
        )
    })();
    match &result {
        Ok(()) => {
            let _ = fs::remove_dir_all(&work);
        }
        Err(_) => eprintln!("npm consumer: kept {} for a look", work.display()),
    }
    result
}

fn only_tarball(dir: &Path) -> Result<PathBuf, String> {
    let tarballs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    match tarballs.as_slice() {
        [one] => Ok(one.clone()),
        other => Err(format!(
            "npm pack made {} tarballs in {}",
            other.len(),
            dir.display()
        )),
    }
}

/// The files (not folders) of `from`: the consumer is one flat folder.
fn copy_files(from: &Path, to: &Path) -> Result<(), String> {
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            let dest = to.join(path.file_name().expect("a file has a name"));
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        }
    }
    Ok(())
}

/// Every file the unpacked package names (package.json's `files` and
/// entry points, the imports and `new URL(...)`s of its JS, the imports of
/// its declarations) is in it. npm skips a missing `files` entry without a
/// word, and tsc never sees what only the JS loads (methods.js, the .wasm).
fn check_references(installed: &Path) -> Result<(), String> {
    let mut missing = Vec::new();
    let manifest = fs::read_to_string(installed.join("package.json"))
        .map_err(|e| format!("the tarball's package.json: {e}"))?;
    for name in package_json_files(&manifest) {
        if !installed.join(&name).is_file() {
            missing.push(format!("{name} (named by package.json)"));
        }
    }
    for entry in fs::read_dir(installed).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let declarations = file.ends_with(".d.ts");
        if !declarations && !file.ends_with(".js") {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for reference in relative_references(&text) {
            // A declaration's `./x.js` is typed by `./x.d.ts`.
            let needed = match reference.strip_suffix(".js") {
                Some(stem) if declarations => format!("{stem}.d.ts"),
                _ => reference,
            };
            if !installed.join(&needed).is_file() {
                missing.push(format!("{needed} (named by {file})"));
            }
        }
    }
    if missing.is_empty() {
        eprintln!("npm consumer: every file the package names is in the tarball");
        Ok(())
    } else {
        Err(format!("the tarball lacks {}", missing.join(", ")))
    }
}

/// package.json's `files` entries and its `./` paths (`main`, `types`,
/// `exports`, `sideEffects`), without `./`.
fn package_json_files(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(files) = manifest
        .split_once("\"files\"")
        .and_then(|(_, rest)| rest.split_once('['))
        .and_then(|(_, rest)| rest.split_once(']'))
    {
        names.extend(files.0.split('"').skip(1).step_by(2).map(str::to_owned));
    }
    names.extend(
        manifest
            .split('"')
            .skip(1)
            .step_by(2)
            .filter_map(|s| s.strip_prefix("./"))
            .map(str::to_owned),
    );
    names.sort();
    names.dedup();
    names
}

/// The same-folder files a JS or declaration file loads: `from "./x"`,
/// `import "./x"`, `import("./x")`, `new URL("x", import.meta.url)`, as
/// paths without `./`. Other packages and `node:` modules are not ours to
/// ship.
fn relative_references(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    for opener in ["from ", "import ", "import(", "new URL("] {
        for (at, _) in text.match_indices(opener) {
            let rest = &text[at + opener.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some((literal, _)) = rest[1..].split_once(quote) else {
                continue;
            };
            let relative = literal.starts_with("./")
                || (opener == "new URL(" && !literal.contains(':') && !literal.is_empty());
            if relative {
                refs.push(literal.trim_start_matches("./").to_owned());
            }
        }
    }
    refs.sort();
    refs.dedup();
    refs
}

#[cfg(test)]
mod tests {
    use super::{package_json_files, relative_references};

    #[test]
    fn references_are_the_same_folder_files_a_module_loads() {
        let js = "import init, { A } from \"./domo_wasm.js\";\n\
                  import { readFile } from \"node:fs/promises\";\n\
                  import \"./side.js\";\n\
                  const m = await import('./lazy.js');\n\
                  new URL('domo_wasm_bg.wasm', import.meta.url);\n\
                  new URL(\"https://example.invalid/x\");\n\
                  export { A } from \"./domo_wasm.js\";\n\
                  // an import of nothing\n";
        assert_eq!(
            relative_references(js),
            ["domo_wasm.js", "domo_wasm_bg.wasm", "lazy.js", "side.js"]
        );
    }

    #[test]
    fn package_json_names_its_files_and_entry_points() {
        let manifest = r#"{
  "name": "@domo-rs/datasets",
  "main": "./index.js",
  "exports": { ".": { "types": "./index.d.ts", "node": "./node.js" }, "./package.json": "./package.json" },
  "files": ["index.js", "methods.js"],
  "engines": { "node": ">=18" }
}"#;
        assert_eq!(
            package_json_files(manifest),
            [
                "index.d.ts",
                "index.js",
                "methods.js",
                "node.js",
                "package.json"
            ]
        );
    }
}
