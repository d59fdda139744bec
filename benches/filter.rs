//! One filter keystroke over 100k users through `App::update`, as the event
//! loop feeds it. A growing query only re-checks the previous matches; a
//! shrinking one (Backspace) scans every user again.
//!
//! Target: one keystroke at most 10 ms.

mod support;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tui_input::InputRequest;

use ucam::tui::app::{Action, App};

const USERS: usize = 100_000;

fn type_char(app: &mut App, c: char) {
    app.update(Action::Input(InputRequest::InsertChar(c)));
}

fn backspace(app: &mut App) {
    app.update(Action::Input(InputRequest::DeletePrevChar));
}

/// Times `keystroke` alone; `reset` puts the filter back between iterations.
fn timed(
    app: &mut App,
    iterations: u64,
    mut keystroke: impl FnMut(&mut App),
    mut reset: impl FnMut(&mut App),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        let started = Instant::now();
        keystroke(app);
        total += started.elapsed();
        reset(app);
    }
    total
}

/// The visible rows are exactly the users whose name, display name or e-mail
/// contains the query, case-insensitively: a fast filter that is wrong would
/// be no use.
fn check_matches(app: &App, query: &str) {
    let contains = |text: &str| text.to_lowercase().contains(query);
    let expected = app
        .users
        .iter()
        .filter(|row| {
            contains(&row.user.user_name)
                || contains(&row.user.display_name)
                || contains(&row.user.email)
        })
        .count();
    assert_eq!(app.visible.len(), expected);
    assert!(app.visible.iter().all(|&i| {
        let user = &app.users[i].user;
        contains(&user.user_name) || contains(&user.display_name) || contains(&user.email)
    }));
}

fn filter(c: &mut Criterion) {
    let mut app = support::app_with_users(support::generate_users(USERS));
    app.update(Action::StartFilter);
    let mut group = c.benchmark_group("filter_100k");

    // Empty query to "a": every user is checked.
    group.bench_function("first_key", |b| {
        b.iter_custom(|n| timed(&mut app, n, |app| type_char(app, 'a'), backspace))
    });

    // "a" to "an": only the users matching "a" are checked again.
    type_char(&mut app, 'a');
    let matching_a = app.visible.len();
    group.bench_function("narrowing_key", |b| {
        b.iter_custom(|n| timed(&mut app, n, |app| type_char(app, 'n'), backspace))
    });

    // "an" back to "a": the query shrank, so every user is checked again.
    type_char(&mut app, 'n');
    group.bench_function("backspace", |b| {
        b.iter_custom(|n| timed(&mut app, n, backspace, |app| type_char(app, 'n')))
    });
    group.finish();

    // Each backspace was followed by typing "n" again.
    assert_eq!(app.filter.value(), "an");
    check_matches(&app, "an");
    println!(
        "filter_100k: {USERS} users, {matching_a} match \"a\", {} match \"an\"",
        app.visible.len()
    );
}

criterion_group!(benches, filter);
criterion_main!(benches);
