//! The subcommands end to end: the real binary against a sandbox served by
//! the test, checking what the operator sees, the exit codes and what the
//! sandbox stored.

mod support;

use serde_json::Value;
use support::{TestHome, TestSandbox, assert_exit, run, stderr, stdout};

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|error| panic!("{error}: {text}"))
}

#[test]
fn users_list_json_has_every_user_and_the_table_aligns_wide_names() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);

    let output = run(
        home.ucam_for(&sandbox)
            .args(["users", "list", "-o", "json"]),
        None,
    );
    assert_exit(&output, 0);
    let list = json(&stdout(&output));
    let users = list["users"].as_array().unwrap();
    assert!(users.len() > 10, "seed has more than one page of 10");
    assert_eq!(list["total"], users.len());
    assert!(
        users
            .iter()
            .any(|u| u["user_name"] == "zhang.wei" && u["display_name"] == "张伟")
    );

    let output = run(home.ucam_for(&sandbox).args(["users", "list"]), None);
    assert_exit(&output, 0);
    let text = stdout(&output);
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("USER "), "{header}");
    let email_column = header.find("EMAIL").unwrap();
    let row = text
        .lines()
        .find(|line| line.starts_with("zhang.wei "))
        .unwrap();
    let before_email: String = row.chars().take_while(|c| *c != '@').collect();
    let email_start = before_email.rfind(' ').unwrap() + 1;
    let width = unicode_width::UnicodeWidthStr::width(&before_email[..email_start]);
    assert_eq!(width, email_column, "{header}\n{row}");
}

#[test]
fn profile_get_shows_user_and_login_profile() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);

    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "get", "admin.ops", "-o", "json"]),
        None,
    );

    assert_exit(&output, 0);
    let profile = json(&stdout(&output));
    assert_eq!(profile["user"]["user_name"], "admin.ops");
    assert_eq!(profile["user"]["email"], "ops-admin@example.com");
    assert_eq!(profile["login_profile"]["status"], "Active");
    assert_eq!(profile["login_profile"]["max_password_age"], 90);
    assert_eq!(profile["login_profile"]["mfa_bind_required"], true);

    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "get", "admin.ops"]),
        None,
    );
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("max password age: 90 days"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn profile_set_changes_only_the_given_fields_and_audits_them() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = sandbox.stored_user("li.na");

    let output = run(
        home.ucam_for(&sandbox).args([
            "profile",
            "set",
            "li.na",
            "--mfa-required",
            "true",
            "--max-password-age",
            "30",
            "-o",
            "json",
        ]),
        None,
    );

    assert_exit(&output, 0);
    let result = json(&stdout(&output));
    assert_eq!(result["user"], "li.na");
    assert_eq!(
        result["changed"],
        serde_json::json!(["MaxPasswordAge", "MFABindRequired"])
    );
    assert!(
        result["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(result["latency_ms"].is_u64());

    let after = sandbox.stored_user("li.na");
    assert_eq!(after["LoginProfile"]["MFABindRequired"], true);
    assert_eq!(after["LoginProfile"]["MaxPasswordAge"], 30);
    assert_eq!(
        after["LoginProfile"]["Status"],
        before["LoginProfile"]["Status"]
    );
    assert_eq!(after["Email"], before["Email"]);

    let audit = std::fs::read_to_string(home.data_dir().join("audit.jsonl")).unwrap();
    let entry = json(audit.lines().last().unwrap());
    assert_eq!(entry["user"], "li.na");
    assert_eq!(entry["outcome"], "ok");
    assert_eq!(
        entry["fields"],
        serde_json::json!(["MaxPasswordAge", "MFABindRequired"])
    );
    assert_eq!(entry["request_id"], result["request_id"]);
}

#[test]
fn usage_errors_exit_2() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);

    let nothing = run(
        home.ucam_for(&sandbox).args(["profile", "set", "li.na"]),
        None,
    );
    assert_exit(&nothing, 2);
    assert!(
        stderr(&nothing).contains("nothing to change"),
        "{}",
        stderr(&nothing)
    );

    let bad_status = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "li.na", "--status", "Frozen"]),
        None,
    );
    assert_exit(&bad_status, 2);

    let readonly = run(
        home.ucam_for(&sandbox).args([
            "--readonly",
            "profile",
            "set",
            "li.na",
            "--mfa-required",
            "true",
        ]),
        None,
    );
    assert_exit(&readonly, 2);
    assert!(stderr(&readonly).contains("--readonly"));
}

