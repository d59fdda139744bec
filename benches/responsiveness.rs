//! Responsiveness under load: 50 submits in flight against a sandbox that
//! answers after 2 s, and the time from a key press to its frame (key map,
//! `App::update`, sending any commands to the worker, one 120x40 render).
//!
//! The worker, its client and the sandbox run on a 2-thread tokio runtime in
//! this process, as in `ucam`. Replies that arrive between key presses are
//! applied outside the timed part, as the event loop does between frames.
//!
//! Target: well under one 60 Hz frame (16 ms).

mod support;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use ucam::api::{Client, LoginProfile};
use ucam::sandbox::{self, SandboxOptions};
use ucam::tui::app::{Action, App, Command, Mode, Reply};
use ucam::tui::theme::Theme;
use ucam::tui::{WORKER_CONCURRENCY, worker};

const USERS: usize = 2_000;
const SUBMITS: usize = 50;
const SLOW: Duration = Duration::from_secs(2);

/// Sends worker commands on; the rest (none expected here) are dropped.
fn dispatch(jobs: &UnboundedSender<Command>, commands: Vec<Command>) {
    for command in commands {
        if matches!(
            command,
            Command::Submit { .. } | Command::FetchProfile { .. } | Command::LoadUsers { .. }
        ) {
            jobs.send(command).expect("the worker runs");
        }
    }
}

/// Edits the login status of the first `SUBMITS` users and confirms each:
/// Edit, Toggle, Save, Yes, as the operator would.
fn submit_edits(app: &mut App, jobs: &UnboundedSender<Command>) {
    app.update(Action::Top);
    for _ in 0..SUBMITS {
        let user = app
            .selected_user()
            .expect("a selected user")
            .user_name
            .clone();
        // The profile the detail pane fetched earlier.
        app.update(Action::Reply(Reply::Profile {
            user,
            result: Ok(LoginProfile::default()),
        }));
        for action in [Action::Edit, Action::Toggle, Action::Save, Action::Yes] {
            let commands = app.update(action);
            dispatch(jobs, commands);
        }
        assert!(matches!(app.mode, Mode::List), "the edit was submitted");
        app.update(Action::MoveDown);
    }
    assert_eq!(app.in_flight.len(), SUBMITS);
}

/// Applies every reply that has arrived, as the event loop does between frames.
fn drain_replies(
    app: &mut App,
    replies: &mut UnboundedReceiver<Reply>,
    jobs: &UnboundedSender<Command>,
) {
    while let Ok(reply) = replies.try_recv() {
        let commands = app.update(Action::Reply(reply));
        dispatch(jobs, commands);
    }
}

fn key_to_frame(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");

    // The same generated directory twice: a fast one to list the users, a
    // slow one for the submits.
    let options = SandboxOptions {
        users: Some(USERS),
        ..SandboxOptions::default()
    };
    let fast = runtime
        .block_on(sandbox::start(options.clone()))
        .expect("the fast sandbox starts");
    let slow = runtime
        .block_on(sandbox::start(SandboxOptions {
            latency: SLOW,
            ..options
        }))
        .expect("the slow sandbox starts");
    let users = runtime
        .block_on(
            Client::new(fast.client_config())
                .expect("a client")
                .list_all_users(),
        )
        .expect("users load");

    let (jobs, job_queue) = unbounded_channel();
    let (reply_sender, mut replies) = unbounded_channel();
    let worker = runtime.spawn(worker::run(
        worker::Worker {
            client: Client::new(slow.client_config()).expect("a client"),
            audit: None,
            profile: "bench".to_owned(),
            concurrency: WORKER_CONCURRENCY,
        },
        job_queue,
        reply_sender,
    ));

    let mut app = support::app_with_users(users);
    submit_edits(&mut app, &jobs);
    let at_start = app.in_flight.len();

    let keymap = support::keymap();
    let theme = Theme::colour();
    let mut terminal = support::terminal();
    let keys = [
        KeyCode::Down,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::PageUp,
    ];
    let mut press = 0usize;

    c.bench_function("key_to_frame_50_in_flight", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                drain_replies(&mut app, &mut replies, &jobs);
                let key = KeyEvent::new(keys[press % keys.len()], KeyModifiers::NONE);
                press += 1;

                let started = Instant::now();
                let (context, text_input) = app.key_context();
                if let Some(action) = keymap.action_for(context, text_input, key) {
                    let commands = app.update(action);
                    dispatch(&jobs, commands);
                }
                support::draw(&mut terminal, &app, &theme);
                total += started.elapsed();
            }
            total
        })
    });

    println!(
        "key_to_frame_50_in_flight: submits in flight at start {at_start}, at end {}",
        app.in_flight.len()
    );
    worker.abort();
    drop((fast, slow));
    runtime.shutdown_background();
}

criterion_group!(benches, key_to_frame);
criterion_main!(benches);
