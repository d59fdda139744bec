//! The UCloud CLI's shared files, `~/.ucloud/config.json` and
//! `~/.ucloud/credential.json`: JSON arrays of per-profile objects. Fields
//! ucam does not use (`zone`, `cookie`, ...) are ignored.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::files::{json_error, optional_secret, read_optional};
use super::{ConfigError, Environment};

/// Names the CLI's config file instead of `~/.ucloud/config.json`.
pub const SHARED_CONFIG_FILE_VAR: &str = "UCLOUD_SHARED_CONFIG_FILE";

/// Names the CLI's credential file instead of `~/.ucloud/credential.json`.
pub const SHARED_CREDENTIAL_FILE_VAR: &str = "UCLOUD_SHARED_CREDENTIAL_FILE";

/// One object of `config.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CliProfileConfig {
    pub profile: String,
    pub active: bool,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub base_url: Option<String>,
    pub timeout_sec: Option<u64>,
}

/// One object of `credential.json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CliCredential {
    pub profile: String,
    pub public_key: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub private_key: Option<SecretString>,
}

/// Where one of the shared files is, and whether a variable named it.
#[derive(Clone, Debug)]
pub(super) struct SharedFile {
    pub path: Option<PathBuf>,
    /// The variable that named the file; a named file must exist.
    pub named_by: Option<&'static str>,
}

impl SharedFile {
    /// The file named by `variable`, else `~/.ucloud/NAME`.
    pub fn locate(
        env: &Environment,
        variable: &'static str,
        home: Option<&Path>,
        name: &str,
    ) -> Self {
        match env.get(variable) {
            Some(path) => Self {
                path: Some(PathBuf::from(path)),
                named_by: Some(variable),
            },
            None => Self {
                path: home.map(|home| home.join(".ucloud").join(name)),
                named_by: None,
            },
        }
    }

    /// The entries of the file; none when it is absent and not named.
    pub fn entries<T: DeserializeOwned>(&self) -> Result<Vec<T>, ConfigError> {
        let Some(path) = &self.path else {
            return Ok(Vec::new());
        };
        let Some(text) = read_optional(path)? else {
            return match self.named_by {
                Some(variable) => Err(ConfigError::MissingFile {
                    path: path.clone(),
                    variable,
                }),
                None => Ok(Vec::new()),
            };
        };
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&text).map_err(|error| json_error(path, &error))
    }

    /// The path for messages, or what it would be.
    pub fn describe(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => "~/.ucloud/ (no home directory found)".into(),
        }
    }
}
