//! Text measured in terminal columns (names and emails can be CJK or carry
//! accents), and dates from unix seconds without a calendar crate.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` cut or padded to exactly `width` columns; a cut ends in `…`.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        let mut fitted = text.to_owned();
        fitted.push_str(&" ".repeat(width - text.width()));
        return fitted;
    }
    if width == 0 {
        return String::new();
    }

    let mut fitted = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        fitted.push(c);
        used += w;
    }
    fitted.push('…');
    used += 1;
    fitted.push_str(&" ".repeat(width - used));
    fitted
}

/// `text` without its first `columns` columns (for scrolled inputs).
pub fn skip_columns(text: &str, columns: usize) -> String {
    let mut skipped = 0;
    let mut rest = text.chars();
    while skipped < columns {
        match rest.next() {
            Some(c) => skipped += c.width().unwrap_or(0),
            None => break,
        }
    }
    rest.collect()
}

/// Word-wraps to lines of at most `width` columns; a word longer than a
/// line is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        if line.width() > width {
            lines.push(fit(&line, width).trim_end().to_owned());
            line.clear();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Year, month and day of a day count since 1970-01-01 (proleptic
/// Gregorian; the algorithm from Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` (UTC) of unix seconds.
pub fn date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// RFC 3339 in UTC, whole seconds: `2024-05-01T12:00:00Z`.
pub fn rfc3339(unix_seconds: i64) -> String {
    let seconds = unix_seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(unix_seconds),
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn fit_counts_columns_not_bytes() {
        assert_eq!(fit("王小明", 6), "王小明");
        assert_eq!(fit("王小明", 5), "王小…");
        assert_eq!(fit("王小明", 4), "王… ");
        assert_eq!(fit("zoë", 5), "zoë  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("", 2), "  ");
    }

    #[test]
    fn wrap_and_skip() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(skip_columns("王小明", 2), "小明");
    }
}
