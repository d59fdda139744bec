//! End to end: the real `ucam` binary in a pseudo-terminal against a real
//! `ucam sandbox` process. Filters to a user, edits the email and MFA
//! requirement through the form, confirms, and checks both the screen and the
//! sandbox's new state.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use secrecy::SecretString;
use ucam::api::{Client, ClientConfig, RetryPolicy};

const ROWS: u16 = 40;
const COLS: u16 = 120;
const DEADLINE: Duration = Duration::from_secs(20);

/// A `ucam sandbox` child process, killed when dropped.
struct SandboxProcess {
    child: Child,
    base_url: String,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox(state: &std::path::Path, data: &std::path::Path) -> SandboxProcess {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ucam"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .env("UCAM_DATA_DIR", data)
        .env("UCAM_CONFIG_DIR", data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ucam sandbox");
    let stdout = child.stdout.take().expect("sandbox stdout");
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("read the sandbox's first line");
    let base_url = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();
    SandboxProcess { child, base_url }
}

fn sandbox_client(base_url: &str) -> Client {
    Client::new(ClientConfig {
        base_url: base_url.to_owned(),
        public_key: ucam::sandbox::DEFAULT_PUBLIC_KEY.to_owned(),
        private_key: SecretString::from(ucam::sandbox::DEFAULT_PRIVATE_KEY),
        project_id: None,
        region: None,
        timeout: Duration::from_secs(5),
        retry: RetryPolicy::none(),
    })
    .expect("client")
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a non-zero terminal size")
}

/// The terminal as the user sees it, kept up to date by a reader thread.
struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Screen {
    fn contents(&self) -> String {
        self.parser.lock().expect("screen lock").screen().contents()
    }

    /// Waits until the screen shows `text`, or fails with what it shows.
    fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let contents = self.contents();
            if contents.contains(text) {
                return contents;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "screen never showed {text:?}; it shows:\n{contents}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

#[test]
fn edit_email_and_mfa_through_the_form() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = start_sandbox(&dir.path().join("state.json"), dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = sandbox_client(&sandbox.base_url);

    // Pick a user whose MFA requirement is off, so the toggle turns it on.
    let users = runtime
        .block_on(client.list_all_users())
        .expect("list users");
    let target = users
        .iter()
        .filter(|user| user.user_name.is_ascii())
        .find(|user| {
            let profile = runtime.block_on(client.get_login_profile(&user.user_name));
            profile.is_ok_and(|profile| !profile.mfa_bind_required)
        })
        .expect("a user without MFA required")
        .clone();
    let new_email = "e2e.changed@example.org";

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_ucam"));
    command.env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY);
    command.env("UCLOUD_PRIVATE_KEY", ucam::sandbox::DEFAULT_PRIVATE_KEY);
    command.env("UCLOUD_API_BASE_URL", &sandbox.base_url);
    command.env("UCAM_DATA_DIR", dir.path());
    command.env("UCAM_CONFIG_DIR", dir.path());
    command.env("HOME", dir.path());
    command.env("TERM", "xterm-256color");
    let mut ucam = pty.slave.spawn_command(command).expect("spawn ucam");
    drop(pty.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        nonzero(ROWS),
        nonzero(COLS),
        0,
    )));
    let mut reader = pty.master.try_clone_reader().expect("pty reader");
    let feed = Arc::clone(&parser);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(read) = reader.read(&mut buffer) {
            if read == 0 {
                break;
            }
            if let Ok(mut parser) = feed.lock() {
                parser.process(&buffer[..read]);
            }
        }
    });
    let screen = Screen { parser };
    let mut keys = pty.master.take_writer().expect("pty writer");
    let mut press = |bytes: &[u8]| {
        keys.write_all(bytes).expect("type into the pty");
        keys.flush().expect("flush the pty");
        // One key per read, as a person types: the app sees separate events.
        std::thread::sleep(Duration::from_millis(30));
    };

    screen.wait_for(&target.user_name);
    press(b"/");
    for byte in target.user_name.bytes() {
        press(&[byte]);
    }
    press(b"\r");
    screen.wait_for(&target.user_name);

    press(b"e");
    screen.wait_for("Max password age");
    press(b"\t"); // Status -> Email
    press(&[0x15]); // Ctrl-u clears the field
    for byte in new_email.bytes() {
        press(&[byte]);
    }
    press(b"\t"); // -> Password
    press(b"\t"); // -> Max password age
    press(b"\t"); // -> MFA required
    press(b" "); // toggle on
    press(&[0x13]); // Ctrl-s opens the confirm dialog
    let confirm = screen.wait_for(new_email);
    assert!(
        confirm.contains(&target.email) || target.email.is_empty(),
        "{confirm}"
    );
    press(b"y");
    let after = screen.wait_for("request id");
    assert!(after.contains(&target.user_name), "{after}");

    let updated = runtime
        .block_on(client.get_user(&target.user_name))
        .expect("get user");
    let profile = runtime
        .block_on(client.get_login_profile(&target.user_name))
        .expect("get login profile");
    assert_eq!(updated.email, new_email);
    assert!(profile.mfa_bind_required);

    press(b"q");
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = ucam.try_wait() {
            assert!(status.success(), "ucam exited with {status:?}");
            break;
        }
        assert!(started.elapsed() < DEADLINE, "ucam did not quit on q");
        std::thread::sleep(Duration::from_millis(25));
    }
}
