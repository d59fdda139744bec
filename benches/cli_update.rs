//! A one-off update as a script runs it: the release `ucam` binary spawned as
//! a process, `ucam profile set USER --email ...`, credentials from the
//! environment pointing at a loopback sandbox started by this bench.
//!
//! Targets: whole-process wall time at most 20 ms; peak memory at most
//! 15 MiB (the child's `ru_maxrss` from `wait4`, printed after the run).
//!
//! Build the binary first: `cargo build --release && cargo bench --bench
//! cli_update`. Benches cannot use `CARGO_BIN_EXE_*`, so the binary is found
//! next to this bench's directory: `target/release/ucam`.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

use ucam::sandbox::{self, SandboxOptions};

/// A user of the sandbox's seed directory.
const USER: &str = "zhang.wei";

/// `target/release/ucam`, beside `target/release/deps/<this bench>`.
fn ucam_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench executable's path");
    let release = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the bench runs from target/release/deps");
    let binary = release.join("ucam");
    assert!(
        binary.exists(),
        "{} not found: run `cargo build --release` before this bench",
        binary.display()
    );
    binary
}

/// What one run of the child cost.
struct Run {
    wall: Duration,
    max_rss_kib: i64,
    status: ExitStatus,
}

/// Spawns `command` and reaps it with `wait4`, which reports that child's own
/// peak resident set (in KiB on Linux).
// Clippy cannot see that `wait4` below reaps the child.
#[allow(clippy::zombie_processes)]
fn run_measured(command: &mut Command) -> Run {
    let started = Instant::now();
    let child = command.spawn().expect("ucam starts");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");

    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own unreaped child; both pointers are to live locals.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());

    Run {
        wall,
        max_rss_kib: usage.ru_maxrss,
        status: ExitStatus::from_raw(status),
    }
}

fn cli_update(c: &mut Criterion) {
    let binary = ucam_binary();
    let home = tempfile::tempdir().expect("a temporary home");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let sandbox = runtime
        .block_on(sandbox::start(SandboxOptions::default()))
        .expect("the sandbox starts");
    let config = sandbox.client_config();

    let mut peak_kib = 0;
    let mut runs = 0u64;
    let command_for = |email: &str| {
        let mut command = Command::new(&binary);
        command
            .args(["profile", "set", USER, "--email", email])
            .env_clear()
            .env("HOME", home.path())
            .env("UCAM_CONFIG_DIR", home.path().join("config"))
            .env("UCAM_DATA_DIR", home.path().join("data"))
            .env("UCLOUD_PUBLIC_KEY", &config.public_key)
            .env(
                "UCLOUD_PRIVATE_KEY",
                secrecy::ExposeSecret::expose_secret(&config.private_key),
            )
            .env("UCLOUD_API_BASE_URL", &config.base_url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };

    c.bench_function("cli_profile_set_email", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for i in 0..iterations {
                // A different address each time, so every run is a real change.
                let email = format!("zhang.wei+{}@example.cn", runs + i);
                let run = run_measured(&mut command_for(&email));
                assert!(run.status.success(), "ucam failed: {:?}", run.status);
                total += run.wall;
                peak_kib = peak_kib.max(run.max_rss_kib);
            }
            runs += iterations;
            total
        })
    });

    println!(
        "cli_profile_set_email: {runs} runs; child peak RSS (ru_maxrss, largest of all runs) \
         {:.1} MiB; target <= 15 MiB",
        peak_kib as f64 / 1024.0
    );
    drop(sandbox);
}

criterion_group!(benches, cli_update);
criterion_main!(benches);
