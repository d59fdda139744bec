//! The audit file: one JSON line per submitted change, appended and flushed
//! per line, never a secret.

use std::path::PathBuf;

use serde::Serialize;

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

    /// Appends one line and flushes it.
    pub fn append(&self, entry: &AuditEntry) -> std::io::Result<()> {
        todo!("{entry:?}")
    }
}
