//! The `ucam` binary: parses arguments, sends tracing to the log file, builds
//! the tokio runtime and hands over to `ucam::cli`.

use std::fs::File;
use std::process::ExitCode;

use clap::Parser;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::prelude::*;

use ucam::cli::{self, Cli, CliError, Command, Context};
use ucam::paths::Paths;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Completions { shell }) = &cli.command {
        cli::print_completions(*shell);
        return ExitCode::SUCCESS;
    }

    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ucam: error: {error}");
            ExitCode::from(cli::exit_code(&error))
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let paths = Paths::discover().ok_or_else(|| {
        CliError::Setup(
            "cannot find a home directory for ucam's files; set UCAM_CONFIG_DIR and \
             UCAM_DATA_DIR"
                .to_owned(),
        )
    })?;
    let _log_guard = init_logging(&paths);
    ucam::crash::install_panic_report(paths.log_file());
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "ucam starting");

    let context = Context::load(cli.global.clone(), paths)?;
    let runtime = if cli::wants_multi_thread(&cli) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .map_err(|error| CliError::Setup(format!("cannot start the async runtime: {error}")))?;

    runtime.block_on(cli::run(cli, context))
}

/// The HTTP and TLS crates under ucam's client and the sandbox. At TRACE some
/// of them write out buffers and headers as they pass, which would put a
/// request body (a password, a signature) in the log, so their TRACE events
/// are dropped whatever `RUST_LOG` says; DEBUG and above still pass.
const TRANSPORT_TARGETS: [&str; 9] = [
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "axum",
    "tower",
    "tower_http",
    "rustls",
    "want",
];

fn is_transport_trace(metadata: &tracing::Metadata<'_>) -> bool {
    *metadata.level() == tracing::Level::TRACE
        && TRANSPORT_TARGETS.iter().any(|target| {
            metadata
                .target()
                .strip_prefix(target)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
        })
}

/// Sends tracing to `ucam.log` in the data dir, never to the terminal. When
/// the file cannot be opened ucam runs without a log rather than not at all.
fn init_logging(paths: &Paths) -> Option<WorkerGuard> {
    let log_file = paths.log_file();
    if let Some(dir) = log_file.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let file = File::options()
        .create(true)
        .append(true)
        .open(&log_file)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .and(filter_fn(|metadata| !is_transport_trace(metadata)));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(filter);
    tracing_subscriber::registry().with(layer).try_init().ok()?;
    Some(guard)
}
