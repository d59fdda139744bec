//! The terminal UI: user list, login-profile detail, edit form, confirm dialog,
//! status bar; a pure `App::update` fed by a pure key map, and a worker task
//! that owns the API client.
//!
//! The event loop below is the only part that touches the terminal: it
//! `select!`s over key presses, worker replies and a spinner tick, and never
//! awaits the network.

pub mod app;
pub mod form;
pub mod keymap;
pub mod strings;
pub mod text;
pub mod theme;
pub mod view;
pub mod worker;

use std::io::Write;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use secrecy::ExposeSecret;
use tokio::sync::mpsc;

use crate::api::Client;
use crate::audit::AuditLog;
use crate::config::Settings;
use crate::paths::Paths;
use crate::signals::{self, Stop};

use app::{Action, App, AppConfig, Command};
use keymap::KeyMap;
use theme::Theme;

/// How many API requests the worker runs at once.
pub const WORKER_CONCURRENCY: usize = 6;

/// How often the spinner turns while something is in flight.
const TICK: Duration = Duration::from_millis(100);

/// What the TUI needs from `main`.
pub struct TuiOptions {
    pub client: Client,
    pub settings: Settings,
    pub paths: Paths,
    /// The profile name, shown in the header and written to the audit file.
    pub profile: String,
    pub readonly: bool,
    /// Set when talking to the sandbox: the banner text says so and how to
    /// connect a real account.
    pub sandbox: bool,
}

/// Runs the TUI until the operator quits. Key-map and theme errors are
/// returned before the terminal is touched.
pub async fn run(options: TuiOptions) -> anyhow::Result<()> {
    let keymap = KeyMap::with_overrides(&options.settings.keys)?;
    let theme = Theme::from_settings(
        options.settings.theme.as_deref(),
        Theme::no_color_requested(),
    )?;
    let mut app = App::new(AppConfig {
        profile: options.profile.clone(),
        endpoint: options.client.endpoint().to_owned(),
        readonly: options.readonly,
        sandbox: options.sandbox,
        keymap,
        password_policy: options.settings.password_policy.clone(),
    });

    let (jobs, job_queue) = mpsc::unbounded_channel();
    let (reply_sender, replies) = mpsc::unbounded_channel();
    let worker = worker::Worker {
        client: options.client,
        audit: Some(AuditLog::new(options.paths.audit_file())),
        profile: options.profile,
        concurrency: WORKER_CONCURRENCY,
    };
    let worker = tokio::spawn(worker::run(worker, job_queue, reply_sender));

    // SIGTERM, SIGHUP and SIGINT end the session with the terminal restored.
    // (Ctrl-C typed in the TUI arrives as a key: raw mode turns off the
    // terminal's signal keys.) Caught before the terminal changes mode, so no
    // moment is left in which a signal would kill ucam with the terminal raw.
    let shutdown = signals::caught(&[Stop::Terminate, Stop::Hangup, Stop::Interrupt]);
    let result = match ratatui::try_init() {
        Ok(mut terminal) => {
            event_loop(&mut terminal, &mut app, &theme, &jobs, replies, shutdown).await
        }
        Err(error) => Err(error.into()),
    };
    ratatui::restore();
    worker.abort();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    jobs: &mpsc::UnboundedSender<Command>,
    mut replies: mpsc::UnboundedReceiver<app::Reply>,
    mut shutdown: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    let mut pending = app.start();

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    loop {
        if run_commands(terminal, jobs, app, std::mem::take(&mut pending))? {
            return Ok(());
        }
        terminal.draw(|frame| view::render(app, theme, frame))?;

        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Press => {
                    let (context, text_input) = app.key_context();
                    app.config.keymap.action_for(context, text_input, key)
                }
                Some(Ok(Event::Resize(width, height))) => Some(Action::Resize(width, height)),
                Some(Ok(_)) => None,
                Some(Err(error)) => return Err(error.into()),
                None => return Ok(()),
            },
            Some(reply) = replies.recv() => Some(Action::Reply(reply)),
            _ = tick.tick() => app.is_busy().then_some(Action::Tick),
            () = &mut shutdown => return Ok(()),
        };

        if let Some(action) = action {
            pending = app.update(action);
        }
    }
}

/// Runs the commands that belong to the event loop and hands the rest to the
/// worker. Returns true when the operator quit.
fn run_commands(
    terminal: &mut ratatui::DefaultTerminal,
    jobs: &mpsc::UnboundedSender<Command>,
    app: &mut App,
    commands: Vec<Command>,
) -> anyhow::Result<bool> {
    let mut queue = std::collections::VecDeque::from(commands);
    while let Some(command) = queue.pop_front() {
        match command {
            Command::Quit => return Ok(true),
            Command::GeneratePassword { purpose } => {
                let password = crate::password::generate(crate::password::DEFAULT_GENERATED_LENGTH);
                queue.extend(app.update(Action::PasswordGenerated { purpose, password }));
            }
            Command::CopyToClipboard(secret) => {
                let sequence = crate::clipboard::osc52(
                    secret.expose_secret(),
                    crate::clipboard::inside_tmux(),
                );
                let backend = terminal.backend_mut();
                backend.write_all(sequence.as_bytes())?;
                backend.flush()?;
            }
            job => {
                if jobs.send(job).is_err() {
                    anyhow::bail!("the background worker stopped; restart ucam");
                }
            }
        }
    }
    Ok(false)
}
