//! `ucam batch FILE.jsonl`: login-profile changes from a JSON Lines file.
//!
//! The whole file is validated before anything is sent. Rows then run a few at
//! a time under a rate limit, and each finished row is appended to a journal
//! so that a re-run skips the rows already done and retries the failed ones.
//! A row whose request was in flight when the process died has no journal
//! line and is sent again: every field is a plain assignment, so sending it
//! twice leaves the same profile (a generated password is generated anew, and
//! the lost one was never shown).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::{Digest, Sha1};

use super::args::{BatchArgs, OutputFormat};
use super::profile::submit;
use super::{CliError, Context, Session, print_line};
use crate::api::{ApiResponse, LoginProfileChange, ProfileStatus};
use crate::password::{self, PasswordPolicy};

/// The keys a row may have.
const FIELDS: [&str; 8] = [
    "user",
    "status",
    "email",
    "password",
    "generate_password",
    "max_password_age",
    "mfa_required",
    "reset_required",
];

/// The longest `max_password_age` the service accepts, in days.
const MAX_PASSWORD_AGE: u64 = 1095;

/// One validated row.
#[derive(Debug)]
pub struct BatchRow {
    /// 1-based line number in the file.
    pub line: usize,
    pub change: LoginProfileChange,
    pub generate_password: bool,
}

/// Parses and validates a whole batch file. On failure, every problem in the
/// file is listed, each naming its line and field.
pub fn parse_batch(text: &str, policy: &PasswordPolicy) -> Result<Vec<BatchRow>, Vec<String>> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut first_line_of_user: HashMap<String, usize> = HashMap::new();

    for (index, content) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = content.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match parse_row(line, trimmed, policy) {
            Ok(row) => {
                let user = row.change.user_name.clone();
                if let Some(first) = first_line_of_user.get(&user) {
                    errors.push(format!(
                        "line {line}: user: {user:?} is already changed on line {first}; \
                         merge the rows (rows run in parallel)"
                    ));
                } else {
                    first_line_of_user.insert(user, line);
                    rows.push(row);
                }
            }
            Err(row_errors) => errors.extend(row_errors),
        }
    }

    if rows.is_empty() && errors.is_empty() {
        errors.push("no rows: the file holds only blank lines and comments".to_owned());
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(line: usize, text: &str, policy: &PasswordPolicy) -> Result<BatchRow, Vec<String>> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        vec![format!(
            "line {line}, column {}: not valid JSON: {}",
            error.column(),
            json_error_reason(&error)
        )]
    })?;
    let Value::Object(fields) = value else {
        return Err(vec![format!(
            "line {line}: expected a JSON object like {{\"user\":\"alice\",\"mfa_required\":true}}"
        )]);
    };

    let mut problems: Vec<(&str, String)> = Vec::new();
    let mut user = None;
    let mut change = LoginProfileChange::default();
    let mut generate_password = false;

    for (key, value) in &fields {
        if value.is_null() {
            continue;
        }
        let field = key.as_str();
        let problem = match field {
            "user" => match value.as_str().map(str::trim) {
                Some("") => Some("is empty".to_owned()),
                Some(name) => {
                    user = Some(name.to_owned());
                    None
                }
                None => Some("expected a string".to_owned()),
            },
            "status" => match value.as_str().map(str::parse::<ProfileStatus>) {
                Some(Ok(status)) => {
                    change.status = Some(status);
                    None
                }
                Some(Err(reason)) => Some(reason),
                None => Some("expected \"Active\" or \"Inactive\"".to_owned()),
            },
            "email" => match value.as_str().map(str::trim) {
                Some("") => Some("is empty".to_owned()),
                Some(email) => {
                    change.email = Some(email.to_owned());
                    None
                }
                None => Some("expected a string".to_owned()),
            },
            // The value is never echoed: it is a password.
            "password" => match value.as_str().map(|p| (p, policy.check(p))) {
                Some((password, Ok(()))) => {
                    change.password = Some(SecretString::from(password.to_owned()));
                    None
                }
                Some((_, Err(violation))) => Some(format!("{violation} (local password policy)")),
                None => Some("expected a string".to_owned()),
            },
            "generate_password" => match value.as_bool() {
                Some(flag) => {
                    generate_password = flag;
                    None
                }
                None => Some("expected true or false".to_owned()),
            },
            "max_password_age" => match value.as_u64().filter(|days| *days <= MAX_PASSWORD_AGE) {
                Some(days) => {
                    change.max_password_age = u32::try_from(days).ok();
                    None
                }
                None => Some(format!(
                    "{value} is not a day count from 0 to {MAX_PASSWORD_AGE}"
                )),
            },
            "mfa_required" | "reset_required" => match value.as_bool() {
                Some(flag) if field == "mfa_required" => {
                    change.mfa_bind_required = Some(flag);
                    None
                }
                Some(flag) => {
                    change.password_reset_required = Some(flag);
                    None
                }
                None => Some("expected true or false".to_owned()),
            },
            _ => Some(format!(
                "unknown field (expected one of {})",
                FIELDS.join(", ")
            )),
        };
        if let Some(problem) = problem {
            problems.push((field, problem));
        }
    }

    if generate_password && change.password.is_some() {
        let problem = "give one of them, not both".to_owned();
        problems.push(("password, generate_password", problem));
    }
    if user.is_none() && !fields.contains_key("user") {
        let problem = "missing; every row names the user it changes".to_owned();
        problems.push(("user", problem));
    }
    if problems.is_empty() && change.is_empty() && !generate_password {
        let problem = format!("no change; set at least one of {}", FIELDS[1..].join(", "));
        problems.push(("(row)", problem));
    }

    match user {
        Some(user) if problems.is_empty() => {
            change.user_name = user;
            Ok(BatchRow {
                line,
                change,
                generate_password,
            })
        }
        _ => Err(problems
            .into_iter()
            .map(|(field, problem)| format!("line {line}: {field}: {problem}"))
            .collect()),
    }
}

