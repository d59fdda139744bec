//! Fault tests: the real `ucam` binary and the TUI worker against a sandbox
//! that injects latency and failures (HTTP 503, RetCode 153, dropped
//! connections, garbled bodies). Transient failures are retried until every
//! change lands; when they never stop, the CLI exits 6 and the TUI keeps the
//! edit to reopen.

mod support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use tokio::sync::mpsc;
use ucam::api::{Client, LoginProfile, ProfileStatus, User, UserPage};
use ucam::password::PasswordPolicy;
use ucam::sandbox::{SandboxOptions, start};
use ucam::tui::app::{Action, App, AppConfig, Command, Mode, Reply, Tone};
use ucam::tui::keymap::KeyMap;
use ucam::tui::theme::Theme;
use ucam::tui::{view, worker};

use support::{TestHome, TestSandbox, assert_exit, run, stderr, stdout};

/// The sandbox's generated user names, in creation order.
fn listed_users(home: &TestHome, sandbox: &TestSandbox) -> Vec<String> {
    let output = run(
        home.ucam_for(sandbox).args(["users", "list", "-o", "json"]),
        None,
    );
    assert_exit(&output, 0);
    let list: Value = serde_json::from_str(&stdout(&output)).unwrap();
    list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["user_name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn fifty_updates_through_a_faulty_sandbox_all_land() {
    let home = TestHome::new();
    // Users are listed before the faults start, from the same state file.
    let users = {
        let healthy = TestSandbox::start_with(&home, |options| options.users = Some(60));
        listed_users(&home, &healthy)
    };
    // One request at a time, so the seeded fault draws fall the same way on
    // every run: a fifth of requests fail, in every kind.
    let sandbox = TestSandbox::start_with(&home, |options| {
        options.latency = Duration::from_millis(5);
        options.fail_rate = 0.2;
        options.seed = 11;
    });
    let rows: String = users[..50]
        .iter()
        .map(|user| {
            format!("{{\"user\":\"{user}\",\"max_password_age\":77,\"mfa_required\":true}}\n")
        })
        .collect();
    let file = home.write("fifty.jsonl", &rows);

    let output = run(
        home.ucam_for(&sandbox).arg("batch").arg(&file).args([
            "--rate",
            "1000",
            "--concurrency",
            "1",
            "-o",
            "json",
        ]),
        None,
    );

    assert_exit(&output, 0);
    for user in &users[..50] {
        let stored = sandbox.stored_user(user);
        assert_eq!(stored["LoginProfile"]["MaxPasswordAge"], 77, "{user}");
        assert_eq!(stored["LoginProfile"]["MFABindRequired"], true, "{user}");
    }
    for user in &users[50..] {
        assert_ne!(
            sandbox.stored_user(user)["LoginProfile"]["MaxPasswordAge"],
            77
        );
    }
    // Faults did happen and were retried, not dodged.
    let log = std::fs::read_to_string(home.data_dir().join("ucam.log")).unwrap();
    let retries = log.matches("transient failure, retrying").count();
    assert!(retries >= 5, "only {retries} retries in the log");
    let audit = std::fs::read_to_string(home.data_dir().join("audit.jsonl")).unwrap();
    let outcomes: Vec<Value> = audit
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(outcomes.len(), 50);
    assert!(outcomes.iter().all(|entry| entry["outcome"] == "ok"));
}

#[test]
fn when_every_request_fails_the_cli_exits_6_and_changes_nothing() {
    let home = TestHome::new();
    let sandbox = TestSandbox::start_with(&home, |options| {
        options.fail_rate = 1.0;
        options.seed = 5;
    });
    let before = sandbox.stored_user("admin.ops");

    let set = run(
        home.ucam_for(&sandbox)
            .args(["profile", "set", "admin.ops", "--max-password-age", "12"]),
        None,
    );
    let list = run(home.ucam_for(&sandbox).args(["users", "list"]), None);

    assert_exit(&set, 6);
    assert!(
        stderr(&set).contains("gave up after 4 attempts"),
        "{}",
        stderr(&set)
    );
    assert_exit(&list, 6);
    assert!(stderr(&list).contains("ListUsers"), "{}", stderr(&list));
    assert_eq!(sandbox.stored_user("admin.ops"), before);
    let audit = std::fs::read_to_string(home.data_dir().join("audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 1, "{audit}");
    assert!(audit.contains(r#""outcome":"failed""#), "{audit}");
}

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Command> {
    let (context, text_input) = app.key_context();
    let event = KeyEvent::new(code, modifiers);
    match app.config.keymap.action_for(context, text_input, event) {
        Some(action) => app.update(action),
        None => Vec::new(),
    }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    terminal
        .draw(|frame| view::render(app, &Theme::mono(), frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    buffer.content().iter().map(|cell| cell.symbol()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_shows_retries_and_keeps_a_failed_edit_for_reopening() {
    let sandbox = start(SandboxOptions {
        fail_rate: 1.0,
        seed: 2,
        ..SandboxOptions::default()
    })
    .await
    .unwrap();
    let (jobs, job_queue) = mpsc::unbounded_channel();
    let (reply_sender, mut replies) = mpsc::unbounded_channel();
    let worker = worker::Worker {
        client: Client::new(sandbox.client_config()).unwrap(),
        audit: None,
        profile: "sandbox".into(),
        concurrency: 2,
    };
    let task = tokio::spawn(worker::run(worker, job_queue, reply_sender));

    // The list and profile arrived while the service was still answering.
    let mut app = App::new(AppConfig {
        profile: "sandbox".into(),
        endpoint: sandbox.base_url(),
        readonly: false,
        sandbox: true,
        keymap: KeyMap::default(),
        password_policy: PasswordPolicy::default(),
    });
    app.update(Action::Resize(120, 30));
    app.start();
    let user = User {
        user_name: "admin.ops".into(),
        email: "ops-admin@example.com".into(),
        ..User::default()
    };
    app.update(Action::Reply(Reply::UsersPage {
        generation: 1,
        offset: 0,
        result: Ok(UserPage {
            users: vec![user],
            total_count: 1,
        }),
    }));
    app.update(Action::Reply(Reply::Profile {
        user: "admin.ops".into(),
        result: Ok(LoginProfile {
            status: ProfileStatus::Active,
            max_password_age: 90,
            mfa_bind_required: true,
            password_reset_required: false,
        }),
    }));

    // Edit the email and the password age, save, confirm.
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    for c in "ops@new.example".chars() {
        key(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    for c in "30".chars() {
        key(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let commands = key(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let submits: Vec<Command> = commands
        .into_iter()
        .filter(|command| matches!(command, Command::Submit { .. }))
        .collect();
    assert_eq!(submits.len(), 1, "one submit");
    for command in submits {
        jobs.send(command).unwrap();
    }

    let mut retry_screens = Vec::new();
    loop {
        let reply = tokio::time::timeout(Duration::from_secs(30), replies.recv())
            .await
            .expect("a reply within 30 s")
            .expect("the worker is running");
        let done = matches!(reply, Reply::Submitted { .. });
        app.update(Action::Reply(reply));
        if done {
            break;
        }
        retry_screens.push(screen(&app));
    }

    assert_eq!(retry_screens.len(), 3, "three retries before giving up");
    for (n, text) in retry_screens.iter().enumerate() {
        let shown = format!("admin.ops: retrying ({}/3)", n + 1);
        assert!(text.contains(&shown), "{shown} not on screen");
    }
    let status = app.status.clone().expect("a status message");
    assert_eq!(status.tone, Tone::Failure);
    assert!(
        status.text.contains("gave up after 4 attempts"),
        "{}",
        status.text
    );
    assert!(app.in_flight.is_empty());

    key(&mut app, KeyCode::Char('r'), KeyModifiers::NONE);
    let Mode::Form(form) = &app.mode else {
        panic!("the failed edit reopens, mode {:?}", app.mode)
    };
    assert_eq!(form.email.value(), "ops@new.example");
    assert_eq!(form.max_password_age.value(), "30");
    assert_eq!(form.change().max_password_age, Some(30));

    drop(jobs);
    task.await.unwrap();
    sandbox.shutdown().await.unwrap();
}
