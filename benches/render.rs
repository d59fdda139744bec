//! Frame time at 120x40 with 1k, 100k and 1M users loaded: the view renders
//! only the rows in the viewport, so the frame should not grow with the list.
//!
//! Target: the 100k frame at most 1 ms and at most 1.5x the 1k frame.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use ucam::tui::app::Action;
use ucam::tui::theme::Theme;

fn frame(c: &mut Criterion) {
    let theme = Theme::colour();
    let mut group = c.benchmark_group("frame_120x40");
    for count in [1_000, 100_000, 1_000_000] {
        let mut app = support::app_with_users_in_one_reply(support::generate_users(count));
        // Somewhere in the middle of the list, as after some scrolling.
        app.update(Action::PageDown);
        app.update(Action::MoveDown);
        let mut terminal = support::terminal();

        group.bench_with_input(BenchmarkId::from_parameter(count), &app, |b, app| {
            b.iter(|| support::draw(&mut terminal, black_box(app), &theme))
        });
    }
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
