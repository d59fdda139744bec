//! The command-line grammar (clap derive). No flag takes a private key or a
//! password value: those come from the environment, files or stdin only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::api::ProfileStatus;

/// Shown after `--help`: what each exit code means.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    other failure (batch: some row failed)
  2    usage error (bad arguments, invalid batch file)
  3    the local password policy rejected the password
  4    user or login profile not found
  5    the API refused the change
  6    throttled, or retries exhausted
  7    credentials or configuration problem
  130  interrupted";

/// Terminal account manager for UCloud / SCloud IAM sub-accounts.
///
/// Without a subcommand ucam opens the terminal UI; with no account configured
/// it runs against a local sandbox.
#[derive(Debug, Parser)]
#[command(name = "ucam", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags accepted before or after any subcommand.
#[derive(Clone, Debug, Default, Args)]
pub struct GlobalArgs {
    /// Profile to use (from config.toml or ~/.ucloud/).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// API endpoint, e.g. https://api.ucloud.cn (plain http only for loopback).
    #[arg(long, global = true, value_name = "URL", conflicts_with = "sandbox")]
    pub base_url: Option<String>,

    /// Use a local sandbox started in this process instead of a real account.
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// Browse only: refuse every change.
    #[arg(long, global = true)]
    pub readonly: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List users.
    #[command(subcommand)]
    Users(UsersCommand),

    /// Show or change a user's login profile.
    #[command(subcommand)]
    Profile(ProfileCommand),

    /// Generate a new password for a user, require a reset at next sign-in,
    /// and print the password once.
    #[command(after_help = EXIT_CODES_HELP)]
    ResetPassword(ResetPasswordArgs),

    /// Apply login-profile changes from a JSON Lines file, resumably.
    #[command(after_help = EXIT_CODES_HELP)]
    Batch(BatchArgs),

    /// Serve the local IAM emulator until interrupted.
    Sandbox(SandboxArgs),

    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List every user of the account, all pages.
    List {
        #[arg(short, long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Show a user and their login profile.
    Get {
        /// The user name.
        user: String,
        #[arg(short, long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },

    /// Change only the given fields of a user's login profile.
    #[command(after_help = EXIT_CODES_HELP)]
    Set(ProfileSetArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

/// Login-profile status as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    #[value(name = "Active")]
    Active,
    #[value(name = "Inactive")]
    Inactive,
}

impl From<StatusArg> for ProfileStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Active => ProfileStatus::Active,
            StatusArg::Inactive => ProfileStatus::Inactive,
        }
    }
}

#[derive(Debug, Args)]
pub struct ProfileSetArgs {
    /// The user name.
    pub user: String,

    /// Whether the user may sign in to the console.
    #[arg(long, value_enum, ignore_case = true)]
    pub status: Option<StatusArg>,

    /// The user's email address.
    #[arg(long, value_name = "ADDR")]
    pub email: Option<String>,

    /// Read the new password from stdin (one line; asked twice without echo on
    /// a terminal).
    #[arg(long, conflicts_with = "generate_password")]
    pub password_stdin: bool,

    /// Generate a new password and print it once.
    #[arg(long)]
    pub generate_password: bool,

    /// Days before the password must be changed (0 = never, at most 1095).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=1095))]
    pub max_password_age: Option<u32>,

    /// Whether the user must bind an MFA device.
    #[arg(long, value_name = "true|false", action = ArgAction::Set)]
    pub mfa_required: Option<bool>,

    /// Whether the user must change the password at next sign-in.
    #[arg(long, value_name = "true|false", action = ArgAction::Set)]
    pub reset_required: Option<bool>,

    /// Print the request that would be sent (secrets masked) and send nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[arg(short, long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ResetPasswordArgs {
    /// The user name.
    pub user: String,

    /// Length of the generated password.
    #[arg(long, default_value_t = crate::password::DEFAULT_GENERATED_LENGTH as u32,
          value_parser = clap::value_parser!(u32).range(8..=128))]
    pub length: u32,

    /// Put the password on the clipboard through the terminal (OSC 52)
    /// instead of printing it.
    #[arg(long)]
    pub copy: bool,

    #[arg(short, long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// JSON Lines file: one change per line, e.g.
    /// {"user":"alice","mfa_required":true}
    pub file: PathBuf,

    /// How many requests run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Most requests started per second.
    #[arg(long, value_name = "PER_SEC", default_value_t = 10.0, value_parser = parse_rate)]
    pub rate: f64,

    /// Journal of finished rows, so a re-run skips what is done (default: in
    /// the data dir, named after the file's content).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,

    #[arg(short, long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8765")]
    pub listen: SocketAddr,

    /// State file (default: sandbox-state.json in the data dir).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Generate this many users instead of the seed (new state only).
    #[arg(long, value_name = "N")]
    pub users: Option<usize>,

    /// Delay added to every answer.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,

    /// Share of requests (0 to 1) answered with an injected fault.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_fail_rate)]
    pub fail_rate: f64,

    /// Seed for generated users and faults.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// Public key clients must sign with (the private key comes from
    /// UCAM_SANDBOX_PRIVATE_KEY, else the documented default).
    #[arg(long, value_name = "KEY", default_value = crate::sandbox::DEFAULT_PUBLIC_KEY)]
    pub public_key: String,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a positive number of requests per second"
        )),
    }
}

fn parse_fail_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a share between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("ucam").chain(args.iter().copied()))
    }

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = parse(&[
            "users",
            "list",
            "--profile",
            "prod",
            "--base-url",
            "https://x",
        ])
        .unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("prod"));
        assert_eq!(cli.global.base_url.as_deref(), Some("https://x"));
    }

    #[test]
    fn profile_set_parses_every_flag() {
        let cli = parse(&[
            "profile",
            "set",
            "alice",
            "--status",
            "inactive",
            "--email",
            "a@b.c",
            "--max-password-age",
            "90",
            "--mfa-required",
            "true",
            "--reset-required",
            "false",
            "--generate-password",
            "--dry-run",
            "-o",
            "json",
        ])
        .unwrap();
        let Some(Command::Profile(ProfileCommand::Set(set))) = cli.command else {
            panic!("not profile set");
        };
        assert_eq!(set.status, Some(StatusArg::Inactive));
        assert_eq!(set.max_password_age, Some(90));
        assert_eq!(set.mfa_required, Some(true));
        assert_eq!(set.reset_required, Some(false));
        assert!(set.generate_password && set.dry_run);
        assert_eq!(set.output, OutputFormat::Json);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            &["profile", "set", "a", "--max-password-age", "1096"][..],
            &["profile", "set", "a", "--mfa-required", "yes"],
            &["profile", "set", "a", "--status", "Frozen"],
            &[
                "profile",
                "set",
                "a",
                "--password-stdin",
                "--generate-password",
            ],
            &["batch", "f.jsonl", "--rate", "0"],
            &["sandbox", "--fail-rate", "2"],
            &[
                "users",
                "list",
                "--sandbox",
                "--base-url",
                "http://127.0.0.1:1",
            ],
        ] {
            let error = parse(args).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{args:?}");
        }
    }
}
