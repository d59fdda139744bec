//! The command line: argument parsing, the non-interactive subcommands, output
//! formats and exit codes.
//!
//! `main.rs` parses the arguments and calls [`run`]; everything else lives here
//! so the integration tests reach the same code the binary runs.

pub mod args;
pub mod batch;
pub mod error;
pub mod output;
pub mod profile;
pub mod secret;
pub mod serve;
pub mod users;

use std::io::Write;

use secrecy::SecretString;

use crate::api::{ApiError, ApiResponse, Client, LoginProfileChange};
use crate::audit::{AuditEntry, AuditLog};
use crate::config::{self, Account, Environment, Overrides, Settings};
use crate::paths::Paths;
use crate::sandbox::{self, RunningSandbox, SandboxOptions};
use crate::signals::{self, Stop};
use crate::tui::{self, TuiOptions};

pub use args::{Cli, Command, GlobalArgs, OutputFormat};
pub use error::{CliError, exit_code};

/// Everything a command needs besides its own arguments.
pub struct Context {
    pub global: GlobalArgs,
    pub paths: Paths,
    pub settings: Settings,
    pub env: Environment,
}

impl Context {
    /// Finds ucam's directories and reads `config.toml`.
    pub fn load(global: GlobalArgs, paths: Paths) -> Result<Self, CliError> {
        let settings = config::load_settings(&paths)?;
        Ok(Self {
            global,
            paths,
            settings,
            env: Environment::from_process(),
        })
    }

    /// The configured account, unless `--sandbox` asks for none.
    fn resolve_account(&self) -> Result<Option<Account>, CliError> {
        if self.global.sandbox {
            return Ok(None);
        }
        let overrides = Overrides {
            profile: self.global.profile.clone(),
            base_url: self.global.base_url.clone(),
        };
        let account = config::resolve_account(&overrides, &self.env, &self.paths, &self.settings)?;
        if let Some(account) = &account {
            for warning in &account.warnings {
                eprintln!("ucam: warning: {warning}");
            }
        }
        Ok(account)
    }

    /// Connects a subcommand: the configured account, or an in-process
    /// sandbox with `--sandbox`. Never falls back to the sandbox silently.
    pub async fn connect(&self) -> Result<Session, CliError> {
        if self.global.sandbox {
            return Session::sandbox(self).await;
        }
        match self.resolve_account()? {
            Some(account) => Session::account(self, account),
            None => Err(CliError::NoCredentials {
                config_file: self.paths.config_file(),
            }),
        }
    }

    /// Refuses a change when `--readonly` is set.
    pub fn ensure_writable(&self, what: &str) -> Result<(), CliError> {
        if self.global.readonly {
            return Err(CliError::Usage(format!(
                "{what} changes the account, and --readonly forbids changes"
            )));
        }
        Ok(())
    }
}

/// A connection to one account, plus where submitted changes are audited.
pub struct Session {
    pub client: Client,
    pub profile: String,
    pub audit: AuditLog,
    sandbox: Option<RunningSandbox>,
}

impl Session {
    fn account(context: &Context, account: Account) -> Result<Self, CliError> {
        Ok(Self {
            client: Client::new(account.client).map_err(setup_error)?,
            profile: account.profile,
            audit: AuditLog::new(context.paths.audit_file()),
            sandbox: None,
        })
    }

    async fn sandbox(context: &Context) -> Result<Self, CliError> {
        let (running, client) = start_sandbox(context).await?;
        Ok(Self {
            client,
            profile: "sandbox".to_owned(),
            audit: AuditLog::new(context.paths.audit_file()),
            sandbox: Some(running),
        })
    }

    /// Stops the in-process sandbox, if any, which saves its state.
    pub async fn close(self) {
        if let Some(running) = self.sandbox
            && let Err(error) = running.shutdown().await
        {
            eprintln!("ucam: warning: the sandbox state was not saved: {error}");
        }
    }

    /// Appends the outcome of a submitted change to the audit file. A failure
    /// to write is reported but does not undo or fail the change.
    pub fn audit(&self, change: &LoginProfileChange, result: &Result<ApiResponse<()>, ApiError>) {
        let entry = AuditEntry::for_change(
            &self.profile,
            self.client.endpoint(),
            change,
            result,
            std::time::SystemTime::now(),
        );
        if let Err(error) = self.audit.append(&entry) {
            eprintln!(
                "ucam: warning: could not write the audit file {}: {error}",
                self.audit.path().display()
            );
        }
    }
}

