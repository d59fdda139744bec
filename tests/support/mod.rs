//! Shared helpers for the tests that run the real `ucam` binary: an isolated
//! home and data directory per test, and a way to run ucam in it.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub const PUBLIC_KEY: &str = "test-public-key";
pub const PRIVATE_KEY: &str = "test-private-key-0123456789";

/// A throwaway HOME, config dir and data dir; ucam never sees the real home.
pub struct TestHome {
    pub dir: TempDir,
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHome {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `ucam` with only this test's directories and no inherited credentials.
    pub fn ucam(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ucam"));
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("UCLOUD_") || name.starts_with("UCAM_") || name == "TMUX" {
                command.env_remove(name);
            }
        }
        command
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env("UCAM_CONFIG_DIR", self.config_dir())
            .env("UCAM_DATA_DIR", self.data_dir())
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null());
        command
    }

    /// `ucam` signed with the test key pair against `base_url`.
    pub fn ucam_with_account(&self, base_url: &str) -> Command {
        let mut command = self.ucam();
        command
            .env("UCLOUD_PUBLIC_KEY", PUBLIC_KEY)
            .env("UCLOUD_PRIVATE_KEY", PRIVATE_KEY)
            .env("UCLOUD_API_BASE_URL", base_url);
        command
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Everything ucam wrote under the data dir, for secret scans.
    pub fn data_files_text(&self) -> String {
        let mut text = String::new();
        let mut stack = vec![self.data_dir()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
                }
            }
        }
        text
    }
}

/// Runs a command to completion, feeding `stdin` when given.
pub fn run(command: &mut Command, stdin: Option<&str>) -> Output {
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it is wrong.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}
