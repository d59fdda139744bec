//! End to end: the real `ucam` binary in a pseudo-terminal. Against a real
//! `ucam sandbox` process it filters to a user, edits the email and MFA
//! requirement through the form, confirms, and checks both the screen and the
//! sandbox's new state. With no credentials at all it runs against the
//! embedded sandbox and says so.

mod support;

use std::time::Duration;

use secrecy::SecretString;
use support::SandboxProcess;
use support::pty::{PtySession, ucam_command};
use ucam::api::{Client, ClientConfig, RetryPolicy};

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

#[test]
fn edit_email_and_mfa_through_the_form() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = SandboxProcess::start(dir.path(), &[]);
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

    let mut command = ucam_command(dir.path(), &[]);
    command.env("UCLOUD_PUBLIC_KEY", ucam::sandbox::DEFAULT_PUBLIC_KEY);
    command.env("UCLOUD_PRIVATE_KEY", ucam::sandbox::DEFAULT_PRIVATE_KEY);
    command.env("UCLOUD_API_BASE_URL", &sandbox.base_url);
    let mut ucam = PtySession::spawn(command, 120, 40);

    ucam.wait_for(&target.user_name);
    ucam.press(b"/");
    ucam.type_text(&target.user_name);
    ucam.press(b"\r");
    ucam.wait_for(&format!("Login profile: {}", target.user_name));

    ucam.press(b"e");
    ucam.wait_for("Max password age");
    ucam.press(b"\t"); // Status -> Email
    ucam.press(&[0x15]); // Ctrl-u clears the field
    ucam.type_text(new_email);
    ucam.press(b"\t"); // -> Password
    ucam.press(b"\t"); // -> Max password age
    ucam.press(b"\t"); // -> MFA required
    ucam.press(b" "); // toggle on
    ucam.press(&[0x13]); // Ctrl-s opens the confirm dialog
    let confirm = ucam.wait_for(new_email);
    assert!(confirm.contains(&target.email), "{confirm}");
    ucam.press(b"y");
    let after = ucam.wait_for("request id");
    assert!(after.contains(&target.user_name), "{after}");

    let updated = runtime
        .block_on(client.get_user(&target.user_name))
        .expect("get user");
    let profile = runtime
        .block_on(client.get_login_profile(&target.user_name))
        .expect("get login profile");
    assert_eq!(updated.email, new_email);
    assert!(profile.mfa_bind_required);

    ucam.press(b"q");
    assert_eq!(ucam.wait_exit(), 0);
}

#[test]
fn with_no_credentials_the_tui_runs_the_sandbox_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ucam = PtySession::spawn(ucam_command(dir.path(), &[]), 120, 40);

    let screen = ucam.wait_for("admin.ops");
    assert!(screen.contains("LOCAL SANDBOX"), "{screen}");
    assert!(screen.contains("UCLOUD_PUBLIC_KEY"), "{screen}");
    ucam.wait_for("Users 34");

    ucam.press(b"q");
    assert_eq!(ucam.wait_exit(), 0);
    assert!(
        dir.path().join("data/sandbox-state.json").exists(),
        "the embedded sandbox keeps its state in the data dir"
    );
}

#[test]
fn a_terminal_too_small_shows_a_message_until_it_grows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ucam = PtySession::spawn(ucam_command(dir.path(), &["--sandbox"]), 120, 40);
    ucam.wait_for("admin.ops");

    ucam.resize(40, 10);
    ucam.wait_for("Terminal too small");
    ucam.resize(100, 30);
    ucam.wait_for("admin.ops");

    ucam.press(b"q");
    assert_eq!(ucam.wait_exit(), 0);
}
