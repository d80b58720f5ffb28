//! `cargo xtask app-ci`: a custom app built the standard way (unmodified
//! ryuu.js 5.1.4 and @domoinc/query 3.0.0 from npm, a `datasetsMapping`
//! manifest, an AppDB collection; `crates/domo-emulator/tests/ryuu-app/`)
//! runs on `domo-emulator --demo --app` in headless Chromium, driven by
//! playwright-core through the emulator's Domo page. Installs what it
//! needs (Chromium from Debian, the npm packages from the app's lockfile),
//! starts the emulator on a free loopback port and stops it by PID.

use std::process::Command;

use crate::run;
use crate::web::{CHROMIUM, Servers, ensure_chromium, root, target_dir};

/// The test app, relative to the workspace root.
const APP: &str = "crates/domo-emulator/tests/ryuu-app";

pub fn ci() -> Result<(), String> {
    let root = root();
    let app = root.join(APP);
    eprintln!(
        "\n================ app-ci: ryuu.js and @domoinc/query on domo-emulator --app ================"
    );
    ensure_chromium()?;
    let installed = ["ryuu.js", "@domoinc/query", "playwright-core"]
        .iter()
        .all(|p| {
            app.join("node_modules")
                .join(p)
                .join("package.json")
                .exists()
        });
    if !installed {
        if Command::new("npm").arg("--version").output().is_err() {
            return Err("npm is not installed; the app test needs Node.js and npm".into());
        }
        run(
            &format!("npm ci ({APP})"),
            Command::new("npm")
                .current_dir(&app)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    crate::web::build_emulator()?;
    let mut servers = Servers::default();
    let url = servers.start("ryuu-app", &["--demo", "--app", APP])?;
    let shot = target_dir().join("web-ci/ryuu-app.png");
    run(
        &format!("node {APP}/e2e.mjs"),
        Command::new("node")
            .current_dir(&app)
            .arg("e2e.mjs")
            .env("APP_URL", &url)
            .env("CHROMIUM", CHROMIUM)
            .env("SCREENSHOT", &shot),
    )?;
    drop(servers);
    eprintln!("\napp-ci: passed (screenshot: {})", shot.display());
    Ok(())
}
