//! Why a subcommand failed, and the one mapping from failure to exit code.

use std::path::PathBuf;

use crate::api::ApiError;
use crate::config::ConfigError;
use crate::password::PolicyViolation;

/// RetCodes that mean the key pair itself is wrong: a configuration problem,
/// not a refused change.
const CREDENTIAL_CODES: [i64; 2] = [170, 171];

/// A failed subcommand. Messages never contain a password or a private key.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The arguments parse but make no sense together.
    #[error("{0}")]
    Usage(String),

    /// A batch file has invalid rows; each entry names its line and field.
    #[error("{} has {} invalid row(s), nothing was sent:\n  {}", file.display(), errors.len(), errors.join("\n  "))]
    InvalidBatch { file: PathBuf, errors: Vec<String> },

    /// The local password policy refused the password before anything was sent.
    #[error("{0} (local password policy; nothing was sent)")]
    Policy(#[from] PolicyViolation),

    /// The API call failed.
    #[error("{0}")]
    Api(#[from] ApiError),

    /// No credentials anywhere and `--sandbox` not given.
    #[error(
        "no UCloud credentials found. Set UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY, \
         add a profile to {}, configure the UCloud CLI (~/.ucloud/credential.json), \
         or pass --sandbox to use a local sandbox",
        config_file.display()
    )]
    NoCredentials { config_file: PathBuf },

    /// The configuration files or environment cannot be used.
    #[error("{0}")]
    Config(#[from] ConfigError),

    /// ucam cannot find its own directories, or the sandbox would not start.
    #[error("{0}")]
    Setup(String),

    /// Reading or writing a local file failed.
    #[error("{what} {}: {source}", path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    /// Some batch rows failed; each was reported on its own line.
    #[error("{failed} of {total} row(s) failed; run the same command again to retry them")]
    RowsFailed { failed: usize, total: usize },

    /// The terminal UI stopped with an error.
    #[error("the terminal UI failed: {0}")]
    Tui(String),

    /// Ctrl-C.
    #[error("interrupted")]
    Interrupted,
}

/// The process exit code for a failure, as listed in `--help` and the README.
pub fn exit_code(error: &CliError) -> u8 {
    match error {
        CliError::Usage(_) | CliError::InvalidBatch { .. } => 2,
        CliError::Policy(_) => 3,
        CliError::Api(api) => api_exit_code(api),
        CliError::NoCredentials { .. } | CliError::Config(_) | CliError::Setup(_) => 7,
        CliError::File { .. } | CliError::RowsFailed { .. } | CliError::Tui(_) => 1,
        CliError::Interrupted => 130,
    }
}

fn api_exit_code(error: &ApiError) -> u8 {
    if error.is_not_found() {
        return 4;
    }
    if error.is_exhausted_or_throttled() || error.is_transient() {
        return 6;
    }
    match error {
        ApiError::RetCode { code, .. } if CREDENTIAL_CODES.contains(code) => 7,
        ApiError::RetCode { .. } => 5,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret_code(code: i64) -> CliError {
        CliError::Api(ApiError::RetCode {
            action: "UpdateLoginProfile".into(),
            code,
            message: "m".into(),
            request_id: Some("rid".into()),
        })
    }

    #[test]
    fn every_failure_has_its_documented_code() {
        let transport = ApiError::Transport {
            action: "A".into(),
            endpoint: "e".into(),
            reason: "r".into(),
        };
        let exhausted = CliError::Api(ApiError::RetriesExhausted {
            action: "A".into(),
            attempts: 4,
            last: Box::new(transport),
        });
        let decode = CliError::Api(ApiError::Decode {
            action: "A".into(),
            reason: "r".into(),
            request_id: None,
        });

        assert_eq!(exit_code(&CliError::Usage("u".into())), 2);
        assert_eq!(
            exit_code(&CliError::Policy(PolicyViolation("too short".into()))),
            3
        );
        assert_eq!(exit_code(&ret_code(11021)), 4);
        assert_eq!(exit_code(&ret_code(172)), 4);
        assert_eq!(exit_code(&ret_code(299)), 5);
        assert_eq!(exit_code(&ret_code(153)), 6);
        assert_eq!(exit_code(&exhausted), 6);
        assert_eq!(exit_code(&ret_code(171)), 7);
        assert_eq!(exit_code(&decode), 1);
        assert_eq!(
            exit_code(&CliError::RowsFailed {
                failed: 1,
                total: 2
            }),
            1
        );
        assert_eq!(
            exit_code(&CliError::NoCredentials {
                config_file: "c".into()
            }),
            7
        );
        assert_eq!(exit_code(&CliError::Interrupted), 130);
        let invalid = CliError::InvalidBatch {
            file: "f".into(),
            errors: vec![],
        };
        assert_eq!(exit_code(&invalid), 2);
    }

    #[test]
    fn api_error_message_keeps_the_request_id() {
        assert!(ret_code(299).to_string().contains("request id rid"));
    }
}
