//! Drawing: reads `&App` only. The list renders only the rows in the
//! viewport, so a frame costs the same for 30 users or 100 000.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Column, Mode, ProfileState, Tone};
use super::form::{EditForm, Field};
use super::keymap::{Binding, KeyContext};
use super::strings;
use super::text::{fit, wrap};
use super::theme::Theme;

/// Below this the layout does not fit and a message is shown instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Rows of the detail pane, its title rule included.
const DETAIL_ROWS: u16 = 4;

/// Header, list bar, column titles, status bar and key hints.
const FIXED_ROWS: u16 = 5;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

fn banner_lines(width: u16, sandbox: bool) -> Vec<String> {
    if !sandbox {
        return Vec::new();
    }
    wrap(strings::SANDBOX_BANNER, usize::from(width))
}

/// How many user rows fit on a terminal of this size.
pub fn list_rows(width: u16, height: u16, sandbox: bool) -> usize {
    let banner = banner_lines(width, sandbox).len() as u16;
    usize::from(height.saturating_sub(FIXED_ROWS + DETAIL_ROWS + banner))
}

/// Draws the whole screen.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = strings::too_small(MIN_WIDTH, MIN_HEIGHT, area.width, area.height);
        let lines: Vec<Line> = wrap(&text, usize::from(area.width))
            .into_iter()
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }

    let banner = banner_lines(area.width, app.config.sandbox);
    let [header, banner_area, list_bar, list, detail, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner.len() as u16),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(DETAIL_ROWS),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    render_header(app, theme, frame, header);
    let banner: Vec<Line> = banner.into_iter().map(Line::from).collect();
    frame.render_widget(Paragraph::new(banner).style(theme.banner), banner_area);
    render_list_bar(app, theme, frame, list_bar);
    render_list(app, theme, frame, list);
    render_detail(app, theme, frame, detail);
    render_status(app, theme, frame, status);
    render_hints(app, theme, frame, hints);

    match &app.mode {
        Mode::List | Mode::Filter => {}
        Mode::Form(form) => render_form(app, theme, frame, form),
        Mode::Confirm(form) => render_confirm(app, theme, frame, form),
        Mode::LeaveForm(form) => {
            let lines = vec![Line::from(strings::discard_edits(&form.user))];
            let hint = dialog_hint(app, strings::YES_DISCARD, strings::NO_KEEP);
            render_question(theme, frame, strings::TITLE_DISCARD, lines, &hint);
        }
        Mode::QuitConfirm => {
            let lines = vec![Line::from(strings::quit_in_flight(app.in_flight.len()))];
            let hint = dialog_hint(app, strings::YES_QUIT, strings::NO_STAY);
            render_question(theme, frame, strings::TITLE_QUIT, lines, &hint);
        }
        Mode::ResetConfirm { user, .. } => {
            let lines = strings::reset_explanation(user)
                .into_iter()
                .map(Line::from)
                .collect();
            let hint = dialog_hint(app, strings::YES_RESET, strings::NO_CANCEL);
            render_question(theme, frame, strings::TITLE_RESET, lines, &hint);
        }
        Mode::Reveal { user, password } => render_reveal(app, theme, frame, user, password),
        Mode::Help => render_help(app, theme, frame),
        Mode::Log => render_log(app, theme, frame),
    }
}

fn render_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(
        strings::header(&app.config.profile, &app.config.endpoint),
        theme.header,
    )];
    if app.config.readonly {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(strings::READ_ONLY_BADGE, theme.readonly));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

