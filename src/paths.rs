//! Where ucam keeps its files: the config file, the log, the audit file, the
//! sandbox state and batch journals, under the platform dirs from `directories`.
//!
//! Two environment variables move them, for tests, containers and portable
//! installs:
//! - `UCAM_CONFIG_DIR`: the directory holding `config.toml`;
//! - `UCAM_DATA_DIR`: the directory holding the log, `audit.jsonl`, the
//!   sandbox state and batch journals.

use std::io;
use std::path::{Path, PathBuf};

/// Names the directory holding `config.toml`, overriding the platform one.
pub const CONFIG_DIR_VAR: &str = "UCAM_CONFIG_DIR";

/// Names the directory holding ucam's data files, overriding the platform one.
pub const DATA_DIR_VAR: &str = "UCAM_DATA_DIR";

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
    ///
    /// `None` when the platform has no home directory and the variables do not
    /// name both directories.
    pub fn discover() -> Option<Self> {
        Self::discover_with(|name| std::env::var_os(name).map(PathBuf::from))
    }

    /// [`Paths::discover`] reading the variables through `lookup`, so tests
    /// need not touch the process environment.
    pub fn discover_with(lookup: impl Fn(&str) -> Option<PathBuf>) -> Option<Self> {
        let project = directories::ProjectDirs::from("", "", "ucam");
        let home_dir = directories::BaseDirs::new().map(|base| base.home_dir().to_path_buf());
        let overridden = |name: &str| lookup(name).filter(|dir| !dir.as_os_str().is_empty());

        let config_dir = overridden(CONFIG_DIR_VAR)
            .or_else(|| project.as_ref().map(|p| p.config_dir().to_path_buf()))?;
        let data_dir = overridden(DATA_DIR_VAR)
            .or_else(|| project.as_ref().map(|p| p.data_dir().to_path_buf()))?;

        Some(Self {
            config_dir,
            data_dir,
            home_dir,
        })
    }

    /// Every directory under one root (`ROOT/config`, `ROOT/data`,
    /// `ROOT/home`): for tests and throw-away sandboxes.
    pub fn under(root: &Path) -> Self {
        Self {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
            home_dir: Some(root.join("home")),
        }
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

    /// Creates the data directory if missing, readable by the owner only on
    /// unix (it holds the audit trail and logs). An existing directory keeps
    /// its mode: it may be one the operator chose and shares on purpose.
    pub fn ensure_data_dir(&self) -> io::Result<&Path> {
        create_private_dir(&self.data_dir)?;
        Ok(&self.data_dir)
    }
}

/// Creates `dir` and its missing parents, mode 0700 on unix.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_platform_dirs() {
        let paths = Paths::discover_with(|name| match name {
            CONFIG_DIR_VAR => Some(PathBuf::from("/tmp/ucam-conf")),
            DATA_DIR_VAR => Some(PathBuf::from("/tmp/ucam-data")),
            _ => None,
        })
        .unwrap();
        assert_eq!(paths.config_file(), Path::new("/tmp/ucam-conf/config.toml"));
        assert_eq!(paths.audit_file(), Path::new("/tmp/ucam-data/audit.jsonl"));
        assert_eq!(paths.journal_dir(), Path::new("/tmp/ucam-data/journals"));
    }

    #[test]
    fn empty_variables_are_ignored() {
        let Some(platform) = Paths::discover_with(|_| None) else {
            return; // No home directory on this machine: nothing to compare.
        };
        let paths = Paths::discover_with(|_| Some(PathBuf::new())).unwrap();
        assert_eq!(paths, platform);
        assert!(platform.config_dir.ends_with("ucam"));
    }

    #[test]
    fn data_dir_is_created_private() {
        let root = tempfile::tempdir().unwrap();
        let paths = Paths::under(root.path());
        let created = paths.ensure_data_dir().unwrap();
        assert!(created.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(created).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        // A second call finds it there and succeeds.
        paths.ensure_data_dir().unwrap();
    }
}
