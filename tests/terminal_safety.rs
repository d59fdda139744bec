//! The terminal is given back in working order however ucam ends: quit,
//! SIGTERM, SIGHUP, SIGINT, or a panic (which also says where the log is).

mod support;

use support::pty::{PtySession, ucam_command};

const ENTER_ALTERNATE_SCREEN: &str = "\x1b[?1049h";
const LEAVE_ALTERNATE_SCREEN: &str = "\x1b[?1049l";

/// The alternate screen was left after it was last entered.
fn left_alternate_screen(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw);
    match (
        text.rfind(ENTER_ALTERNATE_SCREEN),
        text.rfind(LEAVE_ALTERNATE_SCREEN),
    ) {
        (Some(entered), Some(left)) => left > entered,
        _ => false,
    }
}

#[test]
fn quitting_and_signals_restore_the_terminal() {
    let endings: [(&str, Option<i32>); 4] = [
        ("q", None),
        ("SIGTERM", Some(libc::SIGTERM)),
        ("SIGHUP", Some(libc::SIGHUP)),
        ("SIGINT", Some(libc::SIGINT)),
    ];
    for (ending, signal) in endings {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ucam = PtySession::spawn(ucam_command(dir.path(), &["--sandbox"]), 100, 30);
        ucam.wait_for("admin.ops");
        assert!(
            !ucam.terminal_is_cooked(),
            "{ending}: the TUI runs in raw mode"
        );

        match signal {
            None => ucam.press(b"q"),
            Some(signal) => {
                let pid = libc::pid_t::try_from(ucam.process_id()).expect("a pid");
                // SAFETY: sending a signal to the child this test started.
                assert_eq!(
                    unsafe { libc::kill(pid, signal) },
                    0,
                    "{ending}: kill failed"
                );
            }
        }

        let (_, raw) = ucam.finish();
        assert!(
            left_alternate_screen(&raw),
            "{ending}: alternate screen not left"
        );
        assert!(ucam.terminal_is_cooked(), "{ending}: raw mode left on");
    }
}

/// Set in the child copy of this test binary that is meant to crash.
const CRASH_CHILD: &str = "UCAM_TEST_CRASH_CHILD";

#[test]
fn a_panic_restores_the_terminal_and_says_where_the_log_is() {
    if let Ok(log_file) = std::env::var(CRASH_CHILD) {
        // The child: set up as `ucam` does, then crash with the TUI up.
        ucam::crash::install_panic_report(log_file.into());
        let _terminal = ratatui::init();
        panic!("a deliberate crash for the test");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let log_file = dir.path().join("ucam.log");
    let test_binary = std::env::current_exe().expect("this test's binary");
    let mut child = portable_pty::CommandBuilder::new(test_binary);
    child.args([
        "a_panic_restores_the_terminal_and_says_where_the_log_is",
        "--exact",
        "--nocapture",
    ]);
    child.env(CRASH_CHILD, &log_file);
    child.env("TERM", "xterm-256color");
    let mut crashed = PtySession::spawn(child, 100, 30);

    let (code, raw) = crashed.finish();
    let text = String::from_utf8_lossy(&raw);
    assert_ne!(code, 0, "the child was meant to crash");
    assert!(
        left_alternate_screen(&raw),
        "alternate screen not left:\n{text}"
    );
    assert!(crashed.terminal_is_cooked(), "raw mode left on");
    let message = ucam::crash::crash_message(&log_file);
    let restored_at = text.rfind(LEAVE_ALTERNATE_SCREEN).unwrap_or(0);
    let said_at = text
        .find(&message)
        .unwrap_or_else(|| panic!("no crash message in:\n{text}"));
    assert!(
        said_at > restored_at,
        "the message was printed on the TUI's screen"
    );
}
