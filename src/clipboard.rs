//! Copying through the terminal: an OSC 52 escape sequence, wrapped for tmux
//! when running inside it. Works over SSH; the terminal may refuse it. Used by
//! the TUI's password dialog and `ucam reset-password --copy`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// The escape sequence that puts `text` on the clipboard. Inside tmux the
/// sequence goes through tmux's passthrough (its ESCs doubled), which needs
/// tmux's `allow-passthrough` option.
pub fn osc52(text: &str, inside_tmux: bool) -> Zeroizing<String> {
    let mut encoded = Zeroizing::new(String::new());
    STANDARD.encode_string(text.as_bytes(), &mut encoded);
    let sequence = Zeroizing::new(format!("\x1b]52;c;{}\x07", encoded.as_str()));
    if inside_tmux {
        Zeroizing::new(format!(
            "\x1bPtmux;{}\x1b\\",
            sequence.replace('\x1b', "\x1b\x1b")
        ))
    } else {
        sequence
    }
}

/// Whether `TMUX` is set.
pub fn inside_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_plain_and_inside_tmux() {
        assert_eq!(osc52("foo", false).as_str(), "\x1b]52;c;Zm9v\x07");
        assert_eq!(osc52("Zq7#~?", false).as_str(), "\x1b]52;c;WnE3I34/\x07");
        assert_eq!(
            osc52("foo", true).as_str(),
            "\x1bPtmux;\x1b\x1b]52;c;Zm9v\x07\x1b\\"
        );
    }
}
