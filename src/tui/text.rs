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

#[cfg(test)]
mod tests {
    use super::*;

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
