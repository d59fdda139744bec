//! The TUI's state and its one pure transition, `App::update`: an `Action`
//! (a key's meaning, a worker reply, a tick) in, `Command`s for the worker and
//! the event loop out. No terminal, no network, no clock here.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use secrecy::SecretString;
use tui_input::{Input, InputRequest};

use crate::api::{ApiError, LoginProfile, LoginProfileChange, User, UserPage};
use crate::password::PasswordPolicy;

use super::form::{EditForm, Field};
use super::keymap::{Binding, KeyContext, KeyMap};
use super::strings;
use super::view;

/// Identifies one submitted change while it is in flight.
pub type SubmitId = u64;

/// What happened, as `App::update` sees it.
#[derive(Debug)]
pub enum Action {
    Quit,
    MoveUp,
    MoveDown,
    Top,
    Bottom,
    PageUp,
    PageDown,
    StartFilter,
    AcceptFilter,
    SortNext,
    SortReverse,
    Edit,
    QuickReset,
    Reopen,
    Reload,
    ToggleLog,
    ToggleHelp,
    NextField,
    PrevField,
    Toggle,
    GeneratePassword,
    ShowPassword,
    Save,
    Back,
    Yes,
    No,
    Copy,
    Close,
    /// A line-editing key for the filter or a form field.
    Input(InputRequest),
    /// The terminal's new size in columns and rows.
    Resize(u16, u16),
    /// Advances the spinner.
    Tick,
    /// The event loop generated a password, as asked by a command.
    PasswordGenerated {
        purpose: PasswordPurpose,
        password: SecretString,
    },
    /// The worker answered.
    Reply(Reply),
}

/// What a generated password is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordPurpose {
    /// The Password field of the open form.
    Form,
    /// A quick reset of this user.
    QuickReset(String),
}

/// What the worker sends back.
#[derive(Debug)]
pub enum Reply {
    /// One page of `ListUsers` from the load numbered `generation`.
    UsersPage {
        generation: u64,
        offset: u64,
        result: Result<UserPage, ApiError>,
    },
    Profile {
        user: String,
        result: Result<LoginProfile, ApiError>,
    },
    /// The client is about to retry a submit.
    Retrying {
        submit: SubmitId,
        attempt: u32,
        max: u32,
    },
    Submitted {
        submit: SubmitId,
        result: Result<Submitted, ApiError>,
    },
    /// The audit file could not be written.
    AuditFailed { reason: String },
}

/// A successful submit's request id and latency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub request_id: Option<String>,
    pub latency: Duration,
}

/// Side effects `App::update` asks for.
#[derive(Debug)]
pub enum Command {
    /// Worker: load every page of users.
    LoadUsers { generation: u64 },
    /// Worker: fetch one login profile.
    FetchProfile { user: String },
    /// Worker: submit a change and append it to the audit file.
    Submit {
        submit: SubmitId,
        change: LoginProfileChange,
    },
    /// Event loop: generate a password and send it back as an action.
    GeneratePassword { purpose: PasswordPurpose },
    /// Event loop: copy to the terminal's clipboard (OSC 52).
    CopyToClipboard(SecretString),
    /// Event loop: leave.
    Quit,
}

/// A list column, for sorting and titles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    UserName,
    DisplayName,
    Email,
    Status,
    Created,
}

impl Column {
    pub const ALL: [Column; 5] = [
        Column::UserName,
        Column::DisplayName,
        Column::Email,
        Column::Status,
        Column::Created,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::UserName => strings::COL_USER_NAME,
            Self::DisplayName => strings::COL_DISPLAY_NAME,
            Self::Email => strings::COL_EMAIL,
            Self::Status => strings::COL_STATUS,
            Self::Created => strings::COL_CREATED,
        }
    }

    fn next(self) -> Self {
        let index = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(index + 1) % Self::ALL.len()]
    }
}

/// A listed user with the lower-cased text the filter and sort compare.
///
/// The three lower-cased fields live in one string, separated by a control
/// character no query can hold: one allocation and one `contains` per row
/// keeps a filter keystroke over 100k users within its 10 ms target
/// (benches/filter.rs), where three scattered strings cost about 30-45 ms.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub user: User,
    search_key: Box<str>,
    name_end: usize,
    display_end: usize,
}

