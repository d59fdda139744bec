//! Screens rendered into a `TestBackend` at fixed sizes and compared with
//! reviewed snapshots (`tests/snapshots/`). Rendering is deterministic: no
//! clock, and the spinner frame is whatever `App::spinner` says.

use std::time::Duration;

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use secrecy::SecretString;
use ucam::api::{ApiError, LoginProfile, ProfileStatus, User, UserPage};
use ucam::password::PasswordPolicy;
use ucam::tui::app::{Action, App, AppConfig, Command, PasswordPurpose, Reply, Submitted};
use ucam::tui::keymap::KeyMap;
use ucam::tui::theme::Theme;
use ucam::tui::view;
use unicode_width::UnicodeWidthStr;

fn user(name: &str, display: &str, email: &str, status: &str, created_at: i64) -> User {
    User {
        user_name: name.into(),
        display_name: display.into(),
        email: email.into(),
        status: status.into(),
        created_at,
    }
}

fn directory() -> Vec<User> {
    vec![
        user(
            "alice",
            "Alice Chen",
            "alice@example.com",
            "Active",
            1_600_000_000,
        ),
        user(
            "bob",
            "Bob Stone",
            "bob.stone@corp.example",
            "Inactive",
            1_500_000_000,
        ),
        user(
            "celine",
            "Céline Dubois",
            "celine.dubois@example.fr",
            "Active",
            1_700_000_000,
        ),
        user(
            "wang",
            "王小明",
            "xiaoming.wang@example.cn",
            "Frozen",
            1_650_000_000,
        ),
        user(
            "ops-robot-with-a-long-name",
            "Operations automation account",
            "",
            "ConsoleInactive",
            1_400_000_000,
        ),
    ]
}

fn app_with(readonly: bool, sandbox: bool, width: u16, height: u16) -> App {
    let mut app = App::new(AppConfig {
        profile: "prod".into(),
        endpoint: "https://api.scloudsg.com/".into(),
        readonly,
        sandbox,
        keymap: KeyMap::default(),
        password_policy: PasswordPolicy::default(),
    });
    app.update(Action::Resize(width, height));
    app.start();
    app.update(Action::Reply(Reply::UsersPage {
        generation: 1,
        offset: 0,
        result: Ok(UserPage {
            users: directory(),
            total_count: 5,
        }),
    }));
    app.update(Action::Reply(Reply::Profile {
        user: "alice".into(),
        result: Ok(LoginProfile {
            status: ProfileStatus::Active,
            max_password_age: 90,
            mfa_bind_required: true,
            password_reset_required: false,
        }),
    }));
    app
}

fn app(width: u16, height: u16) -> App {
    app_with(false, false, width, height)
}

/// The screen as text, one line per row; wide characters take their cell
/// and the one after it.
fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view::render(app, &Theme::mono(), frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut lines = Vec::new();
    for y in 0..height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = symbol.width().saturating_sub(1);
            line.push_str(symbol);
        }
        lines.push(line.trim_end().to_owned());
    }
    lines.join("\n")
}

fn act(app: &mut App, actions: impl IntoIterator<Item = Action>) -> Vec<Command> {
    actions
        .into_iter()
        .flat_map(|action| app.update(action))
        .collect()
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Input(tui_input::InputRequest::InsertChar(c)));
    }
}

fn submit_alice_email(app: &mut App) -> u64 {
    act(
        app,
        [
            Action::Edit,
            Action::NextField,
            Action::Input(tui_input::InputRequest::DeleteLine),
        ],
    );
    type_text(app, "alice.chen@example.com");
    act(
        app,
        [
            Action::NextField,
            Action::NextField,
            Action::NextField,
            Action::Toggle,
            Action::Save,
        ],
    );
    match &act(app, [Action::Yes])[..] {
        [Command::Submit { submit, .. }] => *submit,
        other => panic!("expected a submit, got {other:?}"),
    }
}

#[test]
fn list_wide() {
    let app = app(120, 40);
    assert_snapshot!(screen(&app, 120, 40));
}

