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
            created_at: rfc3339(user.created_at),
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

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let seconds = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The current time as RFC 3339, UTC.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    rfc3339(i64::try_from(now).unwrap_or(i64::MAX))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// algorithm), so no date crate is needed for one timestamp format.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

    #[test]
    fn timestamps_are_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
