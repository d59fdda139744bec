//! The sandbox: a local emulator of the IAM actions ucam uses, served over real
//! HTTP, so ucam, its tests and a first-time user need no account.
//!
//! It answers `POST /` with a form or JSON body and `GET /?...`, checks the
//! signature with its own key pair, and serves `ListUsers`, `GetUser`,
//! `GetLoginProfile` and `UpdateLoginProfile` in the service's JSON shapes.
//! Every response carries an `X-UCLOUD-REQUEST-UUID` header. API errors are
//! HTTP 200 with `{"RetCode":N,"Action":"<Action>Response","Message":"..."}`.
//!
//! # RetCodes
//!
//! Checked in this order; the first problem found is the one reported.
//!
//! | RetCode | when |
//! |---|---|
//! | 170 | `Signature` is missing |
//! | 171 | `Signature VerifyAC Error`: wrong signature or unknown `PublicKey` |
//! | 160 | `Action` is missing |
//! | 161 | `Action` is not one of the four above |
//! | 230 | a parameter is missing (`Missing params [UserName]`) or not valid |
//! |     | (`Params [Limit] not valid`), or the body is not readable |
//! | 231 | `Status` is not `Active` or `Inactive` |
//! | 233 | `UserEmail` is not a valid e-mail address |
//! | 232 | `MaxPasswordAge` is not a whole number from 0 to 1095 |
//! | 234 | `MFABindRequired` or `PasswordResetRequired` is not `true`/`false` |
//! | 235 | `Password` breaks the policy: 8 to 64 characters mixing three of |
//! |     | lowercase, uppercase, digits and symbols |
//! | 11021 | no user has that `UserName` |
//! | 150 | the change could not be written to the state file |
//! | 153 | throttled (only as an injected fault) |
//!
//! The validation codes 231 to 235 are the sandbox's own; they stay below
//! 2000 because clients treat RetCodes from 2000 up as worth retrying, and a
//! rejected value is final. A refused request changes nothing: every field is
//! checked before any is applied.
//!
//! `ListUsers` pages in creation order: `Limit` defaults to 10 (also when
//! 0), more than 100 is served as 100, and an `Offset` past the end gives an
//! empty page with the true `TotalCount`.
//!
//! The login profile's `Status` and the user's own `Status` are separate, as
//! in the service: `UpdateLoginProfile` changes the former only.
//! `UserEmail` changes the user's `Email`.
//!
//! # State
//!
//! Users start from `assets/seed-users.json` (or a generated directory of
//! `users` entries) and live in a JSON state file, replaced atomically after
//! every change. A change is answered only once it is on disk. Passwords are
//! kept only as salted PBKDF2 hashes with the time they were set.
//!
//! # Faults
//!
//! With `fail_rate` above 0, a seeded draw gives that share of requests one of:
//! HTTP 503, RetCode 153, a connection closed without an answer, or an HTTP
//! 200 body that is not JSON. The draw comes before the request is looked
//! at, so a faulted change is never applied.

mod actions;
mod directory;
mod faults;
pub mod password_hash;
mod server;
mod store;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{RwLock, oneshot};

pub use actions::{DEFAULT_LIMIT, MAX_LIMIT};
pub use directory::{SEED_USERS, UserStatus};
pub use faults::Fault;
pub use validate::{MAX_PASSWORD_AGE_DAYS, PASSWORD_MIN_CLASSES, PASSWORD_MIN_LENGTH};

use crate::api::{ClientConfig, RetryPolicy};
use directory::Directory;
use faults::FaultInjector;
use server::Sandbox;
use store::Store;

/// The sandbox's default key pair.
pub const DEFAULT_PUBLIC_KEY: &str = "ucam-sandbox-public";
pub const DEFAULT_PRIVATE_KEY: &str = "ucam-sandbox-private";
/// Overrides the default private key.
pub const PRIVATE_KEY_ENV: &str = "UCAM_SANDBOX_PRIVATE_KEY";

