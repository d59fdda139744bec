//! `ucam sandbox`: serve the local IAM emulator until Ctrl-C or SIGTERM, then
//! save its state.

use std::time::Duration;

use super::args::SandboxArgs;
use super::{CliError, Context, print_line, sandbox_private_key};
use crate::sandbox::{self, SandboxOptions};
use crate::signals::{self, Stop};

pub async fn run(context: &Context, args: SandboxArgs) -> Result<(), CliError> {
    let options = SandboxOptions {
        listen: args.listen,
        state_file: Some(
            args.state
                .unwrap_or_else(|| context.paths.sandbox_state_file()),
        ),
        users: args.users,
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        seed: args.seed,
        public_key: args.public_key,
        private_key: sandbox_private_key(&context.env),
    };
    let running = sandbox::start(options)
        .await
        .map_err(|error| CliError::Setup(format!("the sandbox did not start: {error}")))?;

    // Caught before the address is announced: whoever reads the first line
    // may stop the sandbox at once, and that must still save and exit cleanly.
    let stop = signals::caught(&[Stop::Interrupt, Stop::Terminate]);

    // The first line is the contract: scripts and tests read the address here.
    print_line(&format!("listening on {}", running.base_url()));
    eprintln!("ucam: sandbox serving; Ctrl-C stops it and saves the state");

    stop.await;
    running
        .shutdown()
        .await
        .map_err(|error| CliError::Setup(format!("the sandbox state was not saved: {error}")))
}
