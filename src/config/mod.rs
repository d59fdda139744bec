//! Credentials and settings: flags, `UCLOUD_*` environment, ucam's TOML config,
//! then the UCloud CLI's `~/.ucloud/` files, first hit wins.
//!
//! Each group of values is resolved on its own, so the key pair can come from
//! the environment while the region comes from the CLI's `config.json`:
//!
//! - profile name: `--profile`, `UCLOUD_PROFILE`, `default_profile`, the CLI
//!   entry with `active: true`, `default`;
//! - key pair: `UCLOUD_PUBLIC_KEY` + `UCLOUD_PRIVATE_KEY`, `[profiles.NAME]`,
//!   the CLI's `credential.json`;
//! - base URL: `--base-url`, `UCLOUD_API_BASE_URL`, `[profiles.NAME]`, the
//!   CLI's `config.json`, SCloud;
//! - project and region: `UCLOUD_PROJECT_ID` / `UCLOUD_REGION`,
//!   `[profiles.NAME]`, the CLI's `config.json`;
//! - timeout: `UCLOUD_TIMEOUT_SECOND`, `[profiles.NAME]`, the CLI's
//!   `config.json`, 15 s.

mod base_url;
mod error;
mod files;
mod ucloud_cli;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::api::client::DEFAULT_TIMEOUT;
use crate::api::{ClientConfig, RetryPolicy};
use crate::password::PasswordPolicy;
use crate::paths::Paths;

pub use base_url::DEFAULT_BASE_URL;
pub use error::{ConfigError, EXAMPLE_CONFIG};
pub use ucloud_cli::{SHARED_CONFIG_FILE_VAR, SHARED_CREDENTIAL_FILE_VAR};

use files::{optional_secret, read_optional, readable_by_others_warning, toml_error};
use ucloud_cli::{CliCredential, CliProfileConfig, SharedFile};

/// The account's public key.
pub const PUBLIC_KEY_VAR: &str = "UCLOUD_PUBLIC_KEY";
/// The account's private key; never accepted on the command line.
pub const PRIVATE_KEY_VAR: &str = "UCLOUD_PRIVATE_KEY";
/// The API endpoint.
pub const BASE_URL_VAR: &str = "UCLOUD_API_BASE_URL";
/// The profile to use.
pub const PROFILE_VAR: &str = "UCLOUD_PROFILE";
/// The project sent as `ProjectId`.
pub const PROJECT_ID_VAR: &str = "UCLOUD_PROJECT_ID";
/// The region sent as `Region`.
pub const REGION_VAR: &str = "UCLOUD_REGION";
/// The request timeout in whole seconds.
pub const TIMEOUT_VAR: &str = "UCLOUD_TIMEOUT_SECOND";

/// The profile used when nothing names one and the CLI marks none active.
pub const DEFAULT_PROFILE: &str = "default";

/// What the command line says about the account to use.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub profile: Option<String>,
    pub base_url: Option<String>,
}

/// A snapshot of the environment, so resolution can be tested without
/// touching the process's own variables. `Debug` lists the names only: the
/// values include `UCLOUD_PRIVATE_KEY`.
#[derive(Clone, Default)]
pub struct Environment(pub HashMap<String, String>);

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.0.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_tuple("Environment").field(&names).finish()
    }
}

impl Environment {
    pub fn from_process() -> Self {
        Self(std::env::vars().collect())
    }

