//! A `ucam profile set` killed with SIGKILL while its request is in flight
//! loses nothing: the sandbox state stays valid JSON, the user's login
//! profile is either wholly old or wholly new, and running the command again
//! applies it. (Killing a batch mid-way is covered in `cli_batch.rs`.)

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use support::{TestHome, TestSandbox, assert_exit, run};

const USER: &str = "admin.ops";

fn profile_set(home: &TestHome, sandbox: &TestSandbox) -> std::process::Command {
    let mut command = home.ucam_for(sandbox);
    command.args([
        "profile",
        "set",
        USER,
        "--status",
        "Inactive",
        "--max-password-age",
        "33",
        "--mfa-required",
        "false",
        "--reset-required",
        "true",
    ]);
    command
}

fn login_profile(state_file: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(state_file).unwrap();
    let state: Value = serde_json::from_str(&text).expect("the state file is valid JSON");
    state["Users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["UserName"] == USER)
        .unwrap()["LoginProfile"]
        .clone()
}

#[test]
fn an_update_killed_in_flight_is_all_or_nothing_and_a_rerun_applies_it() {
    let home = TestHome::new();
    let new = json!({
        "Status": "Inactive",
        "MaxPasswordAge": 33,
        "MFABindRequired": false,
        "PasswordResetRequired": true,
    });

    let slow = TestSandbox::start_with(&home, |options| {
        options.latency = Duration::from_millis(1500);
    });
    let state_file = slow.state_file.clone();
    let old = login_profile(&state_file);
    assert_ne!(old, new);

    let mut child = profile_set(&home, &slow)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The client logs "sending" just before the request goes out.
    let log_file = home.data_dir().join("ucam.log");
    let started = Instant::now();
    while !std::fs::read_to_string(&log_file).is_ok_and(|log| log.contains("sending")) {
        assert!(started.elapsed() < Duration::from_secs(10), "never sent");
        assert!(child.try_wait().unwrap().is_none(), "ucam ended early");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    // Shutting down lets the orphaned request finish (or not) and saves.
    drop(slow);

    let after_kill = login_profile(&state_file);
    assert!(
        after_kill == old || after_kill == new,
        "partial profile after the kill: {after_kill}"
    );

    let sandbox = TestSandbox::start(&home);
    let rerun = run(&mut profile_set(&home, &sandbox), None);
    assert_exit(&rerun, 0);
    drop(sandbox);
    assert_eq!(login_profile(&state_file), new);
}
