//! The login-profile edit form: prefilled from the loaded profile, validated
//! as the operator types, and turned into a partial change holding only the
//! fields that differ from what was loaded.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use tui_input::{Input, InputRequest};
use zeroize::Zeroize;

use crate::api::{LoginProfile, LoginProfileChange, ProfileStatus};
use crate::password::PasswordPolicy;

use super::strings;

/// The most days `MaxPasswordAge` accepts.
pub const MAX_PASSWORD_AGE_DAYS: u32 = 1095;

/// The form's fields, in the order Tab visits them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Status,
    Email,
    Password,
    MaxPasswordAge,
    MfaRequired,
    ResetRequired,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Status,
        Field::Email,
        Field::Password,
        Field::MaxPasswordAge,
        Field::MfaRequired,
        Field::ResetRequired,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Status => strings::FIELD_STATUS,
            Self::Email => strings::FIELD_EMAIL,
            Self::Password => strings::FIELD_PASSWORD,
            Self::MaxPasswordAge => strings::FIELD_MAX_AGE,
            Self::MfaRequired => strings::FIELD_MFA,
            Self::ResetRequired => strings::FIELD_RESET,
        }
    }

    /// Whether typing edits this field (the others toggle).
    pub fn is_text(self) -> bool {
        matches!(self, Self::Email | Self::Password | Self::MaxPasswordAge)
    }

    fn offset(self, step: isize) -> Self {
        let index = Self::ALL
            .iter()
            .position(|field| *field == self)
            .unwrap_or(0) as isize;
        let count = Self::ALL.len() as isize;
        Self::ALL[(index + step).rem_euclid(count) as usize]
    }
}

/// A text input whose content is a password: hidden from `Debug`, wiped on
/// drop. tui-input keeps its own cut buffer (Ctrl-w, Ctrl-u), which cannot be
/// reached to wipe; that copy lives only as long as the form.
#[derive(Clone, Default)]
pub struct PasswordInput(Input);

impl PasswordInput {
    pub fn input(&self) -> &Input {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.value().is_empty()
    }

    fn set(&mut self, password: &SecretString) {
        self.wipe();
        self.0 = Input::new(password.expose_secret().to_owned());
    }

    fn wipe(&mut self) {
        let mut old: String = std::mem::take(&mut self.0).into();
        old.zeroize();
    }
}

impl Drop for PasswordInput {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for PasswordInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_empty() {
            "PasswordInput(empty)"
        } else {
            "PasswordInput(***)"
        })
    }
}

/// The form for one user's login profile.
#[derive(Clone, Debug)]
pub struct EditForm {
    pub user: String,
    /// The login profile as loaded; what "changed" is measured against.
    pub original: LoginProfile,
    /// The user's email as listed (the login profile does not carry it).
    pub original_email: String,
    pub status: ProfileStatus,
    pub email: Input,
    pub password: PasswordInput,
    pub show_password: bool,
    pub max_password_age: Input,
    pub mfa_bind_required: bool,
    pub password_reset_required: bool,
    pub focus: Field,
}

impl EditForm {
    /// A form showing the current values.
    pub fn new(user: &str, email: &str, profile: &LoginProfile) -> Self {
        Self {
            user: user.to_owned(),
            original: profile.clone(),
            original_email: email.to_owned(),
            status: profile.status,
            email: Input::new(email.to_owned()),
            password: PasswordInput::default(),
            show_password: false,
            max_password_age: Input::new(profile.max_password_age.to_string()),
            mfa_bind_required: profile.mfa_bind_required,
            password_reset_required: profile.password_reset_required,
            focus: Field::Status,
        }
    }

    pub fn next_field(&mut self) {
        self.focus = self.focus.offset(1);
    }

    pub fn prev_field(&mut self) {
        self.focus = self.focus.offset(-1);
    }

    /// Space: cycles the status or flips a yes/no field.
    pub fn toggle(&mut self) {
        match self.focus {
            Field::Status => self.status = self.status.toggled(),
            Field::MfaRequired => self.mfa_bind_required = !self.mfa_bind_required,
            Field::ResetRequired => self.password_reset_required = !self.password_reset_required,
            Field::Email | Field::Password | Field::MaxPasswordAge => {}
        }
    }

    /// A line-editing key on the focused text field.
    pub fn edit(&mut self, request: InputRequest) {
        match self.focus {
            Field::Email => {
                self.email.handle(request);
            }
            Field::Password => {
                self.password.0.handle(request);
            }
            Field::MaxPasswordAge => {
                self.max_password_age.handle(request);
            }
            Field::Status | Field::MfaRequired | Field::ResetRequired => {}
        }
    }

    pub fn set_password(&mut self, password: &SecretString) {
        self.password.set(password);
    }