    /// A variable's value; set-but-empty counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Sets a variable in the snapshot (not in the process).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.insert(name.into(), value.into());
        self
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Environment {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// ucam's own settings from `config.toml` (all optional). Unknown top-level
/// keys are refused so that a typo does not silently do nothing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// Kept secret from the moment it is read; `Debug` shows `[REDACTED]`.
    #[serde(deserialize_with = "optional_secret")]
    pub private_key: Option<SecretString>,
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

/// Reads `config.toml`; a missing file gives the defaults.
pub fn load_settings(paths: &Paths) -> Result<Settings, ConfigError> {
    let path = paths.config_file();
    match read_optional(&path)? {
        Some(text) => parse_settings(&text, &path),
        None => Ok(Settings::default()),
    }
}

/// Parses and checks the text of a `config.toml`; `path` is for messages.
pub fn parse_settings(text: &str, path: &Path) -> Result<Settings, ConfigError> {
    let settings: Settings =
        toml::from_str(text).map_err(|error| toml_error(path, text, &error))?;

    if let Err(detail) = settings.password_policy.validate() {
        return Err(ConfigError::InvalidValue {
            name: format!("[password_policy] in {}", path.display()),
            detail,
        });
    }
    for (name, profile) in &settings.profiles {
        if profile.timeout_sec == Some(0) {
            return Err(ConfigError::InvalidValue {
                name: format!("timeout_sec of [profiles.{name}] in {}", path.display()),
                detail: "0 would fail every request; use a number of seconds such as 15".into(),
            });
        }
    }
    Ok(settings)
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
    let home = paths.home_dir.as_deref();
    let cli_config_file = SharedFile::locate(env, SHARED_CONFIG_FILE_VAR, home, "config.json");
    let credential_file =
        SharedFile::locate(env, SHARED_CREDENTIAL_FILE_VAR, home, "credential.json");
    let cli_configs: Vec<CliProfileConfig> = cli_config_file.entries()?;

    let requested = non_empty(overrides.profile.as_deref())
        .or_else(|| env.get(PROFILE_VAR))
        .map(str::to_string);
    let profile = requested
        .clone()
        .or_else(|| non_empty(settings.default_profile.as_deref()).map(str::to_string))
        .or_else(|| active_cli_profile(&cli_configs))
        .unwrap_or_else(|| DEFAULT_PROFILE.to_string());

    let mut warnings = Vec::new();
    let sources = Sources {
        profile: &profile,
        env,
        config_toml: &paths.config_file(),
        settings,
        credential_file: &credential_file,
    };
    let Some(key_pair) = sources.key_pair(&mut warnings)? else {
        return match requested {
            Some(profile) => Err(ConfigError::UnknownProfile {
                profile,
                searched: sources.searched(),
            }),
            None => Ok(None),
        };
    };

    let own = settings.profiles.get(&profile);
    let cli = cli_configs.iter().find(|entry| entry.profile == profile);
    let client = ClientConfig {
        base_url: base_url(overrides, env, paths, &profile, own, cli, &cli_config_file)?,
        public_key: key_pair.public_key,
        private_key: key_pair.private_key,
        project_id: first_set(
            env.get(PROJECT_ID_VAR),
            own.and_then(|p| p.project_id.as_deref()),
            cli.and_then(|c| c.project_id.as_deref()),
        ),
        region: first_set(
            env.get(REGION_VAR),
            own.and_then(|p| p.region.as_deref()),
            cli.and_then(|c| c.region.as_deref()),
        ),
        timeout: timeout(env, own, cli, &cli_config_file)?,
        retry: RetryPolicy::default(),
    };

    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    Ok(Some(Account {
        profile,
        client,
        source: key_pair.source,
        warnings,
    }))
}

/// A key pair and where it was found.
struct KeyPair {
    public_key: String,
    private_key: SecretString,
    source: String,
}

/// The places a key pair may come from, for one profile.
struct Sources<'a> {
    profile: &'a str,
    env: &'a Environment,
    config_toml: &'a Path,
    settings: &'a Settings,
    credential_file: &'a SharedFile,
}

impl Sources<'_> {
    /// The first complete key pair: environment, ucam's profile, the CLI's
    /// credential file. Half a pair anywhere is an error, not a fall-through:
    /// falling through could sign with another account's key.
    fn key_pair(&self, warnings: &mut Vec<String>) -> Result<Option<KeyPair>, ConfigError> {
        if let Some(pair) = self.env_key_pair()? {
            return Ok(Some(pair));
        }
        if let Some(pair) = self.ucam_key_pair(warnings)? {
            return Ok(Some(pair));
        }
        self.credential_file_key_pair(warnings)
    }

    fn env_key_pair(&self) -> Result<Option<KeyPair>, ConfigError> {
        match (self.env.get(PUBLIC_KEY_VAR), self.env.get(PRIVATE_KEY_VAR)) {
            (Some(public_key), Some(private_key)) => Ok(Some(KeyPair {
                public_key: public_key.trim().to_string(),
                private_key: SecretString::from(private_key.trim()),
                source: "environment".into(),
            })),
            (Some(_), None) => Err(ConfigError::PartialEnvCredentials {
                present: PUBLIC_KEY_VAR,
                missing: PRIVATE_KEY_VAR,
            }),
            (None, Some(_)) => Err(ConfigError::PartialEnvCredentials {
                present: PRIVATE_KEY_VAR,
                missing: PUBLIC_KEY_VAR,
            }),
            (None, None) => Ok(None),
        }
    }

    fn ucam_key_pair(&self, warnings: &mut Vec<String>) -> Result<Option<KeyPair>, ConfigError> {
        if self
            .settings
            .profiles
            .values()
            .any(|p| p.private_key.is_some())
        {
            warnings.extend(readable_by_others_warning(self.config_toml));
        }
        let Some(own) = self.settings.profiles.get(self.profile) else {
            return Ok(None);
        };
        complete_pair(
            own.public_key.as_deref(),
            own.private_key.as_ref(),
            self.config_toml,
            self.profile,
        )
    }

