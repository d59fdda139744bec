//! Output shapes shared by the subcommands: aligned tables measured in display
//! width, the JSON forms of users and login profiles, and UTC timestamps.

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::{LoginProfile, User};

/// A user as the CLI's JSON shows it.
#[derive(Debug, Serialize)]
pub struct UserJson<'a> {
    pub user_name: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub status: &'a str,
    pub created_at: String,
}

impl<'a> From<&'a User> for UserJson<'a> {
    fn from(user: &'a User) -> Self {
        Self {
            user_name: &user.user_name,
            display_name: &user.display_name,
            email: &user.email,
            status: &user.status,
            created_at: crate::timefmt::rfc3339(user.created_at),
        }
    }
}

/// A login profile as the CLI's JSON shows it.
#[derive(Debug, Serialize)]
pub struct LoginProfileJson {
    pub status: &'static str,
    pub max_password_age: u32,
    pub mfa_bind_required: bool,
    pub password_reset_required: bool,
}

impl From<&LoginProfile> for LoginProfileJson {
    fn from(profile: &LoginProfile) -> Self {
        Self {
            status: profile.status.as_str(),
            max_password_age: profile.max_password_age,
            mfa_bind_required: profile.mfa_bind_required,
            password_reset_required: profile.password_reset_required,
        }
    }
}

/// Lays out rows under a header, each column as wide as its widest cell in
/// terminal columns (CJK characters take two), separated by two spaces.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }

    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|cell| (*cell).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (index, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if index > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.width())));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `key: value` lines with the values aligned.
pub fn key_values(pairs: &[(&str, String)]) -> String {
    let key_width = pairs.iter().map(|(key, _)| key.width()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(key, value)| {
            let pad = " ".repeat(key_width - key.width());
            format!("{key}:{pad} {value}\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_by_display_width() {
        let rows = vec![
            vec!["张伟".to_owned(), "Active".to_owned()],
            vec!["bob".to_owned(), "Inactive".to_owned()],
        ];
        let text = table(&["USER", "STATUS"], &rows);

        assert_eq!(
            text,
            "USER  STATUS\n\
             张伟  Active\n\
             bob   Inactive\n"
        );
    }

    #[test]
    fn key_values_align() {
        let text = key_values(&[("user", "alice".into()), ("mfa required", "true".into())]);
        assert_eq!(text, "user:         alice\nmfa required: true\n");
    }
}