/// Separates the fields in `UserRow::search_key`.
const KEY_SEPARATOR: char = '\u{1f}';

impl UserRow {
    fn new(user: User) -> Self {
        let name = user.user_name.to_lowercase();
        let display = user.display_name.to_lowercase();
        let email = user.email.to_lowercase();
        let name_end = name.len();
        let display_end = name_end + KEY_SEPARATOR.len_utf8() + display.len();
        let search_key = [name, display, email]
            .join(KEY_SEPARATOR.encode_utf8(&mut [0; 4]))
            .into_boxed_str();
        Self {
            search_key,
            name_end,
            display_end,
            user,
        }
    }

    fn name_key(&self) -> &str {
        &self.search_key[..self.name_end]
    }

    fn display_key(&self) -> &str {
        &self.search_key[self.name_end + KEY_SEPARATOR.len_utf8()..self.display_end]
    }

    fn email_key(&self) -> &str {
        &self.search_key[self.display_end + KEY_SEPARATOR.len_utf8()..]
    }

    fn matches(&self, query: &str) -> bool {
        self.search_key.contains(query) && !query.contains(KEY_SEPARATOR)
    }

    fn compare(&self, other: &Self, column: Column) -> std::cmp::Ordering {
        let primary = match column {
            Column::UserName => self.name_key().cmp(other.name_key()),
            Column::DisplayName => self.display_key().cmp(other.display_key()),
            Column::Email => self.email_key().cmp(other.email_key()),
            Column::Status => self.user.status.cmp(&other.user.status),
            Column::Created => self.user.created_at.cmp(&other.user.created_at),
        };
        primary.then_with(|| self.user.user_name.cmp(&other.user.user_name))
    }
}

/// Progress of loading the user list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserLoad {
    pub generation: u64,
    /// From the first page.
    pub total: Option<u64>,
    pub pages_expected: usize,
    pub pages_received: usize,
    pub error: Option<String>,
}

impl UserLoad {
    pub fn is_loading(&self) -> bool {
        self.error.is_none() && (self.total.is_none() || self.pages_received < self.pages_expected)
    }
}

/// A login profile in the detail pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileState {
    Loading,
    Loaded(LoginProfile),
    Failed(String),
}

/// A change on its way to the service.
#[derive(Debug)]
pub struct Submission {
    pub user: String,
    /// Labels of the changed fields, for the status bar and the log.
    pub fields: Vec<&'static str>,
    /// The form it came from, to reopen if it fails.
    pub form: Option<EditForm>,
    /// A quick reset's password, shown once after success.
    pub reveal: Option<SecretString>,
    /// The latest retry: attempt and most attempts.
    pub retry: Option<(u32, u32)>,
}

/// How the status bar shows a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Failure,
}

/// The message in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMessage {
    pub tone: Tone,
    pub text: String,
}

/// One submit of this session, for the action log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub user: String,
    pub fields: Vec<&'static str>,
    pub ok: bool,
    pub detail: String,
}

/// Which screen has the keys.
#[derive(Debug)]
pub enum Mode {
    List,
    Filter,
    Form(Box<EditForm>),
    Confirm(Box<EditForm>),
    /// "Discard your edits?" after Esc in an edited form.
    LeaveForm(Box<EditForm>),
    ResetConfirm {
        user: String,
        password: SecretString,
    },
    /// A quick reset's new password, shown once.
    Reveal {
        user: String,
        password: SecretString,
    },
    Help,
    Log,
    QuitConfirm,
}

