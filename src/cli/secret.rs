//! Secrets at the terminal: reading a new password from stdin (asked twice
//! without echo when stdin is a terminal) and copying one to the clipboard
//! through the terminal with OSC 52.

use std::fs::File;
use std::io::{BufRead, IsTerminal, Write};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::CliError;

/// Reads the new password for `--password-stdin`.
pub fn read_new_password() -> Result<SecretString, CliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = Zeroizing::new(String::new());
        let read = stdin.lock().read_line(&mut line).map_err(|error| {
            CliError::Usage(format!("--password-stdin: could not read stdin: {error}"))
        })?;
        if read == 0 {
            return Err(CliError::Usage(
                "--password-stdin: stdin is empty; pipe one line holding the password".to_owned(),
            ));
        }
        return Ok(SecretString::from(
            line.trim_end_matches(['\n', '\r']).to_owned(),
        ));
    }

    let first = prompt_hidden("New password: ")?;
    let second = prompt_hidden("Repeat the new password: ")?;
    if first.expose_secret() != second.expose_secret() {
        return Err(CliError::Usage(
            "the two passwords differ; nothing was sent".to_owned(),
        ));
    }
    Ok(first)
}

/// Leaves raw mode however the prompt ends.
struct RawMode;

impl RawMode {
    fn enable() -> Result<Self, CliError> {
        crossterm::terminal::enable_raw_mode()
            .map_err(|error| CliError::Setup(format!("cannot switch off echo: {error}")))?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Reads one line from the terminal without echoing it.
fn prompt_hidden(prompt: &str) -> Result<SecretString, CliError> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let raw = RawMode::enable()?;
    let mut typed = Zeroizing::new(String::new());

    let outcome = loop {
        let key = match event::read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => key,
            Ok(_) => continue,
            Err(error) => break Err(CliError::Setup(format!("reading the terminal: {error}"))),
        };
        match key.code {
            KeyCode::Enter => break Ok(()),
            KeyCode::Char('c' | 'd') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                break Err(CliError::Interrupted);
            }
            KeyCode::Esc => break Err(CliError::Interrupted),
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Char(c) => typed.push(c),
            _ => {}
        }
    };

    drop(raw);
    eprintln!();
    outcome.map(|()| SecretString::from(typed.as_str().to_owned()))
}

/// The terminal the clipboard sequence is written to: the controlling
/// terminal, else stderr when it is one.
pub struct ClipboardTerminal {
    out: Box<dyn Write>,
    tmux: bool,
}

impl ClipboardTerminal {
    /// Fails when there is no terminal to talk to, before anything is changed.
    pub fn open() -> Result<Self, CliError> {
        let tmux = std::env::var_os("TMUX").is_some();
        if let Ok(tty) = File::options().write(true).open("/dev/tty") {
            return Ok(Self {
                out: Box::new(tty),
                tmux,
            });
        }
        if std::io::stderr().is_terminal() {
            return Ok(Self {
                out: Box::new(std::io::stderr()),
                tmux,
            });
        }
        Err(CliError::Usage(
            "--copy needs a terminal to send the clipboard sequence to; \
             run without --copy to print the password"
                .to_owned(),
        ))
    }

    pub fn copy(&mut self, text: &str) -> Result<(), CliError> {
        let sequence = osc52(text, self.tmux);
        self.out
            .write_all(sequence.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|error| CliError::Setup(format!("could not write to the terminal: {error}")))
    }
}

/// The OSC 52 "set clipboard" sequence, wrapped for tmux's passthrough when
/// running inside tmux (where `allow-passthrough` must be on).
pub fn osc52(text: &str, tmux: bool) -> Zeroizing<String> {
    let encoded = base64(text.as_bytes());
    if tmux {
        Zeroizing::new(format!(
            "\x1bPtmux;\x1b\x1b]52;c;{}\x07\x1b\\",
            encoded.as_str()
        ))
    } else {
        Zeroizing::new(format!("\x1b]52;c;{}\x07", encoded.as_str()))
    }
}

/// Standard base64 with padding; the one place ucam needs it.
fn base64(bytes: &[u8]) -> Zeroizing<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(3) * 4));
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()).as_str(), encoded, "{plain}");
        }
    }

    #[test]
    fn osc52_plain_and_inside_tmux() {
        assert_eq!(osc52("foo", false).as_str(), "\x1b]52;c;Zm9v\x07");
        assert_eq!(
            osc52("foo", true).as_str(),
            "\x1bPtmux;\x1b\x1b]52;c;Zm9v\x07\x1b\\"
        );
    }
}
