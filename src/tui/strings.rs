//! Every piece of text the TUI shows, in one place.

use std::time::Duration;

use crate::api::{ApiError, LoginProfile};

use super::keymap::{Binding, KeyContext};

pub const COL_USER_NAME: &str = "UserName";
pub const COL_DISPLAY_NAME: &str = "DisplayName";
pub const COL_EMAIL: &str = "Email";
pub const COL_STATUS: &str = "Status";
pub const COL_CREATED: &str = "Created";

pub const FIELD_STATUS: &str = "Status";
pub const FIELD_EMAIL: &str = "Email";
pub const FIELD_PASSWORD: &str = "Password";
pub const FIELD_MAX_AGE: &str = "Max password age";
pub const FIELD_MFA: &str = "MFA required";
pub const FIELD_RESET: &str = "Reset required";

pub const SANDBOX_BANNER: &str = "LOCAL SANDBOX: not a real account, changes stay on this machine. \
     To connect an account set UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY, or a profile in \
     config.toml (see README).";
pub const READ_ONLY_BADGE: &str = " READ-ONLY ";
pub const READONLY_REFUSED: &str =
    "read-only session: changes are disabled (started with --readonly)";

pub const MARK_IN_FLIGHT: &str = "*";
pub const MARK_FAILED: &str = "!";
pub const MARK_OK: &str = "✓ ";
pub const MARK_FAILURE: &str = "✗ ";
pub const MARK_FOCUS: &str = "› ";
pub const MASK: &str = "•";
pub const NONE: &str = "(none)";

pub const FILTER_LABEL: &str = "filter: ";
pub const SORT_LABEL: &str = "sort:";
pub const SORT_ASCENDING: &str = "↑";
pub const SORT_DESCENDING: &str = "↓";
pub const NO_USERS: &str = "  no users match";
pub const NO_SELECTION: &str = "no user selected";
pub const LOADING_PROFILE: &str = "loading login profile…";

pub const ERROR_EMAIL_EMPTY: &str = "enter an email address";
pub const ERROR_EMAIL_SHAPE: &str = "not an email address (name@example.com)";
pub const NEW_PASSWORD_SET: &str = "new password set";
pub const FORM_NOTE: &str = "An empty password keeps the current one.";
pub const FIX_FIELDS_FIRST: &str = "fix the marked fields first";
pub const NOTHING_TO_CHANGE: &str = "nothing to change";
pub const COPIED: &str = "copied to the clipboard (OSC 52; the terminal must allow it)";
pub const REVEAL_ONCE: &str = "Shown once: it is wiped from memory when this dialog closes.";
pub const LOG_EMPTY: &str = "No changes submitted in this session.";

pub const TITLE_DISCARD: &str = "Discard edits?";
pub const TITLE_QUIT: &str = "Quit?";
pub const TITLE_RESET: &str = "Reset password?";
pub const TITLE_REVEAL: &str = "New password";
pub const TITLE_HELP: &str = "Keys";
pub const TITLE_LOG: &str = "Changes this session";

pub const HINT_KEEP: &str = "keep filter";
pub const HINT_CLEAR: &str = "clear filter";
pub const HINT_EDIT: &str = "edit";
pub const HINT_RESET_PASSWORD: &str = "reset password";
pub const HINT_FILTER: &str = "filter";
pub const HINT_SORT: &str = "sort";
pub const HINT_LOG: &str = "log";
pub const HINT_HELP: &str = "help";
pub const HINT_QUIT: &str = "quit";
pub const HINT_NEXT_FIELD: &str = "next";
pub const HINT_TOGGLE: &str = "toggle";
pub const HINT_GENERATE: &str = "generate";
pub const HINT_SHOW: &str = "show";
pub const HINT_SAVE: &str = "save";
pub const HINT_BACK: &str = "back";

pub const YES_SUBMIT: &str = "submit";
pub const YES_DISCARD: &str = "discard";
pub const YES_QUIT: &str = "quit anyway";
pub const YES_RESET: &str = "reset";
pub const NO_CANCEL: &str = "cancel (default)";
pub const NO_KEEP: &str = "keep editing";
pub const NO_STAY: &str = "stay";

pub fn header(profile: &str, endpoint: &str) -> String {
    format!("ucam · profile {profile} · {endpoint}")
}

pub fn too_small(min_width: u16, min_height: u16, width: u16, height: u16) -> String {
    format!(
        "Terminal too small: ucam needs {min_width}x{min_height}, this one is {width}x{height}. Enlarge the window."
    )
}

pub fn users_count(shown: usize, loaded: usize) -> String {
    if shown == loaded {
        format!("Users {loaded}")
    } else {
        format!("Users {shown} of {loaded}")
    }
}

pub fn loading_users(loaded: usize, total: Option<u64>) -> String {
    match total {
        Some(total) => format!("loading {loaded}/{total}"),
        None => "loading…".to_owned(),
    }
}

pub fn load_failed_short(error: &str) -> String {
    format!("{MARK_FAILURE}{error}")
}

pub fn list_failed(error: &ApiError) -> String {
    format!("could not list users: {error} (ctrl-r reloads)")
}

pub fn detail_title(user: &str) -> String {
    format!(" Login profile: {user} ")
}

pub fn identity(display_name: &str, email: &str, created: &str) -> String {
    let email = if email.is_empty() { NONE } else { email };
    format!("{display_name} <{email}>, created {created}")
}

pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

