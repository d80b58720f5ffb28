//! `cargo xtask mcp`: `domoctl mcp` over stdio, driven by the official MCP
//! Python SDK (the `mcp` package from PyPI, pinned, in `target/mcp-venv`).
//! Builds domoctl and the emulator, starts `domo-emulator` on 127.0.0.1
//! port 0 with a token, runs `xtask/mcp/test_mcp_client.py` (which starts
//! `domoctl mcp` itself, as an agent's host does) and stops the emulator
//! by its PID. The test fails on any tool that misbehaves and on the token
//! appearing in anything the client receives or the server logs.

use std::process::{Command, Stdio};

use crate::pydomo::venv;
use crate::run;
use crate::web::{Servers, root, target_dir};

/// The MCP client the test runs, and the two libraries its API rests on,
/// at the versions it was written against.
const PACKAGES: [&str; 3] = ["mcp==2.3.0", "anyio==4.16.0", "pydantic==2.14.4"];

/// The product-API token of user 1 the server is started with; the test
/// checks it never reaches the client.
const TOKEN: &str = "mcp-ci-token-31c9e0d4b2";

/// The step: venv, builds, emulator, test, emulator stopped.
pub fn ci() -> Result<(), String> {
    eprintln!("\n================ domoctl mcp with the MCP Python SDK ================");
    let py = venv("mcp-venv", &PACKAGES)?;
    run(
        "cargo build domo-emulator domoctl",
        crate::cargo().current_dir(root()).args([
            "build",
            "--locked",
            "-p",
            "domo-emulator",
            "-p",
            "domo-cli",
            "--bin",
            "domo-emulator",
            "--bin",
            "domoctl",
        ]),
    )?;
    let mut servers = Servers::default();
    let url = servers.start("mcp", &["--token", &format!("{TOKEN}=1")])?;
    let result = run(
        "python xtask/mcp/test_mcp_client.py",
        Command::new(&py)
            .current_dir(root())
            .arg("xtask/mcp/test_mcp_client.py")
            .env("DOMOCTL", target_dir().join("debug/domoctl"))
            .env("DOMO_EMULATOR_URL", &url)
            .env("DOMO_EMULATOR_TOKEN", TOKEN)
            .stdin(Stdio::null()),
    );
    drop(servers);
    result
}