/// serde_json's message without its own ` at line 1 column N` suffix.
/// serde_json's message without its own ` at line 1 column N` suffix.
fn json_error_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// One finished row in the journal. Never a password.
#[derive(Debug, Serialize, Deserialize)]
pub struct JournalEntry {
    pub line: usize,
    pub user: String,
    /// `ok` or `failed`.
    pub outcome: String,
    pub request_id: Option<String>,
    pub time: String,
}

/// The default journal: named after the file's content, so an edited file
/// starts a fresh journal.
pub fn default_journal(journal_dir: &Path, content: &[u8]) -> PathBuf {
    journal_dir.join(format!("{}.jsonl", hex::encode(Sha1::digest(content))))
}

/// Lines done OK in earlier runs, keyed by line number with the user kept to
/// guard against a journal from another file.
fn read_journal(path: &Path) -> Result<HashSet<(usize, String)>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(source) => {
            return Err(CliError::File {
                what: "cannot read the batch journal",
                path: path.to_owned(),
                source,
            });
        }
    };
    // A line cut short by a crash is skipped: that row simply runs again.
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<JournalEntry>(line).ok())
        .filter(|entry| entry.outcome == "ok")
        .map(|entry| (entry.line, entry.user))
        .collect())
}

struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    fn open(path: &Path) -> Result<Self, CliError> {
        let file_error = |source| CliError::File {
            what: "cannot open the batch journal",
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(file_error)?;
        }
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(file_error)?;
        Ok(Self {
            file,
            path: path.to_owned(),
        })
    }

    /// Appends one entry as a single write, then flushes it.
    fn record(&mut self, entry: &JournalEntry) -> Result<(), CliError> {
        let mut line = serde_json::to_string(entry).unwrap_or_default();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|source| CliError::File {
                what: "cannot write the batch journal",
                path: self.path.clone(),
                source,
            })
    }
}

/// Spaces request starts evenly: every worker takes the next tick.
struct RateLimiter(tokio::sync::Mutex<tokio::time::Interval>);

impl RateLimiter {
    fn per_second(rate: f64) -> Self {
        let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self(tokio::sync::Mutex::new(interval))
    }

    async fn wait(&self) {
        self.0.lock().await.tick().await;
    }
}

/// What happened to one row.
struct RowResult {
    line: usize,
    user: String,
    changed: Vec<&'static str>,
    password: Option<SecretString>,
    result: Result<ApiResponse<()>, CliError>,
}

pub async fn run(context: &Context, args: BatchArgs) -> Result<(), CliError> {
    context.ensure_writable("batch")?;
    let content = std::fs::read(&args.file).map_err(|source| CliError::File {
        what: "cannot read the batch file",
        path: args.file.clone(),
        source,
    })?;
    let text = String::from_utf8(content.clone()).map_err(|_| CliError::InvalidBatch {
        file: args.file.clone(),
        errors: vec!["the file is not UTF-8 text".to_owned()],
    })?;
    let rows = parse_batch(&text, &context.settings.password_policy).map_err(|errors| {
        CliError::InvalidBatch {
            file: args.file.clone(),
            errors,
        }
    })?;

    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&context.paths.journal_dir(), &content));
    let done = read_journal(&journal_path)?;
    let mut journal = Journal::open(&journal_path)?;

    let session = context.connect().await?;
    let result = run_rows(&session, &args, rows, &done, &mut journal, context).await;
    session.close().await;
    result
}