#[test]
fn list_narrow_while_loading_and_filtered() {
    let mut app = App::new(AppConfig {
        profile: "prod".into(),
        endpoint: "https://api.scloudsg.com/".into(),
        readonly: false,
        sandbox: false,
        keymap: KeyMap::default(),
        password_policy: PasswordPolicy::default(),
    });
    app.update(Action::Resize(80, 24));
    app.start();
    let users: Vec<User> = (0..100)
        .map(|i| {
            user(
                &format!("user{i:03}"),
                &format!("User {i}"),
                &format!("user{i}@example.com"),
                "Active",
                1_600_000_000 + i * 86_400,
            )
        })
        .collect();
    app.update(Action::Reply(Reply::UsersPage {
        generation: 1,
        offset: 0,
        result: Ok(UserPage {
            users,
            total_count: 1000,
        }),
    }));
    act(&mut app, [Action::StartFilter]);
    type_text(&mut app, "user01");
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn form_with_errors() {
    let mut app = app(80, 24);
    act(
        &mut app,
        [
            Action::Edit,
            Action::NextField,
            Action::Input(tui_input::InputRequest::DeleteLine),
        ],
    );
    type_text(&mut app, "alice@");
    act(&mut app, [Action::NextField]);
    type_text(&mut app, "short");
    act(
        &mut app,
        [
            Action::NextField,
            Action::Input(tui_input::InputRequest::DeleteLine),
        ],
    );
    type_text(&mut app, "4000");
    act(&mut app, [Action::Save]);
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn confirm_dialog() {
    let mut app = app(120, 40);
    act(
        &mut app,
        [
            Action::Edit,
            Action::Toggle,
            Action::NextField,
            Action::Input(tui_input::InputRequest::DeleteLine),
        ],
    );
    type_text(&mut app, "alice.chen@example.com");
    act(&mut app, [Action::NextField]);
    type_text(&mut app, "N3w!Passw0rd");
    act(
        &mut app,
        [
            Action::NextField,
            Action::Input(tui_input::InputRequest::DeleteLine),
        ],
    );
    type_text(&mut app, "30");
    act(&mut app, [Action::NextField, Action::Toggle, Action::Save]);
    assert_snapshot!(screen(&app, 120, 40));
}

#[test]
fn status_bar_in_flight_and_retrying() {
    let mut app = app(80, 24);
    let submit = submit_alice_email(&mut app);
    act(
        &mut app,
        [Action::Reply(Reply::Retrying {
            submit,
            attempt: 2,
            max: 3,
        })],
    );
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn status_bar_success() {
    let mut app = app(80, 24);
    let submit = submit_alice_email(&mut app);
    act(
        &mut app,
        [Action::Reply(Reply::Submitted {
            submit,
            result: Ok(Submitted {
                request_id: Some("6f1c2a9e-51d1".into()),
                latency: Duration::from_millis(182),
            }),
        })],
    );
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn status_bar_failure() {
    let mut app = app(120, 40);
    let submit = submit_alice_email(&mut app);
    act(
        &mut app,
        [Action::Reply(Reply::Submitted {
            submit,
            result: Err(ApiError::RetCode {
                action: "UpdateLoginProfile".into(),
                code: 299,
                message: "IAM permission denied".into(),
                request_id: Some("b7d0e3c4-0a12".into()),
            }),
        })],
    );
    assert_snapshot!(screen(&app, 120, 40));
}

#[test]
fn help_narrow() {
    let mut app = app(80, 24);
    act(&mut app, [Action::ToggleHelp]);
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn help_wide() {
    let mut app = app(120, 40);
    act(&mut app, [Action::ToggleHelp]);
    assert_snapshot!(screen(&app, 120, 40));
}

#[test]
fn too_small() {
    let app = app(50, 12);
    assert_snapshot!(screen(&app, 50, 12));
}

#[test]
fn sandbox_banner_and_readonly_header() {
    let app = app_with(true, true, 80, 24);
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn quick_reset_reveal() {
    let mut app = app(80, 24);
    act(&mut app, [Action::QuickReset]);
    act(
        &mut app,
        [Action::PasswordGenerated {
            purpose: PasswordPurpose::QuickReset("alice".into()),
            password: SecretString::from("Qz8$uN3pLw6!hY2eRt7#"),
        }],
    );
    let confirm = screen(&app, 80, 24);
    let submit = match &act(&mut app, [Action::Yes])[..] {
        [Command::Submit { submit, .. }] => *submit,
        other => panic!("{other:?}"),
    };
    act(
        &mut app,
        [Action::Reply(Reply::Submitted {
            submit,
            result: Ok(Submitted {
                request_id: Some("r-1".into()),
                latency: Duration::from_millis(40),
            }),
        })],
    );
    assert_snapshot!("quick_reset_confirm", confirm);
    assert_snapshot!("quick_reset_reveal", screen(&app, 80, 24));
}

#[test]
fn action_log() {
    let mut app = app(80, 24);
    let submit = submit_alice_email(&mut app);
    act(
        &mut app,
        [
            Action::Reply(Reply::Submitted {
                submit,
                result: Ok(Submitted {
                    request_id: Some("r-1".into()),
                    latency: Duration::from_millis(95),
                }),
            }),
            Action::ToggleLog,
        ],
    );
    assert_snapshot!(screen(&app, 80, 24));
}

#[test]
fn selection_shows_without_colour() {
    let app = app(80, 24);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| view::render(&app, &Theme::mono(), frame))
        .unwrap();
    let buffer = terminal.backend().buffer();

    // Row 0 header, 1 list bar, 2 column titles, 3 the selected user.
    let selected = &buffer[(5, 3)];
    assert_eq!(selected.symbol(), "c");
    assert!(selected.modifier.contains(Modifier::REVERSED));
    assert!(!buffer[(5, 4)].modifier.contains(Modifier::REVERSED));
}