/// What the TUI is started with.
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub profile: String,
    pub endpoint: String,
    pub readonly: bool,
    pub sandbox: bool,
    pub keymap: KeyMap,
    pub password_policy: PasswordPolicy,
}

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App {
    pub config: AppConfig,
    pub mode: Mode,
    pub users: Vec<UserRow>,
    user_index: HashMap<String, usize>,
    /// Every user index, sorted by the current column.
    order: Vec<usize>,
    /// Spare room for merging a page into `order` or `visible`.
    merge_buffer: Vec<usize>,
    /// The sorted indices that pass the filter: the rows on screen.
    pub visible: Vec<usize>,
    pub filter: Input,
    /// The lower-cased query `visible` was computed for.
    applied_query: String,
    pub sort: Column,
    pub reverse: bool,
    /// Position in `visible`.
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    pub viewport_rows: usize,
    pub size: (u16, u16),
    pub load: UserLoad,
    pub profiles: HashMap<String, ProfileState>,
    pub in_flight: BTreeMap<SubmitId, Submission>,
    next_submit: SubmitId,
    /// Forms whose submit failed, to reopen with their values.
    pub failed_edits: HashMap<String, EditForm>,
    /// Open this user's form when the profile arrives.
    pending_open: Option<String>,
    /// Quick-reset passwords waiting for the list to be free to show them.
    reveals: VecDeque<(String, SecretString)>,
    pub status: Option<StatusMessage>,
    pub log: Vec<LogEntry>,
    pub spinner: usize,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        Self {
            config,
            mode: Mode::List,
            users: Vec::new(),
            user_index: HashMap::new(),
            order: Vec::new(),
            merge_buffer: Vec::new(),
            visible: Vec::new(),
            filter: Input::default(),
            applied_query: String::new(),
            sort: Column::UserName,
            reverse: false,
            selected: 0,
            offset: 0,
            viewport_rows: 10,
            size: (80, 24),
            load: UserLoad::default(),
            profiles: HashMap::new(),
            in_flight: BTreeMap::new(),
            next_submit: 1,
            failed_edits: HashMap::new(),
            pending_open: None,
            reveals: VecDeque::new(),
            status: None,
            log: Vec::new(),
            spinner: 0,
        }
    }

    /// The commands to run at start: load the user list.
    pub fn start(&mut self) -> Vec<Command> {
        self.reload()
    }

    /// The screen that has the keys, and whether typing goes into a field.
    pub fn key_context(&self) -> (KeyContext, bool) {
        match &self.mode {
            Mode::List => (KeyContext::List, false),
            Mode::Filter => (KeyContext::Filter, true),
            Mode::Form(form) => (KeyContext::Form, form.focus.is_text()),
            Mode::Confirm(_)
            | Mode::LeaveForm(_)
            | Mode::ResetConfirm { .. }
            | Mode::QuitConfirm => (KeyContext::Dialog, false),
            Mode::Reveal { .. } => (KeyContext::Reveal, false),
            Mode::Help | Mode::Log => (KeyContext::Overlay, false),
        }
    }

    /// Whether the spinner should turn.
    pub fn is_busy(&self) -> bool {
        !self.in_flight.is_empty()
            || self.load.is_loading()
            || self.profiles.values().any(|p| *p == ProfileState::Loading)
    }

    pub fn selected_user(&self) -> Option<&User> {
        let index = *self.visible.get(self.selected)?;
        self.users.get(index).map(|row| &row.user)
    }

    pub fn user_in_flight(&self, user: &str) -> bool {
        self.in_flight
            .values()
            .any(|submission| submission.user == user)
    }

    /// The one place state changes.
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        if is_operator_action(&action) {
            self.status = None;
        }

        let mut commands = match action {
            Action::Tick => {
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            Action::Resize(width, height) => {
                self.size = (width, height);
                self.viewport_rows = view::list_rows(width, height, self.config.sandbox);
                self.scroll_to_selection();
                Vec::new()
            }
            Action::Reply(reply) => self.on_reply(reply),
            Action::PasswordGenerated { purpose, password } => {
                self.on_password_generated(purpose, password);
                Vec::new()
            }
            action => self.on_key_action(action),
        };

        self.show_waiting_reveal();
        commands.extend(self.fetch_selected_profile());
        commands
    }

    fn on_key_action(&mut self, action: Action) -> Vec<Command> {
        let mode = std::mem::replace(&mut self.mode, Mode::List);
        match mode {
            Mode::List => self.on_list(action),
            Mode::Filter => {
                self.mode = Mode::Filter;
                self.on_filter(action);
                Vec::new()
            }
            Mode::Form(form) => self.on_form(form, action),
            Mode::Confirm(form) => self.on_confirm(form, action),
            Mode::LeaveForm(form) => {
                match action {
                    Action::Yes => {
                        self.failed_edits.remove(&form.user);
                    }
                    Action::No | Action::Back => self.mode = Mode::Form(form),
                    _ => self.mode = Mode::LeaveForm(form),
                }
                Vec::new()
            }
            Mode::ResetConfirm { user, password } => match action {
                Action::Yes => self.submit_quick_reset(user, password),
                Action::No | Action::Back => Vec::new(),
                _ => {
                    self.mode = Mode::ResetConfirm { user, password };
                    Vec::new()
                }
            },
            Mode::Reveal { user, password } => match action {
                Action::Copy => {
                    self.say(Tone::Info, strings::COPIED.to_owned());
                    let copy = password.clone();
                    self.mode = Mode::Reveal { user, password };
                    vec![Command::CopyToClipboard(copy)]
                }
                Action::Close => Vec::new(),
                _ => {
                    self.mode = Mode::Reveal { user, password };
                    Vec::new()
                }
            },
            Mode::Help => {
                match action {
                    Action::Close | Action::ToggleHelp => {}
                    Action::ToggleLog => self.mode = Mode::Log,
                    _ => self.mode = Mode::Help,
                }
                Vec::new()
            }
            Mode::Log => {
                match action {
                    Action::Close | Action::ToggleLog => {}
                    Action::ToggleHelp => self.mode = Mode::Help,
                    _ => self.mode = Mode::Log,
                }
                Vec::new()
            }
            Mode::QuitConfirm => match action {
                Action::Yes => vec![Command::Quit],
                Action::No | Action::Back => Vec::new(),
                _ => {
                    self.mode = Mode::QuitConfirm;
                    Vec::new()
                }
            },
        }
    }

    fn on_list(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Quit if self.in_flight.is_empty() => return vec![Command::Quit],
            Action::Quit => self.mode = Mode::QuitConfirm,
            Action::MoveUp => self.select(self.selected.saturating_sub(1)),
            Action::MoveDown => self.select(self.selected.saturating_add(1)),
            Action::Top => self.select(0),
            Action::Bottom => self.select(usize::MAX),
            Action::PageUp => self.select(self.selected.saturating_sub(self.viewport_rows.max(1))),
            Action::PageDown => {
                self.select(self.selected.saturating_add(self.viewport_rows.max(1)))
            }
            Action::StartFilter => self.mode = Mode::Filter,
            Action::SortNext => {
                self.sort = self.sort.next();
                self.resort();
            }
            Action::SortReverse => {
                self.reverse = !self.reverse;
                self.resort();
            }
            Action::Edit => return self.open_form(),
            Action::Reopen => self.reopen_failed_edit(),
            Action::QuickReset => return self.start_quick_reset(),
            Action::Reload => return self.reload(),
            Action::ToggleLog => self.mode = Mode::Log,
            Action::ToggleHelp => self.mode = Mode::Help,
            _ => {}
        }
        Vec::new()
    }

    fn on_filter(&mut self, action: Action) {
        match action {
            Action::Input(request) => {
                self.filter.handle(request);
                self.apply_filter();
            }
            Action::AcceptFilter => self.mode = Mode::List,
            Action::Back => {
                self.filter.reset();
                self.apply_filter();
                self.mode = Mode::List;
            }
            _ => {}
        }
    }

    fn on_form(&mut self, mut form: Box<EditForm>, action: Action) -> Vec<Command> {
        let mut commands = Vec::new();
        match action {
            Action::NextField => form.next_field(),
            Action::PrevField => form.prev_field(),
            Action::Toggle => form.toggle(),
            Action::Input(request) => form.edit(request),
            Action::ShowPassword => form.show_password = !form.show_password,
            Action::GeneratePassword => commands.push(Command::GeneratePassword {
                purpose: PasswordPurpose::Form,
            }),
            Action::Save if !form.is_valid(&self.config.password_policy) => {
                self.say(Tone::Failure, strings::FIX_FIELDS_FIRST.to_owned());
            }
            Action::Save if form.change().is_empty() => {
                self.say(Tone::Info, strings::NOTHING_TO_CHANGE.to_owned());
            }
            Action::Save => {
                self.mode = Mode::Confirm(form);
                return commands;
            }
            Action::Back if form.is_edited() => {
                self.mode = Mode::LeaveForm(form);
                return commands;
            }
            Action::Back => return commands,
            _ => {}
        }
        self.mode = Mode::Form(form);
        commands
    }

    fn on_confirm(&mut self, form: Box<EditForm>, action: Action) -> Vec<Command> {
        match action {
            Action::Yes if self.user_in_flight(&form.user) => {
                self.say(Tone::Failure, strings::already_in_flight(&form.user));
                self.mode = Mode::Form(form);
                Vec::new()
            }
            Action::Yes => {
                let change = form.change();
                self.failed_edits.remove(&form.user);
                self.submit(change, Some(*form), None)
            }
            Action::No | Action::Back => {
                self.mode = Mode::Form(form);
                Vec::new()
            }
            _ => {
                self.mode = Mode::Confirm(form);
                Vec::new()
            }
        }
    }

    fn submit(
        &mut self,
        change: LoginProfileChange,
        form: Option<EditForm>,
        reveal: Option<SecretString>,
    ) -> Vec<Command> {
        let submit = self.next_submit;
        self.next_submit += 1;
        let fields = change
            .changed_fields()
            .into_iter()
            .map(strings::field_label)
            .collect();
        self.in_flight.insert(
            submit,
            Submission {
                user: change.user_name.clone(),
                fields,
                form,
                reveal,
                retry: None,
            },
        );
        vec![Command::Submit { submit, change }]
    }

    fn refuse_write(&mut self) -> bool {
        if self.config.readonly {
            self.say(Tone::Failure, strings::READONLY_REFUSED.to_owned());
        }
        self.config.readonly
    }

    fn open_form(&mut self) -> Vec<Command> {
        if self.refuse_write() {
            return Vec::new();
        }
        let Some(user) = self.selected_user().cloned() else {
            return Vec::new();
        };
        if let Some(form) = self.failed_edits.get(&user.user_name) {
            self.mode = Mode::Form(Box::new(form.clone()));
            return Vec::new();
        }

        match self.profiles.get(&user.user_name) {
            Some(ProfileState::Loaded(profile)) => {
                let form = EditForm::new(&user.user_name, &user.email, profile);
                self.mode = Mode::Form(Box::new(form));
                Vec::new()
            }
            Some(ProfileState::Loading) => {
                self.pending_open = Some(user.user_name.clone());
                self.say(Tone::Info, strings::waiting_for_profile(&user.user_name));
                Vec::new()
            }
            None | Some(ProfileState::Failed(_)) => {
                self.pending_open = Some(user.user_name.clone());
                self.profiles
                    .insert(user.user_name.clone(), ProfileState::Loading);
                self.say(Tone::Info, strings::waiting_for_profile(&user.user_name));
                vec![Command::FetchProfile {
                    user: user.user_name,
                }]
            }
        }
    }

    fn reopen_failed_edit(&mut self) {
        if self.refuse_write() {
            return;
        }
        let Some(user) = self.selected_user().map(|u| u.user_name.clone()) else {
            return;
        };
        match self.failed_edits.get(&user) {
            Some(form) => self.mode = Mode::Form(Box::new(form.clone())),
            None => self.say(Tone::Info, strings::no_failed_edit(&user)),
        }
    }

    fn start_quick_reset(&mut self) -> Vec<Command> {
        if self.refuse_write() {
            return Vec::new();
        }
        let Some(user) = self.selected_user().map(|u| u.user_name.clone()) else {
            return Vec::new();
        };
        if self.user_in_flight(&user) {
            self.say(Tone::Failure, strings::already_in_flight(&user));
            return Vec::new();
        }
        vec![Command::GeneratePassword {
            purpose: PasswordPurpose::QuickReset(user),
        }]
    }

    fn submit_quick_reset(&mut self, user: String, password: SecretString) -> Vec<Command> {
        if self.user_in_flight(&user) {
            self.say(Tone::Failure, strings::already_in_flight(&user));
            return Vec::new();
        }
        let mut change = LoginProfileChange::new(user);
        change.password = Some(password.clone());
        change.password_reset_required = Some(true);
        self.submit(change, None, Some(password))
    }

    fn on_password_generated(&mut self, purpose: PasswordPurpose, password: SecretString) {
        match (&mut self.mode, purpose) {
            (Mode::Form(form), PasswordPurpose::Form) => {
                form.set_password(&password);
                form.show_password = true;
                form.focus = Field::Password;
            }
            (Mode::List, PasswordPurpose::QuickReset(user)) => {
                self.mode = Mode::ResetConfirm { user, password };
            }
            // The operator moved on before the password came back: drop it.
            _ => {}
        }
    }

    fn reload(&mut self) -> Vec<Command> {
        let generation = self.load.generation + 1;
        self.load = UserLoad {
            generation,
            ..UserLoad::default()
        };
        self.users.clear();
        self.user_index.clear();
        self.order.clear();
        self.visible.clear();
        self.selected = 0;
        self.offset = 0;
        self.profiles.clear();
        vec![Command::LoadUsers { generation }]
    }

    fn on_reply(&mut self, reply: Reply) -> Vec<Command> {
        match reply {
            Reply::UsersPage {
                generation,
                offset,
                result,
            } => self.on_users_page(generation, offset, result),
            Reply::Profile { user, result } => return self.on_profile(user, result),
            Reply::Retrying {
                submit,
                attempt,
                max,
            } => {
                if let Some(submission) = self.in_flight.get_mut(&submit) {
                    submission.retry = Some((attempt, max));
                }
            }
            Reply::Submitted { submit, result } => return self.on_submitted(submit, result),
            Reply::AuditFailed { reason } => {
                self.say(Tone::Failure, strings::audit_failed(&reason));
            }
        }
        Vec::new()
    }

    fn on_users_page(&mut self, generation: u64, offset: u64, result: Result<UserPage, ApiError>) {
        if generation != self.load.generation {
            return;
        }
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                let message = strings::list_failed(&error);
                self.load.error = Some(message.clone());
                self.say(Tone::Failure, message);
                return;
            }
        };

        if offset == 0 {
            let first = page.users.len() as u64;
            let remaining = page.total_count.saturating_sub(first);
            self.load.total = Some(page.total_count);
            self.load.pages_expected =
                1 + remaining.div_ceil(u64::from(crate::api::iam::MAX_PAGE_SIZE)) as usize;
        }
        self.load.pages_received += 1;
        self.add_users(page.users);
    }

    fn add_users(&mut self, users: Vec<User>) {
        let selected = self.selected_index();
        let mut fresh = Vec::with_capacity(users.len());
        let mut replaced = false;
        for user in users {
            match self.user_index.get(&user.user_name) {
                Some(&index) => {
                    self.users[index] = UserRow::new(user);
                    replaced = true;
                }
                None => {
                    let index = self.users.len();
                    self.user_index.insert(user.user_name.clone(), index);
                    self.users.push(UserRow::new(user));
                    fresh.push(index);
                }
            }
        }

        if replaced {
            // A row changed in place may have moved: sort everything again.
            self.order.extend(fresh);
            self.sort_order();
            self.rescan_filter();
        } else {
            // A new page only adds rows: sort the page alone and merge it into
            // the order and the visible rows, so loading n users costs about
            // n per page rather than n log n (100k users: seconds, not a minute).
            fresh.sort_by(|&a, &b| self.row_ordering(a, b));
            let mut merged = std::mem::take(&mut self.merge_buffer);
            self.merge_rows(&self.order, &fresh, &mut merged);
            self.merge_buffer = std::mem::replace(&mut self.order, merged);
            if self.applied_query.is_empty() {
                self.visible.clone_from(&self.order);
            } else {
                let query = &self.applied_query;
                fresh.retain(|&i| self.users[i].matches(query));
                let mut merged = std::mem::take(&mut self.merge_buffer);
                self.merge_rows(&self.visible, &fresh, &mut merged);
                self.merge_buffer = std::mem::replace(&mut self.visible, merged);
            }
        }
        self.reselect(selected);
    }

    /// Two lists of row indices, each already in display order, as one in
    /// `merged`. The short `right` list is placed by binary search, so a page
    /// of 100 rows costs about 100 x log n comparisons, plus copying the
    /// indices. `merged` is a reused buffer: a fresh allocation per page
    /// scatters the heap and slows every later full scan of the rows.
    fn merge_rows(&self, left: &[usize], right: &[usize], merged: &mut Vec<usize>) {
        merged.clear();
        merged.reserve(left.len() + right.len());
        let mut rest = left;
        for &row in right {
            // After every equal row already there: the merge stays stable.
            let at = rest.partition_point(|&other| !self.row_ordering(row, other).is_lt());
            merged.extend_from_slice(&rest[..at]);
            merged.push(row);
            rest = &rest[at..];
        }
        merged.extend_from_slice(rest);
    }

    fn on_profile(&mut self, user: String, result: Result<LoginProfile, ApiError>) -> Vec<Command> {
        match result {
            Ok(profile) => {
                self.profiles
                    .insert(user.clone(), ProfileState::Loaded(profile));
                let waiting = self.pending_open.as_deref() == Some(user.as_str());
                if waiting && matches!(self.mode, Mode::List) {
                    self.pending_open = None;
                    let selected = self.selected_user().map(|u| u.user_name.as_str());
                    if selected == Some(user.as_str()) {
                        // The "waiting for the profile" notice has been answered.
                        self.status = None;
                        return self.open_form();
                    }
                }
            }
            Err(error) => {
                self.profiles
                    .insert(user.clone(), ProfileState::Failed(error.to_string()));
                if self.pending_open.as_deref() == Some(user.as_str()) {
                    self.pending_open = None;
                    self.say(Tone::Failure, strings::profile_failed(&user, &error));
                }
            }
        }
        Vec::new()
    }

    fn on_submitted(
        &mut self,
        submit: SubmitId,
        result: Result<Submitted, ApiError>,
    ) -> Vec<Command> {
        let Some(submission) = self.in_flight.remove(&submit) else {
            return Vec::new();
        };
        let Submission {
            user,
            fields,
            form,
            reveal,
            ..
        } = submission;

        match result {
            Ok(done) => {
                let text =
                    strings::submit_ok(&user, &fields, done.latency, done.request_id.as_deref());
                self.record(&user, &fields, true, &text);
                self.say(Tone::Success, text);
                if let Some(form) = &form {
                    self.update_listed_email(form);
                }
                if let Some(password) = reveal {
                    self.reveals.push_back((user.clone(), password));
                }
                self.profiles.insert(user.clone(), ProfileState::Loading);
                vec![Command::FetchProfile { user }]
            }
            Err(error) => {
                // The reopen key may have been given to another action.
                let keymap = &self.config.keymap;
                let reopen = [Binding::Reopen, Binding::Edit]
                    .into_iter()
                    .map(|binding| keymap.first_key(binding))
                    .find(|key| !key.is_empty())
                    .filter(|_| form.is_some());
                let text = strings::submit_failed(&user, &error, reopen.as_deref());
                self.record(&user, &fields, false, &text);
                self.say(Tone::Failure, text);
                if let Some(form) = form {
                    self.failed_edits.insert(user, form);
                }
                Vec::new()
            }
        }
    }

    fn update_listed_email(&mut self, form: &EditForm) {
        let Some(email) = form.change().email else {
            return;
        };
        if let Some(&index) = self.user_index.get(&form.user) {
            let mut user = self.users[index].user.clone();
            user.email = email;
            self.users[index] = UserRow::new(user);
        }
    }

    fn record(&mut self, user: &str, fields: &[&'static str], ok: bool, detail: &str) {
        self.log.push(LogEntry {
            user: user.to_owned(),
            fields: fields.to_vec(),
            ok,
            detail: detail.to_owned(),
        });
    }

    fn show_waiting_reveal(&mut self) {
        if matches!(self.mode, Mode::List)
            && let Some((user, password)) = self.reveals.pop_front()
        {
            self.mode = Mode::Reveal { user, password };
        }
    }

    /// The detail pane shows the selected user's profile: fetch it once.
    fn fetch_selected_profile(&mut self) -> Option<Command> {
        let user = self.selected_user()?.user_name.clone();
        if self.profiles.contains_key(&user) {
            return None;
        }
        self.profiles.insert(user.clone(), ProfileState::Loading);
        Some(Command::FetchProfile { user })
    }

    fn say(&mut self, tone: Tone, text: String) {
        self.status = Some(StatusMessage { tone, text });
    }

    fn select(&mut self, position: usize) {
        self.selected = position.min(self.visible.len().saturating_sub(1));
        self.scroll_to_selection();
    }

    /// The selected user's index in `users`: stable while rows are added,
    /// sorted or filtered, unlike its position in `visible`.
    fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    /// Selects the row of this user index again after `visible` changed. The
    /// search compares indices, not names, so it is a scan of a contiguous
    /// `Vec<usize>` rather than 100k scattered strings (benches/filter.rs).
    fn reselect(&mut self, user: Option<usize>) {
        let position = user.and_then(|index| self.visible.iter().position(|&i| i == index));
        self.select(position.unwrap_or(self.selected));
    }

    fn scroll_to_selection(&mut self) {
        let rows = self.viewport_rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(self.visible.len().saturating_sub(rows));
    }

    /// How two rows compare under the current sort column and direction.
    fn row_ordering(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let ordering = self.users[a].compare(&self.users[b], self.sort);
        if self.reverse {
            ordering.reverse()
        } else {
            ordering
        }
    }

    fn sort_order(&mut self) {
        let mut order = std::mem::take(&mut self.order);
        order.sort_by(|&a, &b| self.row_ordering(a, b));
        self.order = order;
    }

    fn resort(&mut self) {
        let selected = self.selected_index();
        self.sort_order();
        self.rescan_filter();
        self.reselect(selected);
    }

    /// Recomputes the visible rows for the filter. A query that contains the
    /// previous one can only match a subset, so only the previous matches are
    /// checked again.
    fn apply_filter(&mut self) {
        let selected = self.selected_index();
        let query = self.filter.value().to_lowercase();
        if query.contains(&self.applied_query) {
            let matched = self.matching_users(&query, Some(&self.visible));
            self.visible.retain(|&i| matched[i]);
            self.applied_query = query;
        } else {
            self.applied_query = query;
            self.rescan_filter();
        }
        self.reselect(selected);
    }

    fn rescan_filter(&mut self) {
        if self.applied_query.is_empty() {
            self.visible.clone_from(&self.order);
            return;
        }
        let matched = self.matching_users(&self.applied_query, None);
        self.visible = self.order.iter().copied().filter(|&i| matched[i]).collect();
    }

    /// Which users match `query`, by index in `users`; only `candidates` are
    /// checked when given. The rows are read in storage order, where memory
    /// is sequential, not in the sorted order of `visible`, which jumps
    /// between scattered rows: that halves a keystroke over 100k users
    /// (benches/filter.rs).
    fn matching_users(&self, query: &str, candidates: Option<&[usize]>) -> Vec<bool> {
        let mut matched = match candidates {
            Some(candidates) => {
                let mut marks = vec![false; self.users.len()];
                for &i in candidates {
                    marks[i] = true;
                }
                marks
            }
            None => vec![true; self.users.len()],
        };
        for (mark, row) in matched.iter_mut().zip(&self.users) {
            *mark = *mark && row.matches(query);
        }
        matched
    }

    /// Rows of the list in the viewport: only these are rendered.
    pub fn visible_window(&self) -> impl Iterator<Item = (usize, &UserRow)> {
        self.visible
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(self.viewport_rows)
            .map(|(position, &index)| (position, &self.users[index]))
    }
}

/// Actions that come from the operator (not replies or ticks): they clear the
/// previous status message.
fn is_operator_action(action: &Action) -> bool {
    !matches!(
        action,
        Action::Tick | Action::Resize(..) | Action::Reply(_) | Action::PasswordGenerated { .. }
    )
}