/// The RetCodes the sandbox answers with (see the module docs for when).
pub mod codes {
    pub const SERVICE_UNAVAILABLE: i64 = 150;
    pub const THROTTLED: i64 = 153;
    pub const MISSING_ACTION: i64 = 160;
    pub const UNKNOWN_ACTION: i64 = 161;
    pub const MISSING_SIGNATURE: i64 = 170;
    pub const BAD_SIGNATURE: i64 = 171;
    pub const PARAM_INVALID: i64 = 230;
    pub const INVALID_STATUS: i64 = 231;
    pub const INVALID_PASSWORD_AGE: i64 = 232;
    pub const INVALID_EMAIL: i64 = 233;
    pub const INVALID_BOOLEAN: i64 = 234;
    pub const PASSWORD_POLICY: i64 = 235;
    pub const USER_NOT_FOUND: i64 = 11021;
}

/// How to run a sandbox. `Debug` shows the private key as redacted.
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
    pub private_key: SecretString,
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
            private_key: SecretString::from(DEFAULT_PRIVATE_KEY),
        }
    }
}

impl SandboxOptions {
    /// The defaults, with the private key taken from `UCAM_SANDBOX_PRIVATE_KEY`
    /// when that is set and not empty.
    pub fn from_env() -> Self {
        Self::with_private_key_from(|name| std::env::var(name).ok())
    }

    fn with_private_key_from(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut options = Self::default();
        if let Some(key) = lookup(PRIVATE_KEY_ENV).filter(|key| !key.is_empty()) {
            options.private_key = SecretString::from(key);
        }
        options
    }
}

/// Everything but the private key.
/// Why the sandbox could not start or save.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Any other I/O problem.
    #[error("{0}")]
    Io(String),

    /// An option is out of range.
    #[error("sandbox option {option}: {reason}")]
    InvalidOption {
        option: &'static str,
        reason: String,
    },

    /// The listen address is taken or not ours to use.
    #[error("sandbox could not listen on {addr}: {source} (pick another address with --listen)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },

    /// The state file exists but could not be read.
    #[error("sandbox state file {}: could not read it: {source}", path.display())]
    StateFileRead {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The state file is not a sandbox state file, or is damaged. It is left
    /// alone rather than overwritten with a fresh seed.
    #[error(
        "sandbox state file {} is not valid: {reason} \
         (fix it, or move it away to start from the seed directory)",
        path.display()
    )]
    StateFileCorrupt { path: PathBuf, reason: String },

    /// The state file could not be written.
    #[error("sandbox state file {}: could not save: {reason}", path.display())]
    StateFileWrite { path: PathBuf, reason: String },

    /// The built-in seed directory or the generator produced a bad directory.
    #[error("sandbox seed directory: {0}")]
    Seed(String),

    /// The server task ended abnormally.
    #[error("sandbox server task failed: {0}")]
    Task(String),
}

/// A sandbox serving in the background of this process.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    public_key: String,
    private_key: SecretString,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), SandboxError>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// `http://ADDR`, the base URL a client uses.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client configuration for this sandbox: its URL and key pair, the
    /// default timeout and retry policy.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            base_url: self.base_url(),
            public_key: self.public_key.clone(),
            private_key: self.private_key.clone(),
            project_id: None,
            region: None,
            timeout: crate::api::client::DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }

    /// Serves until `shutdown` resolves, then stops as [`Self::shutdown`] does.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) -> Result<(), SandboxError> {
        shutdown.await;
        self.shutdown().await
    }

    /// Stops accepting connections, lets in-flight requests finish, and saves
    /// the state a last time.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(error) => Err(SandboxError::Task(error.to_string())),
        }
    }
}

/// Binds, loads or seeds the state and starts serving on the current tokio
/// runtime. The caller learns the bound address from the result (useful with
/// port 0) before any request is served.
///
/// Dropping the returned value stops the server too, without the final save;
/// every acknowledged change is on disk already.
pub async fn start(options: SandboxOptions) -> Result<RunningSandbox, SandboxError> {
    check_options(&options)?;
    let (directory, fresh) = load_or_seed(&options).await?;

    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: options.listen,
        source,
    })?;

    let version = directory.version();
    let directory = Arc::new(RwLock::new(directory));
    let store = Arc::new(Store::new(options.state_file.clone(), version));
    if fresh {
        // Written at once, so a restart finds the same users even if no
        // change is ever made.
        store.save(&directory, true).await?;
    }

    let sandbox = Arc::new(Sandbox {
        public_key: options.public_key.clone(),
        private_key: options.private_key.clone(),
        latency: options.latency,
        directory,
        store,
        faults: FaultInjector::new(options.fail_rate, options.seed),
    });
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(run(listener, sandbox, stopped));
    tracing::info!(%addr, "sandbox listening");

    Ok(RunningSandbox {
        addr,
        public_key: options.public_key,
        private_key: options.private_key,
        stop: Some(stop),
        task,
    })
}