fn render_list_bar(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let load = &app.load;
    let mut spans = vec![Span::styled(
        strings::users_count(app.visible.len(), app.users.len()),
        theme.header,
    )];
    if let Some(error) = &load.error {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(strings::load_failed_short(error), theme.error));
    } else if load.is_loading() {
        spans.push(Span::raw(format!("  {} ", spinner(app))));
        spans.push(Span::raw(strings::loading_users(
            app.users.len(),
            load.total,
        )));
    }

    let filtering = matches!(app.mode, Mode::Filter);
    if filtering || !app.filter.value().is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(strings::FILTER_LABEL, theme.key));
        spans.push(Span::raw(app.filter.value().to_owned()));
    }
    let arrow = if app.reverse {
        strings::SORT_DESCENDING
    } else {
        strings::SORT_ASCENDING
    };
    spans.push(Span::styled(
        format!("  {} {} {arrow}", strings::SORT_LABEL, app.sort.title()),
        theme.dim,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);

    if filtering {
        let prefix: usize = strings::users_count(app.visible.len(), app.users.len()).width()
            + 2
            + strings::FILTER_LABEL.width()
            + list_bar_load_width(app);
        let x = area.x + (prefix + app.filter.visual_cursor()) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}

fn list_bar_load_width(app: &App) -> usize {
    if let Some(error) = &app.load.error {
        2 + strings::load_failed_short(error).width()
    } else if app.load.is_loading() {
        4 + strings::loading_users(app.users.len(), app.load.total).width()
    } else {
        0
    }
}

/// Column widths for a list this wide: marker, then the five columns.
fn column_widths(width: u16) -> [usize; 5] {
    let width = usize::from(width);
    let status = if width >= 100 { 15 } else { 9 };
    let created = 10;
    let flexible = width.saturating_sub(2 + status + created + 4);
    let name = flexible * 3 / 10;
    let display = flexible * 3 / 10;
    let email = flexible - name - display;
    [name, display, email, status, created]
}

fn row_text(marker: &str, cells: [&str; 5], widths: [usize; 5]) -> String {
    let mut line = fit(marker, 2);
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&fit(cell, width));
    }
    line
}