async fn run_rows(
    session: &Session,
    args: &BatchArgs,
    rows: Vec<BatchRow>,
    done: &HashSet<(usize, String)>,
    journal: &mut Journal,
    context: &Context,
) -> Result<(), CliError> {
    let total = rows.len();
    let (skipped, pending): (Vec<BatchRow>, Vec<BatchRow>) = rows
        .into_iter()
        .partition(|row| done.contains(&(row.line, row.change.user_name.clone())));
    for row in &skipped {
        print_skipped(row, args.output);
    }

    let limiter = Arc::new(RateLimiter::per_second(args.rate));
    let policy = &context.settings.password_policy;
    let mut results = futures::stream::iter(pending)
        .map(|row| run_row(session, row, &limiter, policy))
        .buffer_unordered(args.concurrency as usize);

    let progress = Progress::new(total, skipped.len());
    let mut failed = 0;
    while let Some(row) = results.next().await {
        journal.record(&JournalEntry {
            line: row.line,
            user: row.user.clone(),
            outcome: if row.result.is_ok() { "ok" } else { "failed" }.to_owned(),
            request_id: request_id_of(&row.result).map(str::to_owned),
            time: super::output::now_rfc3339(),
        })?;
        failed += usize::from(row.result.is_err());
        progress.clear();
        print_result(&row, args.output);
        progress.advance();
    }
    progress.finish();

    eprintln!(
        "ucam: {total} row(s): {} ok, {} skipped, {failed} failed; journal {}",
        total - skipped.len() - failed,
        skipped.len(),
        journal.path.display()
    );
    if failed > 0 {
        return Err(CliError::RowsFailed { failed, total });
    }
    Ok(())
}

async fn run_row(
    session: &Session,
    row: BatchRow,
    limiter: &RateLimiter,
    policy: &PasswordPolicy,
) -> RowResult {
    let mut change = row.change;
    let password = row
        .generate_password
        .then(|| password::generate(password::DEFAULT_GENERATED_LENGTH));
    if let Some(password) = &password {
        change.password = Some(password.clone());
    }
    let changed = change.changed_fields();

    let result = match password.as_ref().map(|p| policy.check(p.expose_secret())) {
        Some(Err(violation)) => Err(CliError::Policy(violation)),
        _ => {
            limiter.wait().await;
            submit(session, &change).await
        }
    };
    RowResult {
        line: row.line,
        user: change.user_name,
        changed,
        password,
        result,
    }
}

fn request_id_of(result: &Result<ApiResponse<()>, CliError>) -> Option<&str> {
    match result {
        Ok(response) => response.request_id.as_deref(),
        Err(CliError::Api(error)) => error.request_id(),
        Err(_) => None,
    }
}

fn print_skipped(row: &BatchRow, format: OutputFormat) {
    let user = &row.change.user_name;
    match format {
        OutputFormat::Json => print_line(
            &serde_json::json!({"line": row.line, "user": user, "outcome": "skipped"}).to_string(),
        ),
        OutputFormat::Table => print_line(&format!(
            "line {} {user}: skipped (done in an earlier run)",
            row.line
        )),
    }
}

fn print_result(row: &RowResult, format: OutputFormat) {
    let request_id = request_id_of(&row.result);
    let password = row.password.as_ref().map(|p| p.expose_secret());
    match (format, &row.result) {
        (OutputFormat::Json, Ok(_)) => {
            let mut json = serde_json::json!({
                "line": row.line,
                "user": row.user,
                "outcome": "ok",
                "changed": row.changed,
                "request_id": request_id,
            });
            if let Some(password) = password {
                json["password"] = password.into();
            }
            print_line(&json.to_string());
        }
        (OutputFormat::Json, Err(error)) => {
            let json = serde_json::json!({
                "line": row.line,
                "user": row.user,
                "outcome": "failed",
                "error": error.to_string(),
                "exit_code": super::exit_code(error),
                "request_id": request_id,
            });
            print_line(&json.to_string());
        }
        (OutputFormat::Table, Ok(_)) => {
            let password = password
                .map(|p| format!(", password {p}"))
                .unwrap_or_default();
            print_line(&format!(
                "line {} {}: ok{password} (request id {})",
                row.line,
                row.user,
                request_id.unwrap_or("none")
            ));
        }
        (OutputFormat::Table, Err(error)) => {
            print_line(&format!("line {} {}: failed: {error}", row.line, row.user));
        }
    }
}