    fn credential_file_key_pair(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Option<KeyPair>, ConfigError> {
        let credentials: Vec<CliCredential> = self.credential_file.entries()?;
        let Some(path) = &self.credential_file.path else {
            return Ok(None);
        };
        if credentials.iter().any(|c| c.private_key.is_some()) {
            warnings.extend(readable_by_others_warning(path));
        }
        let Some(entry) = credentials.iter().find(|c| c.profile == self.profile) else {
            return Ok(None);
        };
        complete_pair(
            entry.public_key.as_deref(),
            entry.private_key.as_ref(),
            path,
            self.profile,
        )
    }

    /// What was searched, for the message when a named profile has no keys.
    fn searched(&self) -> Vec<String> {
        vec![
            format!("{PUBLIC_KEY_VAR}/{PRIVATE_KEY_VAR}"),
            format!(
                "[profiles.{}] in {}",
                self.profile,
                self.config_toml.display()
            ),
            self.credential_file.describe(),
        ]
    }
}

/// Both halves, one half (an error naming the missing one), or neither.
fn complete_pair(
    public_key: Option<&str>,
    private_key: Option<&SecretString>,
    path: &Path,
    profile: &str,
) -> Result<Option<KeyPair>, ConfigError> {
    let public_key = non_empty(public_key.map(str::trim));
    let missing = |field| ConfigError::MissingField {
        path: path.to_path_buf(),
        profile: profile.to_string(),
        field,
    };
    match (public_key, private_key) {
        (Some(public_key), Some(private_key)) => Ok(Some(KeyPair {
            public_key: public_key.to_string(),
            private_key: SecretString::from(private_key.expose_secret()),
            source: path.display().to_string(),
        })),
        (Some(_), None) => Err(missing("private_key")),
        (None, Some(_)) => Err(missing("public_key")),
        (None, None) => Ok(None),
    }
}

fn base_url(
    overrides: &Overrides,
    env: &Environment,
    paths: &Paths,
    profile: &str,
    own: Option<&ProfileSettings>,
    cli: Option<&CliProfileConfig>,
    cli_config_file: &SharedFile,
) -> Result<String, ConfigError> {
    let candidates = [
        (
            non_empty(overrides.base_url.as_deref()),
            "--base-url".to_string(),
        ),
        (env.get(BASE_URL_VAR), BASE_URL_VAR.to_string()),
        (
            own.and_then(|p| non_empty(p.base_url.as_deref())),
            format!("[profiles.{profile}] in {}", paths.config_file().display()),
        ),
        (
            cli.and_then(|c| non_empty(c.base_url.as_deref())),
            format!("profile `{profile}` in {}", cli_config_file.describe()),
        ),
    ];
    let (url, origin) = candidates
        .into_iter()
        .find_map(|(url, origin)| url.map(|url| (url, origin)))
        .unwrap_or((DEFAULT_BASE_URL, "the built-in default".into()));
    base_url::checked_base_url(url, &origin)
}

fn timeout(
    env: &Environment,
    own: Option<&ProfileSettings>,
    cli: Option<&CliProfileConfig>,
    cli_config_file: &SharedFile,
) -> Result<Duration, ConfigError> {
    if let Some(text) = env.get(TIMEOUT_VAR) {
        return match text.trim().parse::<u64>() {
            Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
            _ => Err(ConfigError::InvalidValue {
                name: TIMEOUT_VAR.into(),
                detail: format!("`{text}` is not a positive whole number of seconds; set e.g. 15"),
            }),
        };
    }
    if let Some(seconds) = own.and_then(|p| p.timeout_sec) {
        return Ok(Duration::from_secs(seconds));
    }
    match cli.and_then(|c| c.timeout_sec) {
        Some(0) => Err(ConfigError::InvalidValue {
            name: format!("timeout_sec in {}", cli_config_file.describe()),
            detail: "0 would fail every request; use a number of seconds such as 15".into(),
        }),
        Some(seconds) => Ok(Duration::from_secs(seconds)),
        None => Ok(DEFAULT_TIMEOUT),
    }
}

/// The profile the UCloud CLI marks `active: true`.
fn active_cli_profile(entries: &[CliProfileConfig]) -> Option<String> {
    entries
        .iter()
        .find(|entry| entry.active && !entry.profile.is_empty())
        .map(|entry| entry.profile.clone())
}

fn first_set(first: Option<&str>, second: Option<&str>, third: Option<&str>) -> Option<String> {
    [first, second, third]
        .into_iter()
        .find_map(non_empty)
        .map(str::to_string)
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}
