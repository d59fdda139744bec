//! The audit file: one JSON line per submitted change, appended and flushed
//! per line, never a secret.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::SystemTime;

use serde::Serialize;

use crate::api::{ApiError, ApiResponse, LoginProfileChange};
use crate::paths::create_private_dir;
use crate::timefmt::rfc3339_millis;

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
    /// The line for a finished submit: field names, never their values.
    pub fn for_change(
        profile: &str,
        endpoint: &str,
        change: &LoginProfileChange,
        result: &Result<ApiResponse<()>, ApiError>,
        time: SystemTime,
    ) -> Self {
        let (outcome, ret_code, request_id) = match result {
            Ok(response) => (OUTCOME_OK, Some(0), response.request_id.clone()),
            Err(error) => (
                OUTCOME_FAILED,
                error.ret_code(),
                error.request_id().map(str::to_owned),
            ),
        };
        Self {
            time: rfc3339_millis(time),
            profile: profile.to_owned(),
            endpoint: endpoint.to_owned(),
            user: change.user_name.clone(),
            fields: change
                .changed_fields()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            outcome: outcome.to_owned(),
            ret_code,
            request_id,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(unix_seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix_seconds)
    }

    fn change(user: &str) -> LoginProfileChange {
        LoginProfileChange::new(user)
    }

    fn ok(request_id: &str) -> Result<ApiResponse<()>, ApiError> {
        Ok(ApiResponse {
            body: (),
            request_id: Some(request_id.into()),
            latency: Duration::from_millis(5),
        })
    }

    #[test]
    fn entry_names_fields_not_values() {
        let mut change = change("alice");
        change.password = Some(SecretString::from("Hunter2!Secret"));
        change.email = Some("alice@new.example".into());

        let entry = AuditEntry::for_change(
            "prod",
            "https://api.example/",
            &change,
            &ok("rid-1"),
            at(1_700_000_000),
        );
        let line = serde_json::to_string(&entry).unwrap();

        assert_eq!(entry.fields, ["UserEmail", "Password"]);
        assert_eq!(entry.outcome, "ok");
        assert_eq!(entry.time, "2023-11-14T22:13:20.000Z");
        assert_eq!(entry.request_id.as_deref(), Some("rid-1"));
        assert!(!line.contains("Hunter2"));
        assert!(!line.contains("alice@new.example"));
    }

    #[test]
    fn two_appends_give_two_parseable_lines() {
        let root = tempfile::tempdir().unwrap();
        let log = AuditLog::new(root.path().join("data").join("audit.jsonl"));
        let first = AuditEntry::for_change(
            "default",
            "https://api.scloudsg.com",
            &change("alice"),
            &ok("req-1"),
            SystemTime::now(),
        );
        let mut bob = change("bob");
        bob.email = Some("bob@example.org".into());
        bob.password = Some(SecretString::from("Pa55word!x"));
        let refused = Err(ApiError::RetCode {
            action: "UpdateLoginProfile".into(),
            code: 172,
            message: "no such user".into(),
            request_id: Some("req-9".into()),
        });
        let second = AuditEntry::for_change(
            "work",
            "http://127.0.0.1:8080",
            &bob,
            &refused,
            SystemTime::now(),
        );

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
        let entry = AuditEntry::for_change("p", "e", &change("u"), &ok("r"), at(0));
        log.append(&entry).unwrap();
        let mode = std::fs::metadata(log.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
