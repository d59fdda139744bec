//! Whole interactions driven through the key map and `App::update`, with no
//! terminal and no network: what the operator sees (mode, status bar) and
//! what would reach the wire (the commands).

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::{ExposeSecret, SecretString};
use ucam::api::{ApiError, LoginProfile, ProfileStatus, User, UserPage};
use ucam::password::PasswordPolicy;
use ucam::tui::app::{
    Action, App, AppConfig, Column, Command, Mode, PasswordPurpose, ProfileState, Reply, Submitted,
    Tone,
};
use ucam::tui::keymap::KeyMap;

fn user(name: &str, display: &str, email: &str, created_at: i64) -> User {
    User {
        user_name: name.into(),
        display_name: display.into(),
        email: email.into(),
        status: "Active".into(),
        created_at,
    }
}

fn directory() -> Vec<User> {
    vec![
        user("alice", "Alice Chen", "alice@example.com", 1_600_000_000),
        user("bob", "Bob Stone", "bob@corp.example", 1_500_000_000),
        user(
            "celine",
            "Céline Dubois",
            "celine@example.fr",
            1_700_000_000,
        ),
        user("wang", "王小明", "xiaoming@example.cn", 1_650_000_000),
        user("zed", "Zed Alpha", "zed@example.com", 1_400_000_000),
    ]
}

fn profile() -> LoginProfile {
    LoginProfile {
        status: ProfileStatus::Active,
        max_password_age: 90,
        mfa_bind_required: false,
        password_reset_required: false,
    }
}

fn new_app(readonly: bool) -> App {
    App::new(AppConfig {
        profile: "test".into(),
        endpoint: "https://api.example/".into(),
        readonly,
        sandbox: false,
        keymap: KeyMap::default(),
        password_policy: PasswordPolicy::default(),
    })
}

/// An app with the directory listed and alice's profile loaded.
fn loaded_app(readonly: bool) -> App {
    let mut app = new_app(readonly);
    app.update(Action::Resize(120, 40));
    let start = app.start();
    assert!(matches!(start[..], [Command::LoadUsers { generation: 1 }]));
    let users = directory();
    let total = users.len() as u64;
    let commands = app.update(reply_page(1, 0, users, total));
    assert!(matches!(&commands[..], [Command::FetchProfile { user }] if user == "alice"));
    app.update(Action::Reply(Reply::Profile {
        user: "alice".into(),
        result: Ok(profile()),
    }));
    app
}

fn reply_page(generation: u64, offset: u64, users: Vec<User>, total_count: u64) -> Action {
    Action::Reply(Reply::UsersPage {
        generation,
        offset,
        result: Ok(UserPage { users, total_count }),
    })
}

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Command> {
    let (context, text_input) = app.key_context();
    match app
        .config
        .keymap
        .action_for(context, text_input, KeyEvent::new(code, modifiers))
    {
        Some(action) => app.update(action),
        None => Vec::new(),
    }
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    key(app, code, KeyModifiers::NONE)
}

fn ctrl(app: &mut App, c: char) -> Vec<Command> {
    key(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn visible_names(app: &App) -> Vec<String> {
    app.visible
        .iter()
        .map(|&i| app.users[i].user.user_name.clone())
        .collect()
}

fn status(app: &App) -> (Tone, String) {
    let status = app.status.as_ref().expect("a status message");
    (status.tone, status.text.clone())
}

fn submitted_fields(commands: &[Command]) -> Vec<&'static str> {
    match commands {
        [Command::Submit { change, .. }] => change.changed_fields(),
        other => panic!("expected one submit, got {other:?}"),
    }
}

fn ok_reply(submit: u64) -> Action {
    Action::Reply(Reply::Submitted {
        submit,
        result: Ok(Submitted {
            request_id: Some("req-42".into()),
            latency: Duration::from_millis(182),
        }),
    })
}

/// Opens alice's form, changes the email and turns MFA on.
fn edit_alice(app: &mut App) {
    press(app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Form(_)));
    press(app, KeyCode::Tab);
    ctrl(app, 'u');
    type_text(app, "alice@new.example");
    for _ in 0..3 {
        press(app, KeyCode::Tab);
    }
    press(app, KeyCode::Char(' '));
}

