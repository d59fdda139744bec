//! Property tests: random key sequences with random worker replies through
//! the key map and `App::update` keep the app's invariants; arbitrary bytes
//! through the response decoder, the config parsers and the batch parser
//! give errors, never panics.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use secrecy::SecretString;
use ucam::api::client::decode_body;
use ucam::api::{ApiError, LoginProfile, User, UserPage};
use ucam::config::{Environment, Overrides, Settings, parse_settings};
use ucam::password::PasswordPolicy;
use ucam::paths::Paths;
use ucam::tui::app::{Action, App, AppConfig, Command, Reply, Submitted};
use ucam::tui::keymap::KeyMap;

/// One step of a session: a key press or something the worker sends back.
#[derive(Clone, Debug)]
enum Step {
    Key(KeyCode, KeyModifiers),
    /// Keys an operator types in a row, such as a whole edit: random keys
    /// alone seldom get from the list to a submit.
    Keys(Vec<(KeyCode, KeyModifiers)>),
    /// A users page with `count` users named from `first` on.
    Page {
        first: u8,
        count: u8,
        ok: bool,
    },
    /// A profile for the user numbered `user`.
    Profile {
        user: u8,
        ok: bool,
    },
    /// Answers the in-flight submit at this position (modulo their count).
    Answer {
        which: u8,
        ok: bool,
    },
    Retry {
        which: u8,
    },
    Resize(u16, u16),
}

fn key_step() -> impl Strategy<Value = Step> {
    let code = prop_oneof![
        prop::sample::select(vec![
            'a', 'e', 'j', 'k', 'n', 'p', 'q', 'r', 'y', 'g', 'G', '/', '?', 's', 'l', ' ', '3',
            '@', 'x', 'R', 'S', 'o', 'c',
        ])
        .prop_map(KeyCode::Char),
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Backspace,
            KeyCode::Left,
            KeyCode::Right,
        ]),
    ];
    let modifiers = prop::sample::select(vec![
        KeyModifiers::NONE,
        KeyModifiers::NONE,
        KeyModifiers::NONE,
        KeyModifiers::CONTROL,
        KeyModifiers::SHIFT,
    ]);
    (code, modifiers).prop_map(|(code, modifiers)| Step::Key(code, modifiers))
}

/// An edit from the list to the confirm dialog's `y`, a quick reset, or a
/// failed edit reopened and submitted again.
fn key_burst() -> impl Strategy<Value = Step> {
    let plain = |c| (KeyCode::Char(c), KeyModifiers::NONE);
    let save = (KeyCode::Char('s'), KeyModifiers::CONTROL);
    prop_oneof![
        Just(vec![plain('e'), plain(' '), save, plain('y')]),
        Just(vec![
            plain('e'),
            (KeyCode::Tab, KeyModifiers::NONE),
            plain('x'),
            save,
            plain('y')
        ]),
        Just(vec![plain('p'), plain('y')]),
        Just(vec![plain('r'), save, plain('y')]),
    ]
    .prop_map(Step::Keys)
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => key_step(),
        2 => key_burst(),
        1 => (0u8..40, 0u8..30, prop::bool::weighted(0.9))
            .prop_map(|(first, count, ok)| Step::Page { first, count, ok }),
        2 => (0u8..70, prop::bool::weighted(0.8)).prop_map(|(user, ok)| Step::Profile { user, ok }),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(which, ok)| Step::Answer { which, ok }),
        1 => any::<u8>().prop_map(|which| Step::Retry { which }),
        1 => (0u16..200, 0u16..80).prop_map(|(w, h)| Step::Resize(w, h)),
    ]
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Command> {
    let (context, text_input) = app.key_context();
    let event = KeyEvent::new(code, modifiers);
    match app.config.keymap.action_for(context, text_input, event) {
        Some(action) => app.update(action),
        None => Vec::new(),
    }
}

fn user(number: u8) -> User {
    User {
        user_name: format!("user{number:02}"),
        display_name: format!("User {number}"),
        email: format!("user{number}@example.com"),
        status: "Active".into(),
        created_at: i64::from(number) * 1000,
    }
}

fn failure() -> ApiError {
    ApiError::Timeout {
        action: "A".into(),
        endpoint: "https://api.example/".into(),
        timeout: Duration::from_secs(1),
    }
}

