//! Progress bars on stderr, only when stderr is a terminal: scripts and CI
//! logs get no escape codes, and stdout never carries progress.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use domo_native::{ExportProgressFn, UploadProgress, UploadProgressFn};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether bars are drawn at all.
pub fn enabled() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar over `total` bytes, or a byte counter when the total is unknown.
/// Hidden when stderr is not a terminal.
pub fn bytes_bar(total: Option<u64>, prefix: &str) -> ProgressBar {
    if !enabled() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:25}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template(
                "{prefix} {spinner} {decimal_bytes} {decimal_bytes_per_sec} {elapsed} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_prefix(prefix.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The upload callback driving `bar`: bytes read, parts and rows so far.
pub fn upload_callback(bar: &ProgressBar) -> UploadProgressFn {
    let bar = bar.clone();
    Arc::new(move |p: &UploadProgress| {
        if let Some(total) = p.total_bytes {
            bar.set_length(total);
        }
        bar.set_position(p.bytes_read);
        bar.set_message(format!(
            "part {}/{} · {} rows",
            p.parts_done, p.parts_started, p.rows
        ));
    })
}

/// The export callback driving `bar`: bytes written so far.
pub fn export_callback(bar: &ProgressBar) -> ExportProgressFn {
    let bar = bar.clone();
    Arc::new(move |written: u64| bar.set_position(written))
}
