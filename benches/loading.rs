//! Loading 10k users from a sandbox answering every request after 20 ms:
//! `Client::list_all_users`, and the TUI's own paging (the worker sending one
//! reply per page into `App::update`).
//!
//! Target: at most 0.5 s each.

mod support;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use ucam::api::Client;
use ucam::sandbox::{self, SandboxOptions};

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
        b.iter(|| {
            let app = runtime.block_on(support::load_through_worker(client.clone()));
            assert_eq!(app.users.len(), USERS);
        })
    });
    group.finish();

    drop(sandbox);
}

criterion_group!(benches, loading);
criterion_main!(benches);