#[test]
fn filter_matches_name_display_name_and_email_case_insensitively() {
    let mut app = loaded_app(false);

    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "EXAMPLE.COM");
    assert_eq!(visible_names(&app), ["alice", "zed"]);

    type_text(&mut app, "x");
    assert!(visible_names(&app).is_empty());
    press(&mut app, KeyCode::Backspace);
    assert_eq!(visible_names(&app), ["alice", "zed"]);

    ctrl(&mut app, 'u');
    type_text(&mut app, "小明");
    assert_eq!(visible_names(&app), ["wang"]);
    ctrl(&mut app, 'u');
    type_text(&mut app, "CÉL");
    assert_eq!(visible_names(&app), ["celine"]);

    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::List));
    assert_eq!(app.filter.value(), "CÉL");

    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.filter.value(), "");
    assert_eq!(visible_names(&app).len(), 5);
}

#[test]
fn filter_applies_to_pages_that_arrive_later() {
    let mut app = new_app(false);
    app.start();
    app.update(reply_page(1, 0, directory(), 7));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "zz");

    app.update(reply_page(
        1,
        5,
        vec![user("zzz", "Z", "z@z.io", 0), user("yy", "Y", "y@y.io", 0)],
        7,
    ));

    assert_eq!(visible_names(&app), ["zzz"]);
    assert!(!app.load.is_loading());
}

#[test]
fn sort_cycles_columns_and_reverses_keeping_the_selection() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected_user().unwrap().user_name, "bob");

    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, Column::DisplayName);
    assert_eq!(
        visible_names(&app),
        ["alice", "bob", "celine", "zed", "wang"]
    );

    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, Column::Created);
    key(&mut app, KeyCode::Char('S'), KeyModifiers::SHIFT);
    assert_eq!(
        visible_names(&app),
        ["celine", "wang", "alice", "bob", "zed"]
    );
    assert_eq!(app.selected_user().unwrap().user_name, "bob");
}

#[test]
fn edit_confirm_and_success_send_only_the_changed_fields() {
    let mut app = loaded_app(false);
    edit_alice(&mut app);

    let commands = ctrl(&mut app, 's');
    assert!(commands.is_empty());
    let Mode::Confirm(form) = &app.mode else {
        panic!("expected the confirm dialog, got {:?}", app.mode);
    };
    assert_eq!(
        form.diff_lines(),
        [
            "Email: alice@example.com -> alice@new.example",
            "MFA required: no -> yes"
        ]
    );

    let commands = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        submitted_fields(&commands),
        ["UserEmail", "MFABindRequired"]
    );
    let Command::Submit { submit, change } = &commands[0] else {
        unreachable!()
    };
    assert_eq!(change.user_name, "alice");
    assert_eq!(change.email.as_deref(), Some("alice@new.example"));
    assert_eq!(change.mfa_bind_required, Some(true));
    assert!(app.user_in_flight("alice"));
    assert!(matches!(app.mode, Mode::List));

    let commands = app.update(ok_reply(*submit));
    let (tone, text) = status(&app);
    assert_eq!(tone, Tone::Success);
    assert_eq!(
        text,
        "alice: saved Email, MFA required in 182 ms (request id req-42)"
    );
    assert!(matches!(&commands[..], [Command::FetchProfile { user }] if user == "alice"));
    assert_eq!(app.profiles["alice"], ProfileState::Loading);
    assert_eq!(app.users[0].user.email, "alice@new.example");
    assert!(!app.user_in_flight("alice"));
    assert_eq!(app.log.len(), 1);
    assert!(app.log[0].ok);
}

#[test]
fn enter_in_the_confirm_dialog_cancels_and_keeps_the_edits() {
    let mut app = loaded_app(false);
    edit_alice(&mut app);
    ctrl(&mut app, 's');

    let commands = press(&mut app, KeyCode::Enter);

    assert!(commands.is_empty());
    let Mode::Form(form) = &app.mode else {
        panic!("back in the form")
    };
    assert_eq!(form.email.value(), "alice@new.example");
}

