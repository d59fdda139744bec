//! The command line where it meets a terminal: the no-echo password prompt,
//! copying a generated password with OSC 52, and Ctrl-C. Each runs the real
//! binary in a pseudo-terminal against a sandbox.

mod support;

use base64::Engine as _;
use portable_pty::CommandBuilder;
use support::pty::{PtySession, ucam_command};
use support::{TestHome, TestSandbox};
use ucam::sandbox::password_hash::PasswordRecord;

/// `ucam ARGS` signed for the sandbox.
fn account_command(home: &TestHome, sandbox: &TestSandbox, args: &[&str]) -> CommandBuilder {
    let mut command = ucam_command(home.dir.path(), args);
    command.env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY);
    command.env("UCLOUD_PRIVATE_KEY", ucam::sandbox::DEFAULT_PRIVATE_KEY);
    command.env("UCLOUD_API_BASE_URL", &sandbox.base_url);
    command
}

fn ucam_for(home: &TestHome, sandbox: &TestSandbox, args: &[&str]) -> PtySession {
    PtySession::spawn(account_command(home, sandbox, args), 100, 30)
}

fn stored_password(sandbox: &TestSandbox, user: &str) -> Option<PasswordRecord> {
    let stored = sandbox.stored_user(user);
    serde_json::from_value(stored["Password"].clone()).ok()
}

#[test]
fn password_stdin_on_a_terminal_asks_twice_without_echo() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let password = "Tty-Typed-9pass";
    let mut ucam = ucam_for(
        &home,
        &sandbox,
        &["profile", "set", "li.na", "--password-stdin"],
    );

    ucam.wait_for("New password:");
    ucam.type_text(password);
    ucam.press(b"\r");
    ucam.wait_for("Repeat the new password:");
    ucam.type_text(password);
    ucam.press(b"\r");
    let screen = ucam.wait_for("updated li.na");

    let (code, raw) = ucam.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Password"), "{screen}");
    let raw = String::from_utf8_lossy(&raw);
    assert!(!raw.contains(password), "the password was echoed:\n{raw}");
    let record = stored_password(&sandbox, "li.na").expect("a password record");
    assert!(
        record.matches(password),
        "the sandbox did not get the typed password"
    );
}

#[test]
fn two_different_passwords_at_the_prompt_send_nothing() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = stored_password(&sandbox, "li.na");
    let mut ucam = ucam_for(
        &home,
        &sandbox,
        &["profile", "set", "li.na", "--password-stdin"],
    );

    ucam.wait_for("New password:");
    ucam.type_text("First-pass-123");
    ucam.press(b"\r");
    ucam.wait_for("Repeat the new password:");
    ucam.type_text("Other-pass-456");
    ucam.press(b"\r");
    let screen = ucam.wait_for("differ");

    let (code, _) = ucam.finish();
    assert_eq!(code, 2, "{screen}");
    assert_eq!(stored_password(&sandbox, "li.na"), before);
}

#[test]
fn reset_password_copy_puts_it_on_the_clipboard_and_not_on_screen() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let mut ucam = ucam_for(&home, &sandbox, &["reset-password", "li.na", "--copy"]);

    let (code, raw) = ucam.finish();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    assert_eq!(code, 0, "{raw}");

    let start = raw.find("\x1b]52;c;").expect("an OSC 52 sequence") + "\x1b]52;c;".len();
    let end = start + raw[start..].find('\x07').expect("the sequence's end");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .expect("base64 in the sequence");
    let password = String::from_utf8(decoded).expect("a UTF-8 password");
    assert_eq!(password.chars().count(), 20);
    assert_eq!(raw.matches(&password).count(), 0, "printed in plain text");
    let record = stored_password(&sandbox, "li.na").expect("a password record");
    assert!(
        record.matches(&password),
        "the copied password is not the one set"
    );
    assert_eq!(
        sandbox.stored_user("li.na")["LoginProfile"]["PasswordResetRequired"],
        true
    );
}

#[test]
fn ctrl_c_interrupts_a_command_with_exit_130() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start_with(&home, |options| {
        options.latency = std::time::Duration::from_secs(30);
    });
    let mut command = account_command(&home, &sandbox, &["users", "list"]);
    command.env("RUST_LOG", "ucam=debug");
    let mut ucam = PtySession::spawn(command, 100, 30);

    // Once the request is logged as sent, ucam is waiting on the network.
    let log = home.dir.path().join("data").join("ucam.log");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|text| text.contains("ListUsers")) {
        assert!(
            started.elapsed() < support::pty::DEADLINE,
            "ucam never sent ListUsers"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The terminal turns Ctrl-C into SIGINT for the foreground process.
    ucam.press(&[0x03]);

    let (code, _) = ucam.finish();
    assert_eq!(code, 130);
}

#[test]
fn batch_progress_shows_on_a_terminal_and_nowhere_else() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let rows = "{\"user\":\"li.na\",\"mfa_required\":true}\n\
                {\"user\":\"zhang.wei\",\"max_password_age\":30}\n\
                {\"user\":\"wang.fang\",\"status\":\"Active\"}\n";
    let on_terminal = home.write("tty.jsonl", rows);
    let piped = home.write("piped.jsonl", &rows.replace("true", "false"));

    let path = on_terminal.to_string_lossy().into_owned();
    let mut ucam = ucam_for(&home, &sandbox, &["batch", &path]);
    let (code, raw) = ucam.finish();
    let raw = String::from_utf8_lossy(&raw);
    assert_eq!(code, 0, "{raw}");
    for progress in ["0/3 done", "1/3 done", "2/3 done", "3/3 done"] {
        assert!(raw.contains(progress), "no {progress:?} in:\n{raw}");
    }
    // The progress line is cleared before each result line and at the end.
    assert!(!ucam.screen().contains("/3 done"), "{}", ucam.screen());

    let output = support::run(home.ucam_for(&sandbox).arg("batch").arg(&piped), None);
    support::assert_exit(&output, 0);
    let stderr = support::stderr(&output);
    assert!(!stderr.contains("/3 done"), "progress on a pipe: {stderr}");
    assert!(
        !stderr.contains('\r'),
        "carriage returns on a pipe: {stderr:?}"
    );
}