/// Starts a sandbox and serves until `shutdown` resolves. Prints nothing: a
/// caller that wants to show the address uses [`start`] and then
/// [`RunningSandbox::serve_until`].
pub async fn serve(
    options: SandboxOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), SandboxError> {
    start(options).await?.serve_until(shutdown).await
}

async fn run(
    listener: tokio::net::TcpListener,
    sandbox: Arc<Sandbox>,
    stopped: oneshot::Receiver<()>,
) -> Result<(), SandboxError> {
    let (stop_writer, writer_stopped) = tokio::sync::watch::channel(false);
    let writer = tokio::spawn(
        sandbox
            .store
            .clone()
            .run_writer(sandbox.directory.clone(), writer_stopped),
    );

    // A dropped sender stops the server just as a sent stop does.
    server::accept_until(listener, sandbox.clone(), async {
        let _ = stopped.await;
    })
    .await;

    // The writer outlives the connections, so requests still draining above
    // could wait for their saves.
    let _ = stop_writer.send(true);
    if let Err(error) = writer.await {
        tracing::warn!(%error, "sandbox state writer failed");
    }
    sandbox.store.save(&sandbox.directory, false).await?;
    tracing::info!("sandbox stopped");
    Ok(())
}

fn check_options(options: &SandboxOptions) -> Result<(), SandboxError> {
    if !(0.0..=1.0).contains(&options.fail_rate) {
        return Err(SandboxError::InvalidOption {
            option: "fail_rate",
            reason: format!("{} is not a share from 0.0 to 1.0", options.fail_rate),
        });
    }
    if options.public_key.is_empty() || options.private_key.expose_secret().is_empty() {
        return Err(SandboxError::InvalidOption {
            option: "public_key/private_key",
            reason: "the sandbox key pair must not be empty".to_owned(),
        });
    }
    Ok(())
}

/// The directory from the state file when there is one, else a fresh one;
/// `true` when fresh (and so not yet saved).
async fn load_or_seed(options: &SandboxOptions) -> Result<(Directory, bool), SandboxError> {
    if let Some(path) = &options.state_file {
        let path = path.clone();
        let loaded = tokio::task::spawn_blocking(move || load_state(&path))
            .await
            .map_err(|error| SandboxError::Task(error.to_string()))??;
        if let Some(directory) = loaded {
            return Ok((directory, false));
        }
    }

    let (users, seed) = (options.users, options.seed);
    let directory = tokio::task::spawn_blocking(move || match users {
        Some(count) => Directory::generated(count, seed),
        None => Directory::seed(),
    })
    .await
    .map_err(|error| SandboxError::Task(error.to_string()))?
    .map_err(SandboxError::Seed)?;
    Ok((directory, true))
}

/// `None` when the file does not exist yet.
fn load_state(path: &Path) -> Result<Option<Directory>, SandboxError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SandboxError::StateFileRead {
                path: path.to_owned(),
                source,
            });
        }
    };
    Directory::decode(&bytes)
        .map(Some)
        .map_err(|reason| SandboxError::StateFileCorrupt {
            path: path.to_owned(),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_key_comes_from_the_environment_when_set() {
        let set = SandboxOptions::with_private_key_from(|name| {
            (name == PRIVATE_KEY_ENV).then(|| "from-env".to_owned())
        });
        let empty = SandboxOptions::with_private_key_from(|_| Some(String::new()));
        let unset = SandboxOptions::with_private_key_from(|_| None);

        assert_eq!(set.private_key.expose_secret(), "from-env");
        assert_eq!(empty.private_key.expose_secret(), DEFAULT_PRIVATE_KEY);
        assert_eq!(unset.private_key.expose_secret(), DEFAULT_PRIVATE_KEY);
        assert_eq!(set.public_key, DEFAULT_PUBLIC_KEY);
    }
}
