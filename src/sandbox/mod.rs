//! The sandbox: a local emulator of the IAM actions ucam uses, served over real
//! HTTP, so ucam, its tests and a first-time user need no account.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The sandbox's default key pair.
pub const DEFAULT_PUBLIC_KEY: &str = "ucam-sandbox-public";
pub const DEFAULT_PRIVATE_KEY: &str = "ucam-sandbox-private";
/// Overrides the default private key.
pub const PRIVATE_KEY_ENV: &str = "UCAM_SANDBOX_PRIVATE_KEY";

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxOptions {
    pub listen: SocketAddr,
    /// The JSON state file; `None` keeps state in memory only.
    pub state_file: Option<PathBuf>,
    /// Generate this many users instead of the seed directory (only when the
    /// state file does not exist yet).
    pub users: Option<usize>,
    pub latency: Duration,
    /// Share of requests, 0.0..=1.0, that get an injected fault.
    pub fail_rate: f64,
    pub seed: u64,
    pub public_key: String,
    pub private_key: String,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            users: None,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            seed: 0,
            public_key: DEFAULT_PUBLIC_KEY.to_owned(),
            private_key: DEFAULT_PRIVATE_KEY.to_owned(),
        }
    }
}

/// Why the sandbox could not start or save.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{0}")]
    Io(String),
}

/// A sandbox serving in the background of this process.
pub struct RunningSandbox {
    pub addr: SocketAddr,
}

impl RunningSandbox {
    /// `http://ADDR`, the base URL a client uses.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and saves the state.
    pub async fn shutdown(self) -> Result<(), SandboxError> {
        todo!()
    }
}

/// Binds, loads or seeds the state and starts serving on the current tokio
/// runtime.
pub async fn start(options: SandboxOptions) -> Result<RunningSandbox, SandboxError> {
    todo!("{options:?}")
}
