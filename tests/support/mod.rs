//! Shared helpers for the tests that run the real `ucam` binary: an isolated
//! home and data directory per test, and a way to run ucam in it.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub mod pty;

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

/// A sandbox served in this test process on a free port, with its state in
/// the test's data dir. Stopped (and saved) when dropped.
pub struct TestSandbox {
    runtime: tokio::runtime::Runtime,
    running: Option<ucam::sandbox::RunningSandbox>,
    pub base_url: String,
    pub state_file: PathBuf,
}

impl TestSandbox {
    pub fn start(home: &TestHome) -> Self {
        Self::start_with(home, |_| {})
    }

    pub fn start_with(
        home: &TestHome,
        adjust: impl FnOnce(&mut ucam::sandbox::SandboxOptions),
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let state_file = home.dir.path().join("test-sandbox-state.json");
        let mut options = ucam::sandbox::SandboxOptions {
            state_file: Some(state_file.clone()),
            ..Default::default()
        };
        adjust(&mut options);
        let running = runtime.block_on(ucam::sandbox::start(options)).unwrap();
        Self {
            base_url: running.base_url(),
            running: Some(running),
            runtime,
            state_file,
        }
    }

    /// The saved state (written after every acknowledged change).
    pub fn state_text(&self) -> String {
        std::fs::read_to_string(&self.state_file).unwrap()
    }

    /// One user's stored record, by name.
    pub fn stored_user(&self, name: &str) -> serde_json::Value {
        let state: serde_json::Value = serde_json::from_str(&self.state_text()).unwrap();
        state["Users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|user| user["UserName"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no user {name} in the sandbox state"))
    }
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = self.runtime.block_on(running.shutdown());
        }
    }
}

impl TestHome {
    /// `ucam` signed with the sandbox's default key pair.
    pub fn ucam_for(&self, sandbox: &TestSandbox) -> Command {
        let mut command = self.ucam();
        command
            .env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY)
            .env("UCLOUD_PRIVATE_KEY", ucam::sandbox::DEFAULT_PRIVATE_KEY)
            .env("UCLOUD_API_BASE_URL", &sandbox.base_url);
        command
    }
}

/// A `ucam sandbox` child process, killed when dropped.
pub struct SandboxProcess {
    child: std::process::Child,
    pub base_url: String,
}

impl SandboxProcess {
    /// Starts `ucam sandbox` on a free loopback port with its state and
    /// files in `dir`, plus the given environment, and reads its address
    /// from the first line.
    pub fn start(dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;

        let mut command = Command::new(env!("CARGO_BIN_EXE_ucam"));
        command
            .args(["sandbox", "--listen", "127.0.0.1:0", "--state"])
            .arg(dir.join("sandbox-process-state.json"))
            .env("UCAM_DATA_DIR", dir)
            .env("UCAM_CONFIG_DIR", dir)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("spawn ucam sandbox");
        let mut first_line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("sandbox stdout"))
            .read_line(&mut first_line)
            .expect("read the sandbox's first line");
        let base_url = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        Self { child, base_url }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
