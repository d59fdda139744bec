//! Leak test: every command and a TUI session run with `RUST_LOG=trace` and
//! known secrets (a distinctive sandbox private key, known passwords), then
//! the log files, audit file, journals, sandbox state files, stdout, stderr
//! and the terminal output are searched for each secret, plain and
//! form-url-encoded. Generated passwords are printed once by design: each
//! must appear exactly there and nowhere else.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use portable_pty::CommandBuilder;
use serde_json::Value;

use support::pty::PtySession;
use support::{SandboxProcess, TestHome, assert_exit, run, stdout};

const PRIVATE_KEY: &str = "Canary-Private-Key-9f27c1e4b8";
const STDIN_PASSWORD: &str = "Stdin&Pw=Leak+41 x";
const BATCH_PASSWORD: &str = "Batch%Pw/Leak?52";
const DRY_RUN_PASSWORD: &str = "DryRun#Pw&Leak63";
const SANDBOX_FLAG_PASSWORD: &str = "Flag!Pw=Leak 74z";
const TUI_PASSWORD: &str = "Tui&Form=Leak+85q";

/// `ucam` at trace level, signed with the canary key against the sandbox.
fn ucam(home: &TestHome, base_url: &str) -> Command {
    let mut command = home.ucam();
    command
        .env("RUST_LOG", "trace")
        .env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY)
        .env("UCLOUD_PRIVATE_KEY", PRIVATE_KEY)
        .env("UCLOUD_API_BASE_URL", base_url);
    command
}

/// A secret in the forms it could take on the way out.
fn forms_of(secret: &str) -> Vec<String> {
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = encoded.replace('+', "%20");
    let mut forms = vec![secret.to_owned(), encoded, percent];
    forms.dedup();
    forms
}

fn hits(text: &str, secret: &str) -> usize {
    forms_of(secret)
        .iter()
        .map(|form| text.matches(form.as_str()).count())
        .sum()
}

fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                files.push((path, text));
            }
        }
    }
    files
}

/// The generated password a JSON command printed.
fn generated_password(output: &Output) -> String {
    let line = stdout(output);
    let json: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    json["password"].as_str().unwrap().to_owned()
}