/// `12/40 done` on stderr, only when stderr is a terminal.
struct Progress {
    total: usize,
    done: std::cell::Cell<usize>,
    visible: bool,
}

impl Progress {
    fn new(total: usize, done: usize) -> Self {
        let progress = Self {
            total,
            done: std::cell::Cell::new(done),
            visible: std::io::stderr().is_terminal(),
        };
        progress.draw();
        progress
    }

    fn draw(&self) {
        if self.visible {
            eprint!("\r{}/{} done", self.done.get(), self.total);
        }
    }

    fn clear(&self) {
        if self.visible {
            eprint!("\r\x1b[K");
        }
    }

    fn advance(&self) {
        self.done.set(self.done.get() + 1);
        self.draw();
    }

    fn finish(&self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy stand-in is not needed: the real default policy is used, with
    /// passwords that clearly pass or fail it.
    fn parse(text: &str) -> Result<Vec<BatchRow>, Vec<String>> {
        parse_batch(text, &PasswordPolicy::default())
    }

    #[test]
    fn valid_rows_become_changes_skipping_blanks_and_comments() {
        let rows = parse(
            "# header comment\n\
             {\"user\":\"alice\",\"status\":\"Inactive\",\"mfa_required\":true}\n\
             \n\
             {\"user\":\"bob\",\"generate_password\":true,\"max_password_age\":90}\n",
        )
        .unwrap();

        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            rows[0].change.changed_fields(),
            ["Status", "MFABindRequired"]
        );
        assert_eq!(rows[1].line, 4);
        assert!(rows[1].generate_password);
        assert_eq!(rows[1].change.max_password_age, Some(90));
    }

    #[test]
    fn every_error_names_line_and_field() {
        let errors = parse(
            "{\"user\":\"a\",\"mfa_required\":true,\n\
             {\"user\":\"b\",\"colour\":\"red\"}\n\
             {\"user\":\"c\",\"status\":\"Frozen\"}\n\
             {\"user\":\"d\",\"max_password_age\":2000}\n\
             {\"user\":\"e\",\"password\":\"Xy7#kLm2pQ\",\"generate_password\":true}\n\
             {\"user\":\"f\"}\n\
             {\"user\":\"g\",\"mfa_required\":\"yes\"}\n\
             {\"status\":\"Active\"}\n\
             {\"user\":\"h\",\"email\":\"h@example.org\"}\n\
             {\"user\":\"h\",\"email\":\"h2@example.org\"}\n",
        )
        .unwrap_err();

        let expected_starts = [
            "line 1, column ",
            "line 2: colour: unknown field",
            "line 3: status: status must be Active or Inactive",
            "line 4: max_password_age: 2000 is not a day count",
            "line 5: password, generate_password: give one",
            "line 6: (row): no change",
            "line 7: mfa_required: expected true or false",
            "line 8: user: missing",
            "line 10: user: \"h\" is already changed on line 9",
        ];
        assert_eq!(errors.len(), expected_starts.len(), "{errors:#?}");
        for (error, start) in errors.iter().zip(expected_starts) {
            assert!(
                error.starts_with(start),
                "{error:?} should start with {start:?}"
            );
        }
    }

    #[test]
    fn a_weak_password_is_refused_without_being_echoed() {
        let errors = parse("{\"user\":\"a\",\"password\":\"abc\"}").unwrap_err();

        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("line 1: password: "), "{}", errors[0]);
        assert!(!errors[0].contains("abc"));
    }

    #[test]
    fn an_empty_file_is_an_error() {
        assert!(parse("# nothing\n\n").is_err());
    }

    #[test]
    fn journal_name_follows_the_content() {
        let dir = Path::new("/j");
        let a = default_journal(dir, b"{\"user\":\"a\"}\n");
        let b = default_journal(dir, b"{\"user\":\"b\"}\n");

        assert_ne!(a, b);
        assert_eq!(a.extension().and_then(|e| e.to_str()), Some("jsonl"));
        assert_eq!(a.file_stem().map(|s| s.len()), Some(40));
    }
}