thread_local! {
    /// Submits the random sessions on this thread reached.
    static SUBMITS_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs the event loop's share of the commands and records submits,
/// checking that no submit is for a user already in flight.
fn absorb(app: &mut App, commands: Vec<Command>, in_flight: &mut BTreeMap<u64, String>) {
    let mut queue: std::collections::VecDeque<Command> = commands.into();
    while let Some(command) = queue.pop_front() {
        match command {
            Command::Submit { submit, change } => {
                let user = change.user_name.clone();
                assert!(
                    !in_flight.values().any(|busy| *busy == user),
                    "a second submit for {user} while one is in flight"
                );
                assert!(!change.is_empty(), "an empty change was submitted");
                assert!(in_flight.insert(submit, user).is_none(), "submit id reused");
                SUBMITS_SEEN.with(|seen| seen.set(seen.get() + 1));
            }
            Command::GeneratePassword { purpose } => {
                let password = SecretString::from("Gen3rated!Pass");
                queue.extend(app.update(Action::PasswordGenerated { purpose, password }));
            }
            _ => {}
        }
    }
}

fn check_invariants(app: &App, in_flight: &BTreeMap<u64, String>) {
    if app.visible.is_empty() {
        assert_eq!(app.selected, 0);
    } else {
        assert!(app.selected < app.visible.len(), "selection past the list");
    }
    assert!(app.visible.iter().all(|&index| index < app.users.len()));
    let unique: BTreeSet<usize> = app.visible.iter().copied().collect();
    assert_eq!(unique.len(), app.visible.len(), "a row listed twice");
    let ids: Vec<u64> = app.in_flight.keys().copied().collect();
    let expected: Vec<u64> = in_flight.keys().copied().collect();
    assert_eq!(ids, expected, "in-flight set out of step with the submits");
    for (id, submission) in &app.in_flight {
        assert_eq!(in_flight[id], submission.user);
    }
    if let Some(shown) = app.selected_user() {
        assert!(
            app.users
                .iter()
                .any(|row| row.user.user_name == shown.user_name)
        );
    }
}

fn run_session(steps: Vec<Step>) {
    let mut app = App::new(AppConfig {
        profile: "prop".into(),
        endpoint: "https://api.example/".into(),
        readonly: false,
        sandbox: false,
        keymap: KeyMap::default(),
        password_policy: PasswordPolicy::default(),
    });
    let mut in_flight = BTreeMap::new();
    app.update(Action::Resize(100, 30));
    let start = app.start();
    absorb(&mut app, start, &mut in_flight);

    for step in steps {
        let commands = match step {
            Step::Key(code, modifiers) => press(&mut app, code, modifiers),
            Step::Keys(keys) => {
                for (code, modifiers) in keys {
                    let commands = press(&mut app, code, modifiers);
                    absorb(&mut app, commands, &mut in_flight);
                    check_invariants(&app, &in_flight);
                }
                Vec::new()
            }
            Step::Page { first, count, ok } => {
                let users: Vec<User> = (first..first.saturating_add(count)).map(user).collect();
                let result = if ok {
                    Ok(UserPage {
                        total_count: users.len() as u64,
                        users,
                    })
                } else {
                    Err(failure())
                };
                app.update(Action::Reply(Reply::UsersPage {
                    generation: app.load.generation,
                    offset: 0,
                    result,
                }))
            }
            Step::Profile { user: number, ok } => {
                let result = if ok {
                    Ok(LoginProfile::default())
                } else {
                    Err(failure())
                };
                app.update(Action::Reply(Reply::Profile {
                    user: user(number).user_name,
                    result,
                }))
            }
            Step::Answer { which, ok } if !in_flight.is_empty() => {
                let id = *in_flight
                    .keys()
                    .nth(usize::from(which) % in_flight.len())
                    .unwrap();
                in_flight.remove(&id);
                let result = if ok {
                    Ok(Submitted {
                        request_id: Some("rid".into()),
                        latency: Duration::from_millis(3),
                    })
                } else {
                    Err(failure())
                };
                app.update(Action::Reply(Reply::Submitted { submit: id, result }))
            }
            Step::Retry { which } if !in_flight.is_empty() => {
                let id = *in_flight
                    .keys()
                    .nth(usize::from(which) % in_flight.len())
                    .unwrap();
                app.update(Action::Reply(Reply::Retrying {
                    submit: id,
                    attempt: 1,
                    max: 3,
                }))
            }
            Step::Answer { .. } | Step::Retry { .. } => Vec::new(),
            Step::Resize(width, height) => app.update(Action::Resize(width, height)),
        };
        absorb(&mut app, commands, &mut in_flight);
        check_invariants(&app, &in_flight);
    }
}

proptest! {
    // 1000 sessions of 100 steps: 100k steps, mostly key presses.
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_the_app_consistent(steps in prop::collection::vec(step(), 100)) {
        run_session(steps);
    }
}

/// The random sessions are worth something only if they get as far as
/// submitting edits; this counts how often they do.
#[test]
fn random_sessions_reach_the_submit_path() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let sessions = prop::collection::vec(step(), 100);
    let before = SUBMITS_SEEN.with(std::cell::Cell::get);
    for _ in 0..200 {
        let steps = sessions.new_tree(&mut runner).expect("a session").current();
        run_session(steps);
    }
    let submits = SUBMITS_SEEN.with(std::cell::Cell::get) - before;
    assert!(
        submits >= 20,
        "200 random sessions reached only {submits} submits"
    );
}

