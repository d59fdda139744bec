//! Sandbox throughput: signed `GetLoginProfile` requests over loopback HTTP,
//! many in flight, through `ucam::api::Client` (which signs each one; the
//! sandbox checks every signature). Client and server share this machine's
//! cores, so the figure is a floor for the server alone.
//!
//! Target: at least 5,000 requests per second (criterion prints elem/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;

use ucam::api::Client;
use ucam::sandbox::{self, SandboxOptions};

/// Requests per measured iteration.
const REQUESTS: u64 = 1_000;
/// Requests in flight at once.
const IN_FLIGHT: usize = 64;
/// Users of the sandbox's seed directory.
const USERS: [&str; 3] = ["admin.ops", "zhang.wei", "li.na"];

async fn burst(client: &Client) {
    let failures = futures::stream::iter(0..REQUESTS)
        .map(|i| client.get_login_profile(USERS[i as usize % USERS.len()]))
        .buffer_unordered(IN_FLIGHT)
        .filter(|result| std::future::ready(result.is_err()))
        .count()
        .await;
    assert_eq!(failures, 0, "some requests failed");
}

fn throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let sandbox = runtime
        .block_on(sandbox::start(SandboxOptions::default()))
        .expect("the sandbox starts");
    let client = Client::new(sandbox.client_config()).expect("a client");

    let mut group = c.benchmark_group("sandbox");
    group.throughput(Throughput::Elements(REQUESTS));
    group.sample_size(20);
    group.bench_function("signed_get_login_profile", |b| {
        b.iter(|| runtime.block_on(burst(&client)))
    });
    group.finish();
    drop(sandbox);
}

criterion_group!(benches, throughput);
criterion_main!(benches);
