//! Where ucam keeps its files: the config file, the log, the audit file, the
//! sandbox state and batch journals, under the platform dirs from `directories`.

use std::path::PathBuf;

/// The directories ucam reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// Holds `config.toml`.
    pub config_dir: PathBuf,
    /// Holds the log, `audit.jsonl`, the sandbox state and batch journals.
    pub data_dir: PathBuf,
    /// The home directory, for `~/.ucloud/`.
    pub home_dir: Option<PathBuf>,
}

impl Paths {
    /// The platform directories (`ProjectDirs::from("", "", "ucam")`), with
    /// `UCAM_CONFIG_DIR` and `UCAM_DATA_DIR` overriding them when set.
    pub fn discover() -> Option<Self> {
        todo!()
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("ucam.log")
    }

    pub fn audit_file(&self) -> PathBuf {
        self.data_dir.join("audit.jsonl")
    }

    pub fn sandbox_state_file(&self) -> PathBuf {
        self.data_dir.join("sandbox-state.json")
    }

    pub fn journal_dir(&self) -> PathBuf {
        self.data_dir.join("journals")
    }
}