/// Bytes that are sometimes almost a valid answer, so the decoder gets past
/// the JSON syntax check often enough to exercise the field decoding.
fn answer_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (
            prop::sample::select(vec![
                r#"{"RetCode":0,"Users":[{"UserName":"#,
                r#"{"RetCode":"0","TotalCount":"#,
                r#"{"RetCode":0,"LoginProfile":{"MaxPasswordAge":"#,
                r#"{"RetCode":"#,
                r#"{"RetCode":0,"User":"#,
                r#"{"RetCode":0,"LoginProfile":{"Status":"#,
            ]),
            "[-0-9a-zA-Z\"{}\\[\\],:.e+ ]{0,40}"
        )
            .prop_map(|(head, tail)| format!("{head}{tail}").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_decoder_never_panics(bytes in answer_bytes()) {
        let id = Some("rid".to_owned());
        let _ = decode_body::<UserPage>("ListUsers", &bytes, &id);
        let _ = decode_body::<User>("GetUser", &bytes, &id);
        let _ = decode_body::<LoginProfile>("GetLoginProfile", &bytes, &id);
        let _ = decode_body::<serde_json::Value>("UpdateLoginProfile", &bytes, &id);
    }

    #[test]
    fn the_config_parser_never_panics(text in "(\\PC|\n){0,200}") {
        let _ = parse_settings(&text, std::path::Path::new("config.toml"));
    }

    #[test]
    fn the_config_parser_names_the_file_for_toml_shaped_junk(
        text in "(\\[[a-z_.]{0,12}\\]\n)?([a-z_]{1,12} = (\"[^\"\n]{0,10}\"|[0-9-]{1,6}|true|\\[\\]|\\{\\})\n){0,6}"
    ) {
        if let Err(error) = parse_settings(&text, std::path::Path::new("/x/config.toml")) {
            prop_assert!(error.to_string().contains("config.toml"), "{}", error);
        }
    }

    #[test]
    fn the_batch_parser_never_panics(text in "(\\PC|\n){0,300}") {
        let _ = ucam::cli::batch::parse_batch(&text, &PasswordPolicy::default());
    }

    #[test]
    fn batch_errors_name_their_line(
        lines in prop::collection::vec(
            "\\{\"user\":\"[a-z]{0,5}\"(,\"(status|email|password|max_password_age|mfa_required|x)\":(\"[^\"\\\\]{0,12}\"|[0-9]{1,5}|true|null))?\\}|[^\n]{0,20}",
            1..8,
        )
    ) {
        let text = lines.join("\n");
        if let Err(errors) = ucam::cli::batch::parse_batch(&text, &PasswordPolicy::default()) {
            for error in errors {
                prop_assert!(
                    error.starts_with("line ") || error.starts_with("no rows"),
                    "{}", error
                );
            }
        }
    }
}

proptest! {
    // Each case writes two files: fewer cases keep this quick.
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_ucloud_cli_file_parsers_never_panic(
        config in answer_like_cli_file(),
        credential in answer_like_cli_file(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.json");
        let credential_path = dir.path().join("credential.json");
        std::fs::write(&config_path, &config).unwrap();
        std::fs::write(&credential_path, &credential).unwrap();
        let mut env = Environment::default();
        env.set(ucam::config::SHARED_CONFIG_FILE_VAR, config_path.display().to_string());
        env.set(ucam::config::SHARED_CREDENTIAL_FILE_VAR, credential_path.display().to_string());
        let paths = Paths::under(dir.path());

        let resolved = ucam::config::resolve_account(
            &Overrides::default(),
            &env,
            &paths,
            &Settings::default(),
        );
        if let Err(error) = resolved {
            let message = error.to_string();
            prop_assert!(
                message.contains("config.json") || message.contains("credential.json")
                    || message.contains("profile"),
                "{}", message
            );
        }
    }
}

fn answer_like_cli_file() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..100),
        (
            prop::sample::select(vec![
                r#"[{"profile":"default","active":true,"base_url":"#,
                r#"[{"profile":"default","public_key":"#,
                r#"[{"profile":"default","public_key":"p","private_key":"#,
                r#"[{"timeout_sec":"#,
                "[",
                "{}",
            ]),
            "[-0-9a-zA-Z\"{}\\[\\],:./ ]{0,30}"
        )
            .prop_map(|(head, tail)| format!("{head}{tail}").into_bytes()),
    ]
}