#[test]
fn failure_can_be_reopened_with_values_intact_and_resubmitted() {
    let mut app = loaded_app(false);
    edit_alice(&mut app);
    ctrl(&mut app, 's');
    let commands = press(&mut app, KeyCode::Char('y'));
    let Command::Submit { submit, .. } = &commands[0] else {
        unreachable!()
    };

    app.update(Action::Reply(Reply::Retrying {
        submit: *submit,
        attempt: 2,
        max: 3,
    }));
    assert_eq!(app.in_flight[submit].retry, Some((2, 3)));

    app.update(Action::Reply(Reply::Submitted {
        submit: *submit,
        result: Err(ApiError::RetCode {
            action: "UpdateLoginProfile".into(),
            code: 299,
            message: "IAM permission denied".into(),
            request_id: Some("req-9".into()),
        }),
    }));
    let (tone, text) = status(&app);
    assert_eq!(tone, Tone::Failure);
    assert_eq!(
        text,
        "alice: not saved: RetCode 299: IAM permission denied (request id req-9); \
         r reopens the edit"
    );
    assert!(!app.log[0].ok);

    // The failure stays until the next operator action.
    app.update(Action::Tick);
    assert!(app.status.is_some());

    press(&mut app, KeyCode::Char('r'));
    let Mode::Form(form) = &app.mode else {
        panic!("the failed edit reopens")
    };
    assert_eq!(form.email.value(), "alice@new.example");
    assert!(form.mfa_bind_required);
    assert!(app.status.is_none());

    ctrl(&mut app, 's');
    let commands = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        submitted_fields(&commands),
        ["UserEmail", "MFABindRequired"]
    );
    assert!(app.failed_edits.is_empty());
}

#[test]
fn enter_on_a_user_with_a_failed_edit_reopens_it() {
    let mut app = loaded_app(false);
    edit_alice(&mut app);
    ctrl(&mut app, 's');
    let commands = press(&mut app, KeyCode::Char('y'));
    let Command::Submit { submit, .. } = &commands[0] else {
        unreachable!()
    };
    let timeout = ApiError::Timeout {
        action: "UpdateLoginProfile".into(),
        endpoint: "https://api.example/".into(),
        timeout: Duration::from_secs(15),
    };
    app.update(Action::Reply(Reply::Submitted {
        submit: *submit,
        result: Err(timeout),
    }));

    press(&mut app, KeyCode::Enter);

    let Mode::Form(form) = &app.mode else {
        panic!("the failed edit reopens")
    };
    assert_eq!(form.email.value(), "alice@new.example");
}

#[test]
fn nothing_changed_says_so_without_a_dialog() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Enter);

    let commands = ctrl(&mut app, 's');

    assert!(commands.is_empty());
    assert!(matches!(app.mode, Mode::Form(_)));
    assert_eq!(status(&app), (Tone::Info, "nothing to change".to_owned()));
}

#[test]
fn invalid_fields_refuse_submit() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "not-an-address");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2000");

    let Mode::Form(form) = &app.mode else {
        panic!()
    };
    let policy = PasswordPolicy::default();
    assert!(form.error(ucam::tui::form::Field::Email, &policy).is_some());
    assert_eq!(
        form.error(ucam::tui::form::Field::MaxPasswordAge, &policy)
            .as_deref(),
        Some("0 to 1095 days")
    );

    let commands = ctrl(&mut app, 's');

    assert!(commands.is_empty());
    assert!(matches!(app.mode, Mode::Form(_)));
    assert_eq!(
        status(&app),
        (Tone::Failure, "fix the marked fields first".to_owned())
    );
}

#[test]
fn readonly_refuses_every_write() {
    let mut app = loaded_app(true);

    for code in [
        KeyCode::Enter,
        KeyCode::Char('e'),
        KeyCode::Char('p'),
        KeyCode::Char('r'),
    ] {
        let commands = press(&mut app, code);
        assert!(commands.is_empty(), "{code:?}");
        assert!(matches!(app.mode, Mode::List));
        let (tone, text) = status(&app);
        assert_eq!(tone, Tone::Failure);
        assert!(text.starts_with("read-only"), "{text}");
    }
}

#[test]
fn a_second_submit_for_a_user_in_flight_is_refused() {
    let mut app = loaded_app(false);
    edit_alice(&mut app);
    ctrl(&mut app, 's');
    assert_eq!(press(&mut app, KeyCode::Char('y')).len(), 1);

    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let commands = press(&mut app, KeyCode::Char('y'));

    assert!(commands.is_empty());
    assert!(matches!(app.mode, Mode::Form(_)));
    assert_eq!(
        status(&app),
        (
            Tone::Failure,
            "alice: a change is already in flight; wait for its result".to_owned()
        )
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(press(&mut app, KeyCode::Char('p')).is_empty());
}

#[test]
fn quitting_with_work_in_flight_asks_first() {
    let mut idle = loaded_app(false);
    assert!(matches!(
        press(&mut idle, KeyCode::Char('q'))[..],
        [Command::Quit]
    ));

    let mut app = loaded_app(false);
    edit_alice(&mut app);
    ctrl(&mut app, 's');
    press(&mut app, KeyCode::Char('y'));

    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert!(matches!(app.mode, Mode::QuitConfirm));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.mode, Mode::List));

    press(&mut app, KeyCode::Char('q'));
    assert!(matches!(
        press(&mut app, KeyCode::Char('y'))[..],
        [Command::Quit]
    ));
}

