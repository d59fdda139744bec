//! Runs the TUI against a sandbox started in this process, with its files in
//! a temporary directory: `cargo run --example tui_sandbox [-- --readonly]`.

use ucam::api::Client;
use ucam::config::Settings;
use ucam::paths::Paths;
use ucam::sandbox::{SandboxOptions, start};
use ucam::tui::{TuiOptions, run};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let readonly = std::env::args().any(|arg| arg == "--readonly");
    let latency_ms = std::env::var("SANDBOX_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let fail_rate = std::env::var("SANDBOX_FAIL_RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let users = std::env::var("SANDBOX_USERS")
        .ok()
        .and_then(|v| v.parse().ok());

    let sandbox = start(SandboxOptions {
        latency: std::time::Duration::from_millis(latency_ms),
        fail_rate,
        users,
        ..SandboxOptions::default()
    })
    .await?;
    let client = Client::new(sandbox.client_config())?;
    let files = tempfile::tempdir()?;
    let paths = Paths {
        config_dir: files.path().to_owned(),
        data_dir: files.path().to_owned(),
        home_dir: None,
    };

    let result = run(TuiOptions {
        client,
        settings: Settings::default(),
        paths,
        profile: "sandbox".into(),
        readonly,
        sandbox: true,
    })
    .await;
    eprintln!(
        "audit file was {}",
        files.path().join("audit.jsonl").display()
    );
    if let Ok(audit) = std::fs::read_to_string(files.path().join("audit.jsonl")) {
        eprint!("{audit}");
    }
    result
}
