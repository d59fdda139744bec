//! Reading configuration files: missing files, parse errors with a position but
//! without the values around it, and files holding a private key that others
//! can read.

use std::io::ErrorKind;
use std::path::Path;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize, Zeroizing};

use super::ConfigError;

/// The file's text, `None` when it does not exist. The buffer is wiped when
/// dropped: it may hold private keys.
pub(super) fn read_optional(path: &Path) -> Result<Option<Zeroizing<String>>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(Zeroizing::new(text))),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            reason: error.to_string(),
        }),
    }
}

/// A TOML parse error as `line L, column C: message`.
pub(super) fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let message = without_quoted_values(error.message());
    let detail = match error
        .span()
        .and_then(|span| line_and_column(text, span.start))
    {
        Some((line, column)) => format!("line {line}, column {column}: {message}"),
        None => message,
    };
    ConfigError::Parse {
        path: path.to_path_buf(),
        detail,
    }
}

/// A JSON parse error; serde_json's message already ends with the position.
pub(super) fn json_error(path: &Path, error: &serde_json::Error) -> ConfigError {
    ConfigError::Parse {
        path: path.to_path_buf(),
        detail: without_quoted_values(&error.to_string()),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> Option<(usize, usize)> {
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    Some((line, column))
}

/// Parser messages quote the offending value (`invalid type: string "…"`),
/// which may be a private key typed into the wrong field: drop every
/// double-quoted value, keeping the backticked key names.
pub(super) fn without_quoted_values(message: &str) -> String {
    let mut kept = String::with_capacity(message.len());
    let mut chars = message.chars();
    let mut in_backticks = false;
    while let Some(c) = chars.next() {
        if c == '`' {
            in_backticks = !in_backticks;
        }
        if c != '"' || in_backticks {
            kept.push(c);
            continue;
        }
        kept.push_str("\"…\"");
        let mut escaped = false;
        for inner in chars.by_ref() {
            match inner {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => break,
                _ => {}
            }
        }
    }
    kept
}

/// A warning when a file holding a private key can be read by group or
/// others, naming the file and the fix.
pub(super) fn readable_by_others_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o044 != 0 {
            return Some(format!(
                "{} holds a private key and is readable by other users (mode {:03o}); run \
                 `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// Deserializes an optional private key straight into a [`SecretString`],
/// wiping the intermediate copy. Empty means absent.
pub(super) fn optional_secret<'de, D>(deserializer: D) -> Result<Option<SecretString>, D::Error>
where
    D: Deserializer<'de>,
{
    let Some(mut text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let secret = (!text.trim().is_empty()).then(|| SecretString::from(text.trim()));
    text.zeroize();
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_dropped_and_key_names_kept() {
        assert_eq!(
            without_quoted_values(r#"invalid type: string "s3cr\"et", expected u64"#),
            r#"invalid type: string "…", expected u64"#
        );
        assert_eq!(
            without_quoted_values("unknown field `privat_key`, expected `private_key`"),
            "unknown field `privat_key`, expected `private_key`"
        );
        assert_eq!(without_quoted_values(r#"open "secret"#), r#"open "…""#);
        assert_eq!(
            without_quoted_values("invalid basic string, expected `\"`"),
            "invalid basic string, expected `\"`"
        );
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(line_and_column(text, 0), Some((1, 1)));
        assert_eq!(line_and_column(text, 6), Some((2, 1)));
        assert_eq!(line_and_column(text, 11), Some((2, 5)));
        assert_eq!(line_and_column(text, 100), None);
    }
}