#[test]
fn escape_from_an_edited_form_asks_before_discarding() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' '));

    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::LeaveForm(_)));
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.mode, Mode::Form(_)));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(matches!(app.mode, Mode::List));

    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::List));
}

#[test]
fn form_waits_for_the_profile_and_opens_when_it_arrives() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.profiles["bob"], ProfileState::Loading);

    let commands = press(&mut app, KeyCode::Enter);
    assert!(commands.is_empty(), "already being fetched");
    assert!(matches!(app.mode, Mode::List));
    assert!(status(&app).1.contains("loading bob's login profile"));

    app.update(Action::Reply(Reply::Profile {
        user: "bob".into(),
        result: Ok(profile()),
    }));
    let Mode::Form(form) = &app.mode else {
        panic!("the form opens")
    };
    assert_eq!(form.user, "bob");
    assert_eq!(form.max_password_age.value(), "90");
}

#[test]
fn generated_password_fills_the_form_and_is_sent() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Enter);

    let commands = ctrl(&mut app, 'g');
    assert!(matches!(
        &commands[..],
        [Command::GeneratePassword {
            purpose: PasswordPurpose::Form
        }]
    ));
    app.update(Action::PasswordGenerated {
        purpose: PasswordPurpose::Form,
        password: SecretString::from("Kp7#mW2qRt9!vX4z"),
    });
    assert!(!format!("{app:?}").contains("Kp7#mW2qRt9!vX4z"));

    ctrl(&mut app, 's');
    let Mode::Confirm(form) = &app.mode else {
        panic!()
    };
    assert_eq!(form.diff_lines(), ["Password: new password set"]);
    let commands = press(&mut app, KeyCode::Char('y'));
    let Command::Submit { change, .. } = &commands[0] else {
        panic!()
    };
    assert_eq!(change.changed_fields(), ["Password"]);
    assert_eq!(
        change.password.as_ref().unwrap().expose_secret(),
        "Kp7#mW2qRt9!vX4z"
    );
}

#[test]
fn quick_reset_confirms_submits_then_shows_the_password_once() {
    let secret = "Qz8$uN3pLw6!hY2e";
    let mut app = loaded_app(false);

    let commands = press(&mut app, KeyCode::Char('p'));
    assert!(matches!(
        &commands[..],
        [Command::GeneratePassword { purpose: PasswordPurpose::QuickReset(user) }]
            if user == "alice"
    ));
    app.update(Action::PasswordGenerated {
        purpose: PasswordPurpose::QuickReset("alice".into()),
        password: SecretString::from(secret),
    });
    assert!(matches!(app.mode, Mode::ResetConfirm { .. }));
    assert!(!format!("{app:?}").contains(secret));

    let commands = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        submitted_fields(&commands),
        ["Password", "PasswordResetRequired"]
    );
    let Command::Submit { submit, change } = &commands[0] else {
        unreachable!()
    };
    assert_eq!(change.password_reset_required, Some(true));
    assert_eq!(change.password.as_ref().unwrap().expose_secret(), secret);
    assert!(!format!("{app:?}").contains(secret));

    app.update(ok_reply(*submit));
    let Mode::Reveal { user, password } = &app.mode else {
        panic!("the password is shown, got {:?}", app.mode)
    };
    assert_eq!(user, "alice");
    assert_eq!(password.expose_secret(), secret);
    assert!(!format!("{app:?}").contains(secret));

    let commands = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(&commands[..], [Command::CopyToClipboard(copied)]
            if copied.expose_secret() == secret));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::List));
}

#[test]
fn quick_reset_is_cancelled_by_default() {
    let mut app = loaded_app(false);
    press(&mut app, KeyCode::Char('p'));
    app.update(Action::PasswordGenerated {
        purpose: PasswordPurpose::QuickReset("alice".into()),
        password: SecretString::from("Qz8$uN3pLw6!hY2e"),
    });

    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.mode, Mode::List));
    assert!(app.in_flight.is_empty());
}