#[test]
fn a_weak_password_exits_3_and_sends_nothing() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = sandbox.state_text();

    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "li.na", "--password-stdin"]),
        Some("short\n"),
    );

    assert_exit(&output, 3);
    assert!(stderr(&output).contains("local password policy"));
    assert!(!stderr(&output).contains("short\n"));
    assert_eq!(sandbox.state_text(), before);
}

#[test]
fn an_unknown_user_exits_4() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);

    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "no.such.user", "--status", "Inactive"]),
        None,
    );

    assert_exit(&output, 4);
    assert!(
        stderr(&output).contains("RetCode 11021"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("request id"));
}

#[test]
fn a_malformed_email_is_refused_before_sending_with_exit_2() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = sandbox.state_text();

    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "li.na", "--email", "not-an-address"]),
        None,
    );

    assert_exit(&output, 2);
    assert!(stderr(&output).contains("--email"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("name@example.org"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.state_text(), before);
}

#[test]
fn a_value_the_service_refuses_exits_5() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = sandbox.state_text();

    // Plausible enough for ucam's own check; the service refuses a numeric
    // top-level domain.
    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "li.na", "--email", "li.na@example.123"]),
        None,
    );

    assert_exit(&output, 5);
    assert!(stderr(&output).contains("UserEmail"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("request id"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.state_text(), before);
}

#[test]
fn a_sandbox_that_always_fails_exits_6_after_retries() {
    let home = TestHome::new();
    // Seeded so the drawn faults are retryable ones (5xx, throttling, dropped
    // connections) rather than a malformed body, which is final.
    let sandbox = TestSandbox::start_with(&home, |options| {
        options.fail_rate = 1.0;
        options.seed = FAIL_SEED;
    });

    let output = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "li.na", "--status", "Inactive"]),
        None,
    );

    assert_exit(&output, 6);
    assert!(
        stderr(&output).contains("gave up after"),
        "{}",
        stderr(&output)
    );
}

/// With this seed a single client's four attempts draw only retryable
/// faults (one request at a time, so the draws come in a fixed order).
const FAIL_SEED: u64 = 7;

#[test]
fn no_credentials_exits_7_and_says_how_to_configure() {
    let home = TestHome::new();

    let output = run(home.ucam().args(["users", "list"]), None);

    assert_exit(&output, 7);
    let message = stderr(&output);
    assert!(message.contains("UCLOUD_PUBLIC_KEY"), "{message}");
    assert!(message.contains("config.toml"), "{message}");
    assert!(message.contains("--sandbox"), "{message}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn a_wrong_private_key_exits_7() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);

    let output = run(
        home.ucam_for(&sandbox)
            .env("UCLOUD_PRIVATE_KEY", "not-the-key")
            .args(["users", "list"]),
        None,
    );

    assert_exit(&output, 7);
    assert!(stderr(&output).contains("RetCode 171"));
    assert!(!stderr(&output).contains("not-the-key"));
}

#[test]
fn dry_run_leaves_the_sandbox_unchanged() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    let before = sandbox.state_text();

    let output = run(
        home.ucam_for(&sandbox).args([
            "profile",
            "set",
            "li.na",
            "--generate-password",
            "--status",
            "Inactive",
            "--dry-run",
            "-o",
            "json",
        ]),
        None,
    );

    assert_exit(&output, 0);
    let request = json(&stdout(&output));
    assert_eq!(request["method"], "POST");
    assert_eq!(request["url"], format!("{}/", sandbox.base_url));
    assert_eq!(request["params"]["Password"], "***");
    assert_eq!(request["params"]["Signature"], "***");
    assert_eq!(request["params"]["Status"], "Inactive");
    assert_eq!(sandbox.state_text(), before);
    assert!(!home.data_dir().join("audit.jsonl").exists());
}

