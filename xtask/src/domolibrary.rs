//! `cargo xtask domolibrary`: domolibrary (the community Python library for
//! Domo's product API), unmodified, against the emulator. Makes a venv in
//! `target/domolibrary-venv` with pinned versions from PyPI, starts
//! `domo-emulator --demo` on 127.0.0.1 port 0 with a token, runs
//! `xtask/domolibrary/test_domolibrary.py` (its PDP routes: the listing it
//! sends as `.../filter-groups/?options=...`, create, find by name,
//! delete) and stops the emulator by its PID.
//!
//! domolibrary writes `https://{instance}.domo.com` into every URL; the
//! test sends each request to the emulator below the library, in httpx's
//! transports, keeping method, path, query, headers and body.

use std::process::{Command, Stdio};

use crate::pydomo::venv;
use crate::run;
use crate::web::{DEMO_DATASET, Servers, root};

/// The release the test was written against, and the httpx whose
/// transports it redirects.
pub(crate) const PACKAGES: [&str; 2] = ["domolibrary==4.5.28", "httpx==0.29.0"];

/// The developer token of user 1 the emulator is started with.
const TOKEN: &str = "domolibrary-ci-admin";

/// The step: venv, emulator, test, emulator stopped.
pub fn ci() -> Result<(), String> {
    eprintln!("\n================ domolibrary against the emulator's product API ================");
    let py = venv("domolibrary-venv", &PACKAGES)?;
    crate::web::build_emulator()?;
    let mut servers = Servers::default();
    let url = servers.start("domolibrary", &["--demo", "--token", &format!("{TOKEN}=1")])?;
    let result = run(
        "python xtask/domolibrary/test_domolibrary.py",
        Command::new(&py)
            .current_dir(root())
            .arg("xtask/domolibrary/test_domolibrary.py")
            .env("DOMO_EMULATOR_URL", &url)
            .env("DOMO_EMULATOR_TOKEN", TOKEN)
            .env("DOMO_EMULATOR_DATASET", DEMO_DATASET)
            .stdin(Stdio::null()),
    );
    drop(servers);
    result
}