fn setup_error(error: impl std::fmt::Display) -> CliError {
    CliError::Setup(error.to_string())
}

/// The sandbox key pair: the documented defaults, the private key
/// overridable through the environment only.
fn sandbox_private_key(env: &Environment) -> SecretString {
    let key = env
        .get(sandbox::PRIVATE_KEY_ENV)
        .unwrap_or(sandbox::DEFAULT_PRIVATE_KEY);
    SecretString::from(key.to_owned())
}

/// Starts a sandbox on a free loopback port with the usual state file, and a
/// client signed with its key pair.
async fn start_sandbox(context: &Context) -> Result<(RunningSandbox, Client), CliError> {
    let options = SandboxOptions {
        state_file: Some(context.paths.sandbox_state_file()),
        private_key: sandbox_private_key(&context.env),
        ..SandboxOptions::default()
    };
    let running = sandbox::start(options)
        .await
        .map_err(|error| CliError::Setup(format!("the local sandbox did not start: {error}")))?;
    let client = Client::new(running.client_config()).map_err(setup_error)?;
    Ok((running, client))
}

/// Whether a command runs best on a multi-threaded runtime (the TUI and the
/// sandbox server); the one-shot subcommands start faster on one thread.
pub fn wants_multi_thread(cli: &Cli) -> bool {
    matches!(cli.command, None | Some(Command::Sandbox(_)))
}

/// Runs the parsed command line. Subcommands stop with exit code 130 on Ctrl-C.
pub async fn run(cli: Cli, context: Context) -> Result<(), CliError> {
    let Some(command) = cli.command else {
        return run_tui(&context).await;
    };
    if let Command::Sandbox(args) = command {
        return serve::run(&context, args).await;
    }

    let interrupted = signals::caught(&[Stop::Interrupt]);
    tokio::select! {
        result = run_subcommand(command, &context) => result,
        () = interrupted => Err(CliError::Interrupted),
    }
}

async fn run_subcommand(command: Command, context: &Context) -> Result<(), CliError> {
    match command {
        Command::Users(args::UsersCommand::List { output }) => users::list(context, output).await,
        Command::Profile(args::ProfileCommand::Get { user, output }) => {
            profile::get(context, &user, output).await
        }
        Command::Profile(args::ProfileCommand::Set(args)) => profile::set(context, args).await,
        Command::ResetPassword(args) => profile::reset_password(context, args).await,
        Command::Batch(args) => batch::run(context, args).await,
        Command::Completions { shell } => {
            print_completions(shell);
            Ok(())
        }
        Command::Sandbox(args) => serve::run(context, args).await,
    }
}

/// Writes a completion script for `shell` to stdout.
pub fn print_completions(shell: clap_complete::Shell) {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "ucam", &mut script);
    // Written in one go so a closed pipe is a silent stop, not a panic.
    let _ = std::io::stdout().lock().write_all(&script);
}

/// The TUI against the configured account, or against an in-process sandbox
/// when there is none or `--sandbox` asks for it.
async fn run_tui(context: &Context) -> Result<(), CliError> {
    let account = context.resolve_account()?;
    let (client, profile, running) = match account {
        Some(account) => (
            Client::new(account.client).map_err(setup_error)?,
            account.profile,
            None,
        ),
        None => {
            let (running, client) = start_sandbox(context).await?;
            (client, "sandbox".to_owned(), Some(running))
        }
    };

    let options = TuiOptions {
        client,
        settings: context.settings.clone(),
        paths: context.paths.clone(),
        profile,
        readonly: context.global.readonly,
        sandbox: running.is_some(),
    };
    let result = tui::run(options).await;

    if let Some(running) = running
        && let Err(error) = running.shutdown().await
    {
        eprintln!("ucam: warning: the sandbox state was not saved: {error}");
    }
    result.map_err(|error| CliError::Tui(format!("{error:#}")))
}

/// Prints a line to stdout; a closed pipe (`ucam users list | head`) is not
/// an error worth a message.
pub fn print_line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}
