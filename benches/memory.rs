//! Peak resident memory with 100k users loaded into the TUI's `App` through
//! its real reply path: the worker's client fetches every page from a sandbox
//! over HTTP, decodes the JSON and sends one reply per page to `App::update`.
//!
//! The sandbox runs in a child process (this same executable, re-run with
//! `UCAM_BENCH_ROLE=sandbox`), so its own 100k accounts are not counted.
//! Prints the figure (target: at most 80 MiB); not a pass/fail test.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command as Process, Stdio};

use secrecy::SecretString;

use ucam::api::client::DEFAULT_TIMEOUT;
use ucam::api::{Client, ClientConfig, RetryPolicy};
use ucam::sandbox::{self, SandboxOptions};

const USERS: usize = 100_000;
const ROLE_VAR: &str = "UCAM_BENCH_ROLE";

fn main() {
    if std::env::var(ROLE_VAR).as_deref() == Ok("sandbox") {
        serve_sandbox();
        return;
    }

    let before = support::proc_status_kib("VmHWM").unwrap_or(0);
    let (mut child, base_url) = spawn_sandbox();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let config = sandbox_client_config(base_url);

    let started = std::time::Instant::now();
    let app = runtime.block_on(support::load_through_worker(
        Client::new(config).expect("a client"),
    ));
    let elapsed = started.elapsed();

    let peak = support::proc_status_kib("VmHWM").unwrap_or(0);
    let resident = support::proc_status_kib("VmRSS").unwrap_or(0);
    println!(
        "memory_100k_users: {} users loaded in {elapsed:.2?}",
        app.users.len()
    );
    println!(
        "memory_100k_users: peak RSS (VmHWM) {}; RSS now {}; before loading {}; target <= 80 MiB",
        support::mib(peak),
        support::mib(resident),
        support::mib(before),
    );

    drop(app);
    let _ = child.kill();
    let _ = child.wait();
}

/// The client settings for a sandbox with the default key pair.
fn sandbox_client_config(base_url: String) -> ClientConfig {
    ClientConfig {
        base_url,
        public_key: sandbox::DEFAULT_PUBLIC_KEY.to_owned(),
        private_key: SecretString::from(sandbox::DEFAULT_PRIVATE_KEY),
        project_id: None,
        region: None,
        timeout: DEFAULT_TIMEOUT,
        retry: RetryPolicy::default(),
    }
}

/// Starts this executable as the sandbox and reads its address.
fn spawn_sandbox() -> (Child, String) {
    let exe = std::env::current_exe().expect("the bench executable's path");
    let mut child = Process::new(exe)
        .env(ROLE_VAR, "sandbox")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox child starts");
    let stdout = child.stdout.take().expect("the child's stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the child prints its address");
    (child, line.trim().to_owned())
}

/// The child: serves 100k generated users until its stdin closes.
fn serve_sandbox() {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let sandbox = runtime
        .block_on(sandbox::start(SandboxOptions {
            users: Some(USERS),
            ..SandboxOptions::default()
        }))
        .expect("the sandbox starts");
    println!("{}", sandbox.base_url());
    std::io::stdout().flush().expect("stdout");

    let mut rest = String::new();
    let _ = std::io::stdin().read_line(&mut rest);
    drop(sandbox);
}