#[test]
fn reset_password_prints_the_password_once_and_requires_a_reset() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);
    assert!(sandbox.stored_user("li.na").get("Password").is_none());

    let output = run(
        home.ucam_for(&sandbox)
            .args(["reset-password", "li.na", "--length", "24", "-o", "json"]),
        None,
    );

    assert_exit(&output, 0);
    let result = json(&stdout(&output));
    assert_eq!(result["user"], "li.na");
    let password = result["password"].as_str().unwrap().to_owned();
    assert_eq!(password.chars().count(), 24);
    assert!(result["request_id"].as_str().is_some());

    let stored = sandbox.stored_user("li.na");
    assert!(stored["Password"]["SetAt"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(stored["LoginProfile"]["PasswordResetRequired"], true);
    assert!(!sandbox.state_text().contains(&password));
    assert!(!home.data_files_text().contains(&password));
    assert!(!stderr(&output).contains(&password));

    let table = run(
        home.ucam_for(&sandbox).args(["reset-password", "li.na"]),
        None,
    );
    assert_exit(&table, 0);
    let line = stdout(&table);
    assert!(line.starts_with("reset li.na: new password "), "{line}");
    assert_eq!(line.lines().count(), 1);
}

#[test]
fn global_flags_work_after_the_subcommand() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start(&home);

    // The environment points at a dead port; --base-url wins.
    let output = run(
        home.ucam_for(&sandbox)
            .env("UCLOUD_API_BASE_URL", "http://127.0.0.1:9")
            .args(["profile", "get", "li.na", "--base-url", &sandbox.base_url]),
        None,
    );
    assert_exit(&output, 0);

    std::fs::create_dir_all(home.config_dir()).unwrap();
    std::fs::write(
        home.config_dir().join("config.toml"),
        format!(
            "[profiles.lab]\npublic_key = \"{}\"\nprivate_key = \"{}\"\nbase_url = \"{}\"\n",
            ucam::sandbox::DEFAULT_PUBLIC_KEY,
            ucam::sandbox::DEFAULT_PRIVATE_KEY,
            sandbox.base_url
        ),
    )
    .unwrap();
    let output = run(
        home.ucam()
            .args(["users", "list", "--profile", "lab", "-o", "json"]),
        None,
    );
    assert_exit(&output, 0);
    assert!(json(&stdout(&output))["total"].as_u64().unwrap() > 10);
}

#[test]
fn sandbox_flag_runs_subcommands_without_credentials() {
    let home = TestHome::new();

    let output = run(
        home.ucam()
            .args(["users", "list", "--sandbox", "-o", "json"]),
        None,
    );

    assert_exit(&output, 0);
    assert!(json(&stdout(&output))["users"].as_array().unwrap().len() > 10);
    assert!(home.data_dir().join("sandbox-state.json").exists());
}

#[test]
fn completions_print_a_script() {
    let home = TestHome::new();

    let output = run(home.ucam().args(["completions", "bash"]), None);

    assert_exit(&output, 0);
    let script = stdout(&output);
    assert!(script.contains("_ucam()"));
    assert!(script.contains("reset-password"));
}

#[test]
fn help_lists_the_exit_codes() {
    let home = TestHome::new();

    let output = run(home.ucam().arg("--help"), None);

    assert_exit(&output, 0);
    assert!(stdout(&output).contains("7    credentials or configuration problem"));
}

#[test]
fn sandbox_subcommand_prints_its_address_first_and_stops_on_sigterm() {
    use std::io::BufRead;

    let home = TestHome::new();
    let state = home.dir.path().join("served-state.json");
    let mut server = home
        .ucam()
        .args(["sandbox", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let base_url = first_line
        .trim()
        .strip_prefix("listening on ")
        .map(str::to_owned);

    let listed = base_url.as_ref().map(|url| {
        run(
            home.ucam()
                .env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY)
                .env("UCLOUD_PRIVATE_KEY", ucam::sandbox::DEFAULT_PRIVATE_KEY)
                .env("UCLOUD_API_BASE_URL", url)
                .args(["users", "list", "-o", "json"]),
            None,
        )
    });
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let status = server.wait().unwrap();

    assert!(base_url.is_some(), "first line: {first_line:?}");
    let listed = listed.unwrap();
    assert_exit(&listed, 0);
    assert!(json(&stdout(&listed))["total"].as_u64().unwrap() > 10);
    assert!(terminated.success());
    assert_eq!(status.code(), Some(0));
    assert!(state.exists());
}