/// A TUI session in a pty: filter to the user, type `TUI_PASSWORD` into the
/// form's Password field, confirm, wait for the answer, quit. Returns every
/// byte the TUI wrote to the terminal.
fn tui_session(home: &TestHome, base_url: &str, user: &str) -> String {
    std::fs::create_dir_all(home.home()).unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_ucam"));
    command.env_clear();
    command.cwd(home.home());
    command.env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY);
    command.env("UCLOUD_PRIVATE_KEY", PRIVATE_KEY);
    command.env("UCLOUD_API_BASE_URL", base_url);
    command.env("UCAM_DATA_DIR", home.data_dir());
    command.env("UCAM_CONFIG_DIR", home.config_dir());
    command.env("HOME", home.home());
    command.env("TERM", "xterm-256color");
    command.env("RUST_LOG", "trace");
    let mut tui = PtySession::spawn(command, 120, 40);

    tui.wait_for(user);
    tui.press(b"/");
    tui.type_text(user);
    tui.press(b"\r");
    tui.press(b"e");
    tui.wait_for("Max password age");
    tui.press(b"\t"); // -> Email
    tui.press(b"\t"); // -> Password
    tui.type_text(TUI_PASSWORD);
    tui.press(&[0x13]); // Ctrl-s
    tui.press(b"y");
    tui.wait_for("request id");
    tui.press(b"q");
    let (code, bytes) = tui.finish();
    assert_eq!(code, 0, "the TUI did not quit cleanly");
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn no_secret_reaches_a_log_audit_journal_state_or_output() {
    let home = TestHome::new();
    let sandbox_data = home.dir.path().join("sandbox-process");
    let sandbox = SandboxProcess::start(
        &sandbox_data,
        &[
            ("UCAM_SANDBOX_PRIVATE_KEY", PRIVATE_KEY),
            ("RUST_LOG", "trace"),
        ],
    );
    let base = sandbox.base_url.clone();

    let mut outputs: Vec<(&str, Output)> = Vec::new();
    let mut step = |name: &'static str, command: &mut Command, stdin: Option<&str>, code| {
        let output = run(command, stdin);
        assert_exit(&output, code);
        outputs.push((name, output));
    };

    step(
        "users list",
        ucam(&home, &base).args(["users", "list"]),
        None,
        0,
    );
    step(
        "profile get",
        ucam(&home, &base).args(["profile", "get", "zhang.wei", "-o", "json"]),
        None,
        0,
    );
    step(
        "profile set stdin",
        ucam(&home, &base).args(["profile", "set", "li.na", "--password-stdin"]),
        Some(&format!("{STDIN_PASSWORD}\n")),
        0,
    );
    step(
        "profile set generated",
        ucam(&home, &base).args([
            "profile",
            "set",
            "wang.fang",
            "--generate-password",
            "-o",
            "json",
        ]),
        None,
        0,
    );
    step(
        "reset-password",
        ucam(&home, &base).args(["reset-password", "chen.jing", "-o", "json"]),
        None,
        0,
    );
    step(
        "dry run",
        ucam(&home, &base).args([
            "profile",
            "set",
            "liu.yang",
            "--password-stdin",
            "--dry-run",
            "-o",
            "json",
        ]),
        Some(&format!("{DRY_RUN_PASSWORD}\n")),
        0,
    );
    let batch_file = home.write(
        "secrets.jsonl",
        &format!(
            "{{\"user\":\"zhao.lei\",\"password\":\"{BATCH_PASSWORD}\"}}\n\
             {{\"user\":\"huang.xiuying\",\"generate_password\":true}}\n"
        ),
    );
    step(
        "batch",
        ucam(&home, &base)
            .arg("batch")
            .arg(&batch_file)
            .args(["-o", "json"]),
        None,
        0,
    );
    step(
        "--sandbox",
        home.ucam()
            .env("RUST_LOG", "trace")
            .env("UCAM_SANDBOX_PRIVATE_KEY", PRIVATE_KEY)
            .args([
                "--sandbox",
                "profile",
                "set",
                "sato.haruto",
                "--password-stdin",
            ]),
        Some(&format!("{SANDBOX_FLAG_PASSWORD}\n")),
        0,
    );
    let tui_output = tui_session(&home, &base, "suzuki.yui");
    drop(sandbox);

    // The generated passwords, each from the one place it was printed.
    let batch_out = stdout(&outputs[6].1);
    let batch_generated = batch_out
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|row| row["password"].as_str().map(str::to_owned))
        .expect("the batch printed the generated password");
    let generated = [
        ("profile set generated", generated_password(&outputs[3].1)),
        ("reset-password", generated_password(&outputs[4].1)),
        ("batch", batch_generated),
    ];

    // Everything written anywhere, by where it was written.
    let mut places: Vec<(String, String)> = Vec::new();
    for (name, output) in &outputs {
        places.push((format!("{name}: stdout"), stdout(output)));
        places.push((
            format!("{name}: stderr"),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    places.push(("TUI terminal output".into(), tui_output));
    for dir in [home.data_dir(), sandbox_data] {
        for (path, text) in files_under(&dir) {
            places.push((path.display().to_string(), text));
        }
    }
    let log = std::fs::read_to_string(home.data_dir().join("ucam.log")).unwrap();
    assert!(log.contains("TRACE"), "the log ran at trace level");
    let audit = std::fs::read_to_string(home.data_dir().join("audit.jsonl")).unwrap();
    assert_eq!(
        audit.lines().count(),
        7,
        "one audit line per submit:\n{audit}"
    );

    let mut leaks = Vec::new();
    let fixed = [
        PRIVATE_KEY,
        STDIN_PASSWORD,
        BATCH_PASSWORD,
        DRY_RUN_PASSWORD,
        SANDBOX_FLAG_PASSWORD,
        TUI_PASSWORD,
    ];
    for (place, text) in &places {
        for secret in fixed {
            if hits(text, secret) > 0 {
                leaks.push(format!("{secret:?} in {place}"));
            }
        }
        for (printed_by, password) in &generated {
            let expected = usize::from(*place == format!("{printed_by}: stdout"));
            let found = hits(text, password);
            if found != expected {
                leaks.push(format!(
                    "generated password of {printed_by} found {found} time(s) in {place}"
                ));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}
