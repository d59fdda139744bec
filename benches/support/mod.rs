//! Set-up shared by the benches: generated users, an `App` loaded through its
//! reply path, a renderer at a fixed terminal size, and peak-memory readings.
//!
//! Each bench is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ucam::api::iam::MAX_PAGE_SIZE;
use ucam::api::{User, UserPage};
use ucam::password::PasswordPolicy;
use ucam::tui::app::{Action, App, AppConfig, Reply};
use ucam::tui::keymap::KeyMap;
use ucam::tui::theme::Theme;
use ucam::tui::view;

/// The terminal size the frame targets are stated for.
pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 40;

const GIVEN: [&str; 12] = [
    "wei", "na", "min", "jing", "lei", "yan", "anna", "james", "maria", "omar", "sofia", "kenji",
];
const FAMILY: [&str; 10] = [
    "zhang", "li", "wang", "chen", "liu", "smith", "garcia", "tanaka", "novak", "okafor",
];
const DISPLAY: [&str; 8] = [
    "张伟",
    "李娜",
    "王敏",
    "陈静",
    "Anna Smith",
    "José García",
    "田中健二",
    "Omar Okafor",
];
const STATUSES: [&str; 4] = ["Active", "Active", "Inactive", "Frozen"];

/// `count` distinct users with mixed ASCII and CJK names, in a shuffled
/// (not name-sorted) order, as a service lists them by creation time.
pub fn generate_users(count: usize) -> Vec<User> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*: deterministic and dependency-free.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    (0..count)
        .map(|position| {
            let draw = next();
            let given = GIVEN[(draw % GIVEN.len() as u64) as usize];
            let family = FAMILY[((draw >> 8) % FAMILY.len() as u64) as usize];
            let display = DISPLAY[((draw >> 16) % DISPLAY.len() as u64) as usize];
            let status = STATUSES[((draw >> 24) % STATUSES.len() as u64) as usize];
            let user_name = format!(
                "{given}.{family}{:x}",
                (draw >> 32) as u32 ^ position as u32
            );
            User {
                email: format!("{user_name}@example.org"),
                display_name: format!("{display} {position}"),
                user_name,
                status: status.to_owned(),
                created_at: 1_500_000_000 + position as i64 * 60,
            }
        })
        .collect()
}

/// A fresh App as `ucam` starts it, sized 120x40, not yet loaded.
pub fn new_app() -> App {
    let mut app = App::new(AppConfig {
        profile: "bench".to_owned(),
        endpoint: "http://127.0.0.1:1/".to_owned(),
        readonly: false,
        sandbox: false,
        keymap: KeyMap::default(),
        password_policy: PasswordPolicy::default(),
    });
    app.update(Action::Resize(WIDTH, HEIGHT));
    app
}

/// The `UsersPage` replies the worker would send for these users, 100 a page.
pub fn pages(users: Vec<User>, generation: u64) -> Vec<Reply> {
    let total = users.len() as u64;
    let mut replies = Vec::new();
    let mut users = users.into_iter().peekable();
    let mut offset = 0;
    while users.peek().is_some() {
        let page: Vec<User> = users.by_ref().take(MAX_PAGE_SIZE as usize).collect();
        let listed = page.len() as u64;
        replies.push(Reply::UsersPage {
            generation,
            offset,
            result: Ok(UserPage {
                users: page,
                total_count: total,
            }),
        });
        offset += listed;
    }
    replies
}

/// An App loaded with these users through `App::update`, one reply per page
/// as the worker sends them.
pub fn app_with_users(users: Vec<User>) -> App {
    let mut app = new_app();
    let generation = start_load(&mut app);
    for reply in pages(users, generation) {
        app.update(Action::Reply(reply));
    }
    app
}

/// An App loaded with these users in one reply: the same update path, without
/// the per-page re-sorting, so a million users load in seconds.
pub fn app_with_users_in_one_reply(users: Vec<User>) -> App {
    let mut app = new_app();
    let generation = start_load(&mut app);
    let total_count = users.len() as u64;
    app.update(Action::Reply(Reply::UsersPage {
        generation,
        offset: 0,
        result: Ok(UserPage { users, total_count }),
    }));
    app
}

/// Starts a load as the event loop does and returns its generation.
pub fn start_load(app: &mut App) -> u64 {
    app.start();
    app.load.generation
}

/// A terminal that renders into memory at 120x40.
pub fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a TestBackend terminal")
}

/// Draws one frame with the TUI's real view function.
pub fn draw(terminal: &mut Terminal<TestBackend>, app: &App, theme: &Theme) {
    terminal
        .draw(|frame| view::render(app, theme, frame))
        .expect("drawing into a TestBackend");
}

/// The default key map with no overrides, as `ucam` builds it.
pub fn keymap() -> KeyMap {
    KeyMap::with_overrides(&BTreeMap::new()).expect("the default key map")
}

/// A field of /proc/self/status in KiB, e.g. `VmHWM` (peak RSS) or `VmRSS`.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// What the TUI does at start: `LoadUsers` to the real worker, every page
/// reply into `App::update` (profile fetches for the selection go out too),
/// until the load is complete. Returns the loaded App.
pub async fn load_through_worker(client: ucam::api::Client) -> App {
    let (jobs, job_queue) = tokio::sync::mpsc::unbounded_channel();
    let (reply_sender, mut replies) = tokio::sync::mpsc::unbounded_channel();
    let worker = tokio::spawn(ucam::tui::worker::run(
        ucam::tui::worker::Worker {
            client,
            audit: None,
            profile: "bench".to_owned(),
            concurrency: ucam::tui::WORKER_CONCURRENCY,
        },
        job_queue,
        reply_sender,
    ));

    let mut app = new_app();
    for command in app.start() {
        jobs.send(command).expect("the worker runs");
    }
    while app.load.is_loading() {
        let reply = replies.recv().await.expect("the worker replies");
        for command in app.update(Action::Reply(reply)) {
            if matches!(command, ucam::tui::app::Command::FetchProfile { .. }) {
                jobs.send(command).expect("the worker runs");
            }
        }
    }
    assert!(
        app.load.error.is_none(),
        "load failed: {:?}",
        app.load.error
    );
    worker.abort();
    app
}
