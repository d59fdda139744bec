//! Loading 10k users from a sandbox answering every request after 20 ms:
//! `Client::list_all_users`, and the TUI's own paging (the worker sending one
//! reply per page into `App::update`).
//!
//! Target: at most 0.5 s each.

mod support;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::sync::mpsc;

use ucam::api::Client;
use ucam::sandbox::{self, SandboxOptions};
use ucam::tui::app::{Action, Command};
use ucam::tui::{WORKER_CONCURRENCY, worker};

const USERS: usize = 10_000;
const LATENCY: Duration = Duration::from_millis(20);

fn loading(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let sandbox = runtime
        .block_on(sandbox::start(SandboxOptions {
            users: Some(USERS),
            latency: LATENCY,
            ..SandboxOptions::default()
        }))
        .expect("the sandbox starts");
    let client = Client::new(sandbox.client_config()).expect("a client");

    let mut group = c.benchmark_group("load_10k_users_20ms");
    group.sample_size(10);

    group.bench_function("list_all_users", |b| {
        b.iter(|| {
            let users = runtime
                .block_on(client.list_all_users())
                .expect("users load");
            assert_eq!(users.len(), USERS);
        })
    });

    group.bench_function("tui_worker_into_app", |b| {
        b.iter(|| runtime.block_on(load_through_worker(client.clone())))
    });
    group.finish();

    drop(sandbox);
}

/// What the TUI does at start: `LoadUsers` to the worker, every page reply
/// into `App::update`, until the load is complete.
async fn load_through_worker(client: Client) {
    let (jobs, job_queue) = mpsc::unbounded_channel();
    let (reply_sender, mut replies) = mpsc::unbounded_channel();
    let worker = worker::Worker {
        client,
        audit: None,
        profile: "bench".to_owned(),
        concurrency: WORKER_CONCURRENCY,
    };
    let worker = tokio::spawn(worker::run(worker, job_queue, reply_sender));

    let mut app = support::new_app();
    for command in app.start() {
        jobs.send(command).expect("the worker runs");
    }
    while app.load.is_loading() {
        let reply = replies.recv().await.expect("the worker replies");
        for command in app.update(Action::Reply(reply)) {
            // Profile fetches for the selection go out too, as in the TUI.
            if matches!(command, Command::FetchProfile { .. }) {
                jobs.send(command).expect("the worker runs");
            }
        }
    }
    assert!(
        app.load.error.is_none(),
        "load failed: {:?}",
        app.load.error
    );
    assert_eq!(app.users.len(), USERS);
    worker.abort();
}

criterion_group!(benches, loading);
criterion_main!(benches);