    /// The problem with a field's current value, if any.
    pub fn error(&self, field: Field, policy: &PasswordPolicy) -> Option<String> {
        match field {
            Field::Email => self.email_error(),
            Field::Password if self.password.is_empty() => None,
            Field::Password => policy
                .check(self.password.0.value())
                .err()
                .map(|e| e.to_string()),
            Field::MaxPasswordAge => self.max_password_age_error(),
            Field::Status | Field::MfaRequired | Field::ResetRequired => None,
        }
    }

    pub fn is_valid(&self, policy: &PasswordPolicy) -> bool {
        Field::ALL
            .iter()
            .all(|field| self.error(*field, policy).is_none())
    }

    fn email_error(&self) -> Option<String> {
        let email = self.email.value();
        if email == self.original_email {
            return None;
        }
        if email.is_empty() {
            return Some(strings::ERROR_EMAIL_EMPTY.to_owned());
        }
        (!looks_like_email(email)).then(|| strings::ERROR_EMAIL_SHAPE.to_owned())
    }

    fn max_password_age_error(&self) -> Option<String> {
        match self.max_password_age.value().parse::<u32>() {
            Ok(days) if days <= MAX_PASSWORD_AGE_DAYS => None,
            Ok(_) => Some(strings::error_max_age_range(MAX_PASSWORD_AGE_DAYS)),
            Err(_) => Some(strings::error_max_age_number(MAX_PASSWORD_AGE_DAYS)),
        }
    }

    /// The change to send: only fields that differ from what was loaded; an
    /// empty password means "keep the current one".
    pub fn change(&self) -> LoginProfileChange {
        let max_age = self
            .max_password_age
            .value()
            .parse()
            .unwrap_or(self.original.max_password_age);
        let email = self.email.value();

        let mut change = LoginProfileChange::new(self.user.clone());
        change.status = differs(self.status, self.original.status);
        change.email = (email != self.original_email).then(|| email.to_owned());
        change.password = (!self.password.is_empty())
            .then(|| SecretString::from(self.password.0.value().to_owned()));
        change.max_password_age = differs(max_age, self.original.max_password_age);
        change.mfa_bind_required = differs(self.mfa_bind_required, self.original.mfa_bind_required);
        change.password_reset_required = differs(
            self.password_reset_required,
            self.original.password_reset_required,
        );
        change
    }

    /// Whether the operator typed or toggled anything (even if invalid).
    pub fn is_edited(&self) -> bool {
        self.max_password_age.value() != self.original.max_password_age.to_string()
            || !self.change().is_empty()
    }

    /// One line per changed field, `Field: old -> new`; the password only
    /// says a new one is set.
    pub fn diff_lines(&self) -> Vec<String> {
        let change = self.change();
        let yes_no = strings::yes_no;
        let mut lines = Vec::new();
        if let Some(status) = change.status {
            lines.push(strings::diff(
                Field::Status.label(),
                self.original.status.as_str(),
                status.as_str(),
            ));
        }
        if let Some(email) = &change.email {
            let old = if self.original_email.is_empty() {
                strings::NONE
            } else {
                &self.original_email
            };
            lines.push(strings::diff(Field::Email.label(), old, email));
        }
        if change.password.is_some() {
            lines.push(format!(
                "{}: {}",
                Field::Password.label(),
                strings::NEW_PASSWORD_SET
            ));
        }
        if let Some(days) = change.max_password_age {
            let old = strings::days(self.original.max_password_age);
            lines.push(strings::diff(
                Field::MaxPasswordAge.label(),
                &old,
                &strings::days(days),
            ));
        }
        if let Some(mfa) = change.mfa_bind_required {
            let old = yes_no(self.original.mfa_bind_required);
            lines.push(strings::diff(Field::MfaRequired.label(), old, yes_no(mfa)));
        }
        if let Some(reset) = change.password_reset_required {
            let old = yes_no(self.original.password_reset_required);
            lines.push(strings::diff(
                Field::ResetRequired.label(),
                old,
                yes_no(reset),
            ));
        }
        lines
    }
}

fn differs<T: PartialEq>(new: T, old: T) -> Option<T> {
    (new != old).then_some(new)
}

/// A plausible address: one `@`, something before it, a dotted domain after
/// it, no spaces. The service has the last word.
pub fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        for good in ["a@b.co", "zoë.müller@例え.jp", "x+tag@mail.example.org"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@.b.co", "a@b..co", "a@b.co.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn tab_wraps_around() {
        let mut form = EditForm::new("alice", "a@b.co", &LoginProfile::default());
        form.prev_field();
        assert_eq!(form.focus, Field::ResetRequired);
        form.next_field();
        form.next_field();
        assert_eq!(form.focus, Field::Email);
    }

    #[test]
    fn password_is_hidden_from_debug() {
        let mut form = EditForm::new("alice", "a@b.co", &LoginProfile::default());
        form.set_password(&SecretString::from("Zq7#visible-in-debug"));
        assert!(!format!("{form:?}").contains("visible-in-debug"));
    }
}