pub fn days(days: u32) -> String {
    match days {
        0 => "0 (never expires)".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

pub fn profile_lines(profile: &LoginProfile) -> [String; 2] {
    [
        format!(
            "{FIELD_STATUS}: {}    {FIELD_MAX_AGE}: {}",
            profile.status,
            days(profile.max_password_age)
        ),
        format!(
            "{FIELD_MFA}: {}    {FIELD_RESET}: {}",
            yes_no(profile.mfa_bind_required),
            yes_no(profile.password_reset_required)
        ),
    ]
}

pub fn profile_load_failed(reason: &str) -> String {
    format!("{MARK_FAILURE}could not load the login profile: {reason}")
}

pub fn profile_failed(user: &str, error: &ApiError) -> String {
    format!("{user}: could not load the login profile: {error}")
}

pub fn waiting_for_profile(user: &str) -> String {
    format!("loading {user}'s login profile; the form opens when it arrives")
}

pub fn no_failed_edit(user: &str) -> String {
    format!("{user} has no failed edit to reopen")
}

pub fn already_in_flight(user: &str) -> String {
    format!("{user}: a change is already in flight; wait for its result")
}

pub fn error_max_age_range(max: u32) -> String {
    format!("0 to {max} days")
}

pub fn error_max_age_number(max: u32) -> String {
    format!("a whole number of days, 0 to {max}")
}

pub fn diff(label: &str, old: &str, new: &str) -> String {
    format!("{label}: {old} -> {new}")
}

/// The form label of an `UpdateLoginProfile` wire field.
pub fn field_label(wire_name: &str) -> &'static str {
    match wire_name {
        "Status" => FIELD_STATUS,
        "UserEmail" => FIELD_EMAIL,
        "Password" => FIELD_PASSWORD,
        "MaxPasswordAge" => FIELD_MAX_AGE,
        "MFABindRequired" => FIELD_MFA,
        "PasswordResetRequired" => FIELD_RESET,
        _ => "other field",
    }
}

pub fn form_title(user: &str) -> String {
    format!("Edit login profile: {user}")
}

pub fn confirm_title(user: &str) -> String {
    format!("Submit these changes for {user}?")
}

pub fn discard_edits(user: &str) -> String {
    format!("Your edits to {user} have not been submitted.")
}

pub fn quit_in_flight(count: usize) -> String {
    match count {
        1 => "1 change is still in flight; its result will not be shown.".to_owned(),
        n => format!("{n} changes are still in flight; their results will not be shown."),
    }
}

pub fn reset_explanation(user: &str) -> Vec<String> {
    vec![
        format!("Give {user} a new generated password?"),
        format!("{user} must change it at the next sign-in."),
        "The password is shown once after the change succeeds.".to_owned(),
    ]
}

pub fn reveal_intro(user: &str) -> String {
    format!("{user}'s new password (must be changed at next sign-in):")
}

pub fn reveal_hint(copy_key: &str, close_key: &str) -> String {
    format!("{copy_key} copy to clipboard · {close_key} close")
}

pub fn dialog_hint(yes_key: &str, yes: &str, no_keys: &str, no: &str) -> String {
    format!("{yes_key} {yes} · {no_keys} {no}")
}

pub fn in_flight(count: usize) -> String {
    format!("{count} in flight")
}

pub fn retrying(user: &str, attempt: u32, max: u32) -> String {
    format!("{user}: retrying ({attempt}/{max})")
}

fn milliseconds(latency: Duration) -> u128 {
    latency.as_millis()
}

pub fn submit_ok(
    user: &str,
    fields: &[&str],
    latency: Duration,
    request_id: Option<&str>,
) -> String {
    format!(
        "{user}: saved {} in {} ms (request id {})",
        fields.join(", "),
        milliseconds(latency),
        request_id.unwrap_or("none")
    )
}

pub fn submit_failed(user: &str, error: &ApiError, reopen_key: Option<&str>) -> String {
    let reason = match error {
        ApiError::RetCode {
            code,
            message,
            request_id,
            ..
        } => format!(
            "RetCode {code}: {message} (request id {})",
            request_id.as_deref().unwrap_or("none")
        ),
        other => other.to_string(),
    };
    match reopen_key {
        Some(key) => format!("{user}: not saved: {reason}; {key} reopens the edit"),
        None => format!("{user}: not saved: {reason}"),
    }
}

pub fn audit_failed(reason: &str) -> String {
    format!("could not write the audit file: {reason}")
}

pub fn context_title(context: KeyContext) -> &'static str {
    match context {
        KeyContext::List => "User list",
        KeyContext::Filter => "Filter",
        KeyContext::Form => "Edit form",
        KeyContext::Dialog => "Questions",
        KeyContext::Reveal => "New password",
        KeyContext::Overlay => "Help and log",
    }
}

pub fn binding_help(binding: Binding) -> &'static str {
    match binding {
        Binding::Quit => "quit (asks while changes are in flight)",
        Binding::Up => "previous user",
        Binding::Down => "next user",
        Binding::Top => "first user",
        Binding::Bottom => "last user",
        Binding::PageUp => "page up",
        Binding::PageDown => "page down",
        Binding::Filter => "filter by name, display name, email",
        Binding::SortNext => "sort by the next column",
        Binding::SortReverse => "reverse the sort",
        Binding::Edit => "edit the login profile",
        Binding::QuickReset => "reset the password (generated)",
        Binding::Reopen => "reopen a failed edit",
        Binding::Reload => "reload the user list",
        Binding::Log => "changes this session",
        Binding::Help => "this help",
        Binding::Accept => "keep the filter",
        Binding::NextField => "next field",
        Binding::PrevField => "previous field",
        Binding::Toggle => "toggle yes/no, cycle status",
        Binding::GeneratePassword => "generate a password",
        Binding::ShowPassword => "show or hide the password",
        Binding::Save => "review and submit",
        Binding::Back => "back, cancel",
        Binding::Yes => "yes",
        Binding::No => "no (the default)",
        Binding::Copy => "copy (OSC 52)",
        Binding::Close => "close",
    }
}
