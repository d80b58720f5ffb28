//! `cargo xtask pydomo`: Domo's own Python SDK, pydomo, unmodified, against
//! the emulator's public API. Makes a venv in `target/pydomo-venv` with
//! pinned versions from PyPI (installing Python's venv module with apt when
//! it is missing and we are root), starts `domo-emulator` on 127.0.0.1 port
//! 0 with OAuth clients, runs `xtask/pydomo/test_pydomo.py` and stops the
//! emulator by its PID. Any pydomo call that raises fails the step.
//!
//! pydomo is pointed at the emulator without changing it: its constructor
//! takes `api_host` (a host without a scheme, which it prefixes with
//! `https://`, or `http://` with `use_https=False`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::run;
use crate::web::{Servers, root, target_dir};

/// What the test installs: the pydomo release the emulator is checked
/// against (shared/PUBLIC-API.md), and the pandas and requests it was
/// observed with, so a new release of either cannot change the run.
pub(crate) const PACKAGES: [&str; 3] = ["pydomo==0.3.0.16", "pandas==3.1.1", "requests==2.34.2"];

/// The emulator's clients, kept in step with the constants of
/// `test_pydomo.py`: user 1 with every scope, user 7 (an Editor), and
/// user 1 with the `data` scope only.
const CLIENTS: [&str; 3] = [
    "pydomo-admin:admin-secret-1:1",
    "pydomo-east:east-secret-7:7",
    "pydomo-data:data-secret-2:1:data",
];

/// A product-API token of user 1: the test shares a dataset with it (the
/// public API has no share route).
const PRODUCT_TOKEN: &str = "pydomo-ci-admin";

fn works(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `python3` with a working `venv` module (apt's python3-venv when not).
fn python() -> Result<&'static str, String> {
    if !works(Command::new("python3").arg("--version")) {
        crate::apt_install(&["python3", "python3-venv"])?;
    }
    if !works(Command::new("python3").args(["-c", "import venv, ensurepip"])) {
        crate::apt_install(&["python3-venv"])?;
    }
    Ok("python3")
}

/// The venv `target/NAME` with `packages` (pinned `name==version`), made
/// or brought up to date; its python. Shared with the MCP client step.
pub(crate) fn venv(name: &str, packages: &[&str]) -> Result<PathBuf, String> {
    let dir = target_dir().join(name);
    let py = dir.join("bin/python");
    if !py.exists() {
        run(
            &format!("python3 -m venv target/{name}"),
            Command::new(python()?).args(["-m", "venv"]).arg(&dir),
        )?;
    }
    if !installed(&py, packages) {
        run(
            &format!("pip install {}", packages.join(" ")),
            Command::new(&py)
                .args(["-m", "pip", "install", "--disable-pip-version-check"])
                .args(packages)
                .env("PIP_NO_INPUT", "1")
                .stdin(Stdio::null()),
        )?;
    }
    Ok(py)
}

/// Whether every pinned package is installed at its version.
fn installed(py: &Path, packages: &[&str]) -> bool {
    let check = packages
        .iter()
        .map(|p| {
            let (name, version) = p.split_once("==").unwrap_or((p, ""));
            format!("m.version('{name}') == '{version}'")
        })
        .collect::<Vec<_>>()
        .join(" and ");
    works(Command::new(py).args([
        "-c",
        &format!("import importlib.metadata as m, sys; sys.exit(0 if {check} else 1)"),
    ]))
}

/// The step: venv, emulator, test, emulator stopped.
pub fn ci() -> Result<(), String> {
    eprintln!("\n================ pydomo against the emulator's public API ================");
    let py = venv("pydomo-venv", &PACKAGES)?;
    crate::web::build_emulator()?;
    let mut servers = Servers::default();
    let mut args = vec![
        "--token".to_owned(),
        format!("{PRODUCT_TOKEN}=1"),
        "--user".to_owned(),
        "7:east@example.com:Editor".to_owned(),
    ];
    for c in CLIENTS {
        args.push("--client".to_owned());
        args.push(c.to_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let url = servers.start("pydomo", &args)?;
    let host = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("the emulator's address {url} is not http://"))?;
    let result = run(
        "python xtask/pydomo/test_pydomo.py",
        Command::new(&py)
            .current_dir(root())
            .arg("xtask/pydomo/test_pydomo.py")
            .env("DOMO_EMULATOR_HOST", host)
            .env("DOMO_EMULATOR_TOKEN", PRODUCT_TOKEN)
            .stdin(Stdio::null()),
    );
    drop(servers);
    result
}
