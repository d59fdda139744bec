//! Credentials and settings: flags, `UCLOUD_*` environment, ucam's TOML config,
//! then the UCloud CLI's `~/.ucloud/` files, first hit wins.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Deserialize;

use crate::api::ClientConfig;
use crate::password::PasswordPolicy;
use crate::paths::Paths;

/// What the command line says about the account to use.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub profile: Option<String>,
    pub base_url: Option<String>,
}

/// A snapshot of the environment, so resolution can be tested without
/// touching the process's own variables.
#[derive(Clone, Debug, Default)]
pub struct Environment(pub HashMap<String, String>);

impl Environment {
    pub fn from_process() -> Self {
        Self(std::env::vars().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// ucam's own settings from `config.toml` (all optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Profile used when none is named (else `UCLOUD_PROFILE`, else the UCloud
    /// CLI's active profile, else `default`).
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, ProfileSettings>,
    /// `default` or `mono`.
    pub theme: Option<String>,
    /// Key bindings: action name to key specs, e.g. `quit = ["q", "ctrl-c"]`.
    pub keys: BTreeMap<String, Vec<String>>,
    pub password_policy: PasswordPolicy,
}

/// One `[profiles.NAME]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileSettings {
    pub public_key: Option<String>,
    pub private_key: Option<String>,
    pub base_url: Option<String>,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub timeout_sec: Option<u64>,
}

/// The account to talk to and where its credentials came from.
#[derive(Clone, Debug)]
pub struct Account {
    pub profile: String,
    pub client: ClientConfig,
    /// Where the key pair was found, for messages: `environment`, a file path.
    pub source: String,
    /// Things worth telling the operator, such as a credential file readable
    /// by others.
    pub warnings: Vec<String>,
}

/// Configuration that cannot be used, with the file, profile and fix named.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(String),
}

/// Reads `config.toml`; a missing file gives the defaults.
pub fn load_settings(paths: &Paths) -> Result<Settings, ConfigError> {
    todo!("{paths:?}")
}

/// Finds the account's credentials. `Ok(None)` means none were found anywhere
/// (and no profile was asked for by name), which is when the TUI falls back to
/// the sandbox.
pub fn resolve_account(
    overrides: &Overrides,
    env: &Environment,
    paths: &Paths,
    settings: &Settings,
) -> Result<Option<Account>, ConfigError> {
    let _: Option<PathBuf> = None;
    todo!("{overrides:?} {env:?} {paths:?} {settings:?}")
}
