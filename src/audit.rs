//! The audit file: one JSON line per submitted change, appended and flushed
//! per line, never a secret.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::paths::create_private_dir;

/// One submitted change and its outcome.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub time: String,
    pub profile: String,
    pub endpoint: String,
    pub user: String,
    /// Wire names of the fields changed, e.g. `["UserEmail", "Password"]`.
    pub fields: Vec<String>,
    /// `ok` or `failed`.
    pub outcome: String,
    pub ret_code: Option<i64>,
    pub request_id: Option<String>,
}

/// The `outcome` of a change the service accepted.
pub const OUTCOME_OK: &str = "ok";

/// The `outcome` of a change that was refused or never arrived.
pub const OUTCOME_FAILED: &str = "failed";

impl AuditEntry {
    /// An entry stamped with the current time, outcome `ok`, no RetCode or
    /// request id yet; see [`AuditEntry::with_outcome`].
    pub fn now(
        profile: impl Into<String>,
        endpoint: impl Into<String>,
        user: impl Into<String>,
        fields: Vec<String>,
    ) -> Self {
        Self {
            time: rfc3339_utc(SystemTime::now()),
            profile: profile.into(),
            endpoint: endpoint.into(),
            user: user.into(),
            fields,
            outcome: OUTCOME_OK.into(),
            ret_code: None,
            request_id: None,
        }
    }

    /// Records how the change ended.
    pub fn with_outcome(
        mut self,
        succeeded: bool,
        ret_code: Option<i64>,
        request_id: Option<String>,
    ) -> Self {
        self.outcome = if succeeded {
            OUTCOME_OK
        } else {
            OUTCOME_FAILED
        }
        .into();
        self.ret_code = ret_code;
        self.request_id = request_id;
        self
    }
}

/// Appends entries to `audit.jsonl`.
#[derive(Clone, Debug)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Appends one line and flushes it to disk. The file is created readable
    /// by the owner only (on unix), its directory too.
    pub fn append(&self, entry: &AuditEntry) -> io::Result<()> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent)?;
        }

        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');

        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path)?;

        // One write of the whole line: with O_APPEND, two processes appending
        // at once cannot interleave inside a line.
        file.write_all(&line)?;
        file.flush()?;
        file.sync_data()
    }
}

/// Formats a time as RFC 3339 in UTC with milliseconds,
/// e.g. `2024-02-29T13:05:09.250Z`. Times before 1970 are clamped to it.
pub fn rfc3339_utc(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let days = seconds / 86_400;
    let of_day = seconds % 86_400;
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// The proleptic Gregorian (year, month, day) of a count of days since
/// 1970-01-01.
fn civil_date(days_since_epoch: u64) -> (u64, u64, u64) {
    // Count from 0000-03-01 so the leap day falls at the end of each year, and
    // split into 400-year eras of 146 097 days.
    let days = days_since_epoch + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months from March: 153 days per five months.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_millis(millis)
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_utc(at(951_782_400, 0)), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            rfc3339_utc(at(1_709_211_909, 250)),
            "2024-02-29T13:05:09.250Z"
        );
        assert_eq!(
            rfc3339_utc(at(1_735_689_599, 999)),
            "2024-12-31T23:59:59.999Z"
        );
        assert_eq!(
            rfc3339_utc(at(4_107_542_400, 0)),
            "2100-03-01T00:00:00.000Z"
        );
    }

    #[test]
    fn civil_date_walks_every_day_in_order() {
        // Across 1970..2400: each day follows the previous one by the calendar.
        let mut previous = civil_date(0);
        assert_eq!(previous, (1970, 1, 1));
        for days in 1..157_000 {
            let (year, month, day) = civil_date(days);
            let (p_year, p_month, _) = previous;
            if day == 1 {
                let next_month = if p_month == 12 { 1 } else { p_month + 1 };
                assert_eq!(month, next_month, "day {days}");
                assert_eq!(year, if month == 1 { p_year + 1 } else { p_year });
            } else {
                assert_eq!((year, month, day), (p_year, p_month, previous.2 + 1));
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let month_length = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            assert!(day <= month_length, "{year}-{month}-{day}");
            previous = (year, month, day);
        }
    }

    #[test]
    fn two_appends_give_two_parseable_lines() {
        let root = tempfile::tempdir().unwrap();
        let log = AuditLog::new(root.path().join("data").join("audit.jsonl"));
        let first = AuditEntry::now("default", "https://api.scloudsg.com", "alice", vec![]);
        let second = AuditEntry::now(
            "work",
            "http://127.0.0.1:8080",
            "bob",
            vec!["UserEmail".into(), "Password".into()],
        )
        .with_outcome(false, Some(172), Some("req-9".into()));

        log.append(&first).unwrap();
        log.append(&second).unwrap();

        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["user"], "alice");
        assert_eq!(lines[0]["outcome"], "ok");
        assert_eq!(
            lines[1]["fields"],
            serde_json::json!(["UserEmail", "Password"])
        );
        assert_eq!(lines[1]["outcome"], "failed");
        assert_eq!(lines[1]["ret_code"], 172);
        assert_eq!(lines[1]["request_id"], "req-9");
        let time = lines[1]["time"].as_str().unwrap();
        assert_eq!(time.len(), "2024-02-29T13:05:09.250Z".len());
        assert!(time.ends_with('Z'));
    }

    #[cfg(unix)]
    #[test]
    fn audit_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let log = AuditLog::new(root.path().join("audit.jsonl"));
        log.append(&AuditEntry::now("p", "e", "u", vec![])).unwrap();
        let mode = std::fs::metadata(log.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