fn render_list(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let widths = column_widths(area.width);
    let titles = Column::ALL.map(|column| {
        if column == app.sort {
            let arrow = if app.reverse {
                strings::SORT_DESCENDING
            } else {
                strings::SORT_ASCENDING
            };
            format!("{}{arrow}", column.title())
        } else {
            column.title().to_owned()
        }
    });
    let titles = row_text("", titles.each_ref().map(String::as_str), widths);

    let mut lines = vec![Line::styled(titles, theme.column_title)];
    for (position, row) in app.visible_window() {
        let user = &row.user;
        let marker = if app.user_in_flight(&user.user_name) {
            strings::MARK_IN_FLIGHT
        } else if app.failed_edits.contains_key(&user.user_name) {
            strings::MARK_FAILED
        } else {
            ""
        };
        let created = super::text::date(user.created_at);
        let text = row_text(
            marker,
            [
                &user.user_name,
                &user.display_name,
                &user.email,
                &user.status,
                &created,
            ],
            widths,
        );
        let style = if position == app.selected {
            theme.selected
        } else {
            Style::new()
        };
        lines.push(Line::styled(text, style));
    }
    if app.visible.is_empty() && !app.load.is_loading() {
        lines.push(Line::styled(strings::NO_USERS, theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_detail(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(user) = app.selected_user() else {
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(theme.border);
        frame.render_widget(Paragraph::new(strings::NO_SELECTION).block(block), area);
        return;
    };

    let title = strings::detail_title(&user.user_name);
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(title, theme.header));
    let identity = strings::identity(
        &user.display_name,
        &user.email,
        &super::text::date(user.created_at),
    );
    let lines = match app.profiles.get(&user.user_name) {
        Some(ProfileState::Loaded(profile)) => {
            let [first, second] = strings::profile_lines(profile);
            vec![
                Line::from(first),
                Line::from(second),
                Line::styled(identity, theme.dim),
            ]
        }
        Some(ProfileState::Failed(reason)) => vec![
            Line::styled(strings::profile_load_failed(reason), theme.error),
            Line::from(""),
            Line::styled(identity, theme.dim),
        ],
        Some(ProfileState::Loading) | None => vec![
            Line::from(format!("{} {}", spinner(app), strings::LOADING_PROFILE)),
            Line::from(""),
            Line::styled(identity, theme.dim),
        ],
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_status(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    if !app.in_flight.is_empty() {
        spans.push(Span::styled(
            format!(
                "{} {}",
                spinner(app),
                strings::in_flight(app.in_flight.len())
            ),
            theme.key,
        ));
        for submission in app.in_flight.values() {
            if let Some((attempt, max)) = submission.retry {
                spans.push(Span::raw(format!(
                    "  {}",
                    strings::retrying(&submission.user, attempt, max)
                )));
            }
        }
        spans.push(Span::raw("  "));
    }
    if let Some(status) = &app.status {
        let (mark, style) = match status.tone {
            Tone::Info => ("", Style::new()),
            Tone::Success => (strings::MARK_OK, theme.success),
            Tone::Failure => (strings::MARK_FAILURE, theme.error),
        };
        spans.push(Span::styled(format!("{mark}{}", status.text), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn hint_spans(app: &App, theme: &Theme, hints: &[(Binding, &'static str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (binding, label) in hints {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.dim));
        }
        spans.push(Span::styled(
            app.config.keymap.first_key(*binding),
            theme.key,
        ));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}

fn render_hints(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let hints: &[(Binding, &str)] = match app.mode {
        Mode::Filter => &[
            (Binding::Accept, strings::HINT_KEEP),
            (Binding::Back, strings::HINT_CLEAR),
        ],
        _ => &[
            (Binding::Edit, strings::HINT_EDIT),
            (Binding::QuickReset, strings::HINT_RESET_PASSWORD),
            (Binding::Filter, strings::HINT_FILTER),
            (Binding::SortNext, strings::HINT_SORT),
            (Binding::Log, strings::HINT_LOG),
            (Binding::Help, strings::HINT_HELP),
            (Binding::Quit, strings::HINT_QUIT),
        ],
    };
    frame.render_widget(Paragraph::new(hint_spans(app, theme, hints)), area);
}

/// A centred rectangle of at most this size.
fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2));
    let height = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn popup_block(theme: &Theme, title: String) -> Block<'static> {
    Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.header))
}

const LABEL_WIDTH: usize = 18;
const VALUE_WIDTH: usize = 32;

fn render_form(app: &App, theme: &Theme, frame: &mut Frame, form: &EditForm) {
    let area = popup(frame.area(), 78, 12);
    frame.render_widget(Clear, area);
    let block = popup_block(theme, strings::form_title(&form.user));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let policy = &app.config.password_policy;
    let value_width = VALUE_WIDTH.min(usize::from(inner.width).saturating_sub(LABEL_WIDTH + 3));
    let mut lines = Vec::new();
    let mut cursor = None;
    for (row, field) in Field::ALL.into_iter().enumerate() {
        let focused = form.focus == field;
        let marker = if focused { strings::MARK_FOCUS } else { "  " };
        let label = fit(&format!("{marker}{}", field.label()), LABEL_WIDTH);
        let (value, input) = field_value(form, field);
        let scroll = input.map_or(0, |input| input.visual_scroll(value_width));
        let shown = super::text::skip_columns(&value, scroll);
        let value_style = if focused {
            theme.focused_field
        } else {
            Style::new()
        };

        let mut spans = vec![
            Span::styled(label, if focused { theme.header } else { Style::new() }),
            Span::styled(fit(&shown, value_width), value_style),
        ];
        if let Some(error) = form.error(field, policy) {
            spans.push(Span::styled(
                format!(" {}{error}", strings::MARK_FAILURE),
                theme.error,
            ));
        }
        lines.push(Line::from(spans));

        if focused && let Some(input) = input {
            let column = (input.visual_cursor() - scroll).min(value_width);
            cursor = Some(Position::new(
                inner.x + (LABEL_WIDTH + column) as u16,
                inner.y + row as u16,
            ));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(strings::FORM_NOTE, theme.dim));
    lines.push(hint_spans(
        app,
        theme,
        &[
            (Binding::NextField, strings::HINT_NEXT_FIELD),
            (Binding::Toggle, strings::HINT_TOGGLE),
            (Binding::GeneratePassword, strings::HINT_GENERATE),
            (Binding::ShowPassword, strings::HINT_SHOW),
            (Binding::Save, strings::HINT_SAVE),
            (Binding::Back, strings::HINT_BACK),
        ],
    ));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}

/// A field's text as shown, and its input when it is a text field.
fn field_value(form: &EditForm, field: Field) -> (String, Option<&tui_input::Input>) {
    match field {
        Field::Status => (form.status.as_str().to_owned(), None),
        Field::Email => (form.email.value().to_owned(), Some(&form.email)),
        Field::Password => {
            let input = form.password.input();
            let text = if input.value().is_empty() {
                String::new()
            } else if form.show_password {
                input.value().to_owned()
            } else {
                strings::MASK.repeat(input.value().width())
            };
            (text, Some(input))
        }
        Field::MaxPasswordAge => (
            form.max_password_age.value().to_owned(),
            Some(&form.max_password_age),
        ),
        Field::MfaRequired => (strings::yes_no(form.mfa_bind_required).to_owned(), None),
        Field::ResetRequired => (
            strings::yes_no(form.password_reset_required).to_owned(),
            None,
        ),
    }
}

fn render_confirm(app: &App, theme: &Theme, frame: &mut Frame, form: &EditForm) {
    let lines = form.diff_lines().into_iter().map(Line::from).collect();
    let hint = dialog_hint(app, strings::YES_SUBMIT, strings::NO_CANCEL);
    render_question(
        theme,
        frame,
        &strings::confirm_title(&form.user),
        lines,
        &hint,
    );
}

fn dialog_hint(app: &App, yes: &str, no: &str) -> String {
    let keymap = &app.config.keymap;
    let no_keys: Vec<String> = keymap
        .keys(Binding::No)
        .iter()
        .map(ToString::to_string)
        .collect();
    strings::dialog_hint(&keymap.first_key(Binding::Yes), yes, &no_keys.join("/"), no)
}

fn render_question(
    theme: &Theme,
    frame: &mut Frame,
    title: &str,
    mut lines: Vec<Line>,
    hint: &str,
) {
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(hint.width())
        .max(title.width() + 4);
    let height = lines.len() as u16 + 4;
    let area = popup(frame.area(), width as u16 + 4, height);
    frame.render_widget(Clear, area);
    let block = popup_block(theme, title.to_owned());
    lines.push(Line::from(""));
    lines.push(Line::styled(hint.to_owned(), theme.key));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_reveal(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    user: &str,
    password: &secrecy::SecretString,
) {
    use secrecy::ExposeSecret;
    let lines = vec![
        Line::from(strings::reveal_intro(user)),
        Line::from(""),
        Line::styled(format!("  {}", password.expose_secret()), theme.header),
        Line::from(""),
        Line::styled(strings::REVEAL_ONCE, theme.dim),
    ];
    let copy = app.config.keymap.first_key(Binding::Copy);
    let close = app.config.keymap.first_key(Binding::Close);
    render_question(
        theme,
        frame,
        strings::TITLE_REVEAL,
        lines,
        &strings::reveal_hint(&copy, &close),
    );
}

fn help_lines(app: &App, theme: &Theme, contexts: &[KeyContext]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for &context in contexts {
        lines.push(Line::styled(strings::context_title(context), theme.header));
        for binding in Binding::ALL
            .into_iter()
            .filter(|b| b.contexts().contains(&context))
        {
            let keys: Vec<String> = app
                .config
                .keymap
                .keys(binding)
                .iter()
                .map(ToString::to_string)
                .collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", fit(&keys.join(" "), 16)), theme.key),
                Span::raw(format!(" {}", strings::binding_help(binding))),
            ]));
        }
    }
    lines
}

fn render_help(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = popup(frame.area(), 110, 26);
    frame.render_widget(Clear, area);
    let block = popup_block(theme, strings::TITLE_HELP.to_owned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
    let left_lines = help_lines(app, theme, &[KeyContext::List]);
    let right_lines = help_lines(
        app,
        theme,
        &[
            KeyContext::Form,
            KeyContext::Filter,
            KeyContext::Dialog,
            KeyContext::Reveal,
            KeyContext::Overlay,
        ],
    );
    frame.render_widget(Paragraph::new(left_lines), left);
    frame.render_widget(Paragraph::new(right_lines), right);
}

fn render_log(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = popup(frame.area(), 110, 24);
    frame.render_widget(Clear, area);
    let block = popup_block(theme, strings::TITLE_LOG.to_owned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let rows = usize::from(inner.height);
    let mut lines: Vec<Line> = app
        .log
        .iter()
        .rev()
        .take(rows)
        .rev()
        .map(|entry| {
            let (mark, style) = if entry.ok {
                (strings::MARK_OK, theme.success)
            } else {
                (strings::MARK_FAILURE, theme.error)
            };
            Line::styled(format!("{mark}{}", entry.detail), style)
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(strings::LOG_EMPTY, theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
