//! Copying through the terminal: an OSC 52 escape sequence, wrapped for tmux
//! when running inside it. Works over SSH; the terminal may refuse it.

use zeroize::Zeroizing;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The escape sequence that puts `text` on the clipboard. Inside tmux the
/// sequence goes through tmux's passthrough (its ESCs doubled).
pub fn osc52(text: &str, inside_tmux: bool) -> Zeroizing<String> {
    let encoded = Zeroizing::new(base64(text.as_bytes()));
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
    fn base64_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
            ("Zq7#~?", "WnE3I34/"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn osc52_plain_and_tmux() {
        assert_eq!(osc52("foo", false).as_str(), "\x1b]52;c;Zm9v\x07");
        assert_eq!(
            osc52("foo", true).as_str(),
            "\x1bPtmux;\x1b\x1b]52;c;Zm9v\x07\x1b\\"
        );
    }
}