#[test]
fn pages_arrive_one_by_one_with_progress() {
    let mut app = new_app(false);
    app.start();
    let first: Vec<User> = (0..100)
        .map(|i| user(&format!("u{i:03}"), "", "", 0))
        .collect();
    app.update(reply_page(1, 0, first, 250));
    assert!(app.load.is_loading());
    assert_eq!(app.load.pages_expected, 3);
    assert_eq!(app.visible.len(), 100);

    let third: Vec<User> = (200..250)
        .map(|i| user(&format!("u{i:03}"), "", "", 0))
        .collect();
    app.update(reply_page(1, 200, third, 250));
    let second: Vec<User> = (100..200)
        .map(|i| user(&format!("u{i:03}"), "", "", 0))
        .collect();
    app.update(reply_page(1, 100, second, 250));

    assert!(!app.load.is_loading());
    assert_eq!(app.visible.len(), 250);
    assert_eq!(visible_names(&app)[249], "u249");

    // A page from a load that was replaced is ignored.
    app.update(reply_page(0, 0, vec![user("stale", "", "", 0)], 1));
    assert_eq!(app.users.len(), 250);
}

#[test]
fn paging_keeps_the_selection_in_the_viewport() {
    let mut app = new_app(false);
    app.update(Action::Resize(80, 24));
    app.start();
    let users: Vec<User> = (0..100)
        .map(|i| user(&format!("u{i:03}"), "", "", 0))
        .collect();
    app.update(reply_page(1, 0, users, 100));
    let rows = app.viewport_rows;

    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, rows);
    assert_eq!(app.offset, 1);
    key(&mut app, KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(app.selected, 99);
    assert_eq!(app.offset, 100 - rows);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!((app.selected, app.offset), (0, 0));
    assert_eq!(app.visible_window().count(), rows);
}

/// Users in small pages, in a scrambled order, with clashing sort keys
/// (shared display names, statuses and creation times) so the tie-break
/// by user name matters.
fn scrambled_directory(count: usize) -> Vec<User> {
    (0..count)
        .map(|i| {
            let scrambled = (i * 7919) % count;
            User {
                user_name: format!("user{scrambled:03}"),
                display_name: ["Zoë", "李娜", "Anna", "anna"][scrambled % 4].into(),
                email: format!("u{}@example.org", (scrambled * 31) % 17),
                status: ["Active", "Inactive", "Frozen"][scrambled % 3].into(),
                created_at: 1_600_000_000 + (scrambled % 5) as i64,
            }
        })
        .collect()
}

#[test]
fn pages_merged_one_by_one_match_a_full_sort_for_every_column() {
    let users = scrambled_directory(257);
    for sort_steps in 0..5 {
        for reverse in [false, true] {
            for query in ["", "anna", "3"] {
                // Sorted and filtered before loading: every page is merged.
                let mut paged = new_app(false);
                paged.update(Action::Resize(120, 40));
                paged.start();
                for _ in 0..sort_steps {
                    paged.update(Action::SortNext);
                }
                if reverse {
                    paged.update(Action::SortReverse);
                }
                paged.update(Action::StartFilter);
                type_text(&mut paged, query);
                paged.update(Action::AcceptFilter);
                for (page, chunk) in users.chunks(10).enumerate() {
                    let offset = (page * 10) as u64;
                    paged.update(reply_page(1, offset, chunk.to_vec(), 257));
                }

                // The same view reached by one load, then a full re-sort.
                let mut whole = new_app(false);
                whole.update(Action::Resize(120, 40));
                whole.start();
                whole.update(reply_page(1, 0, users.clone(), 257));
                for _ in 0..sort_steps {
                    whole.update(Action::SortNext);
                }
                if reverse {
                    whole.update(Action::SortReverse);
                }
                whole.update(Action::StartFilter);
                type_text(&mut whole, query);
                whole.update(Action::AcceptFilter);

                let expected = visible_names(&whole);
                assert_eq!(
                    visible_names(&paged),
                    expected,
                    "sort {:?} reverse {reverse} query {query:?}",
                    paged.sort
                );
                assert!(query.is_empty() || expected.len() < 257);
            }
        }
    }
}
