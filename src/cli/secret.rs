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
        let tmux = crate::clipboard::inside_tmux();
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
        let sequence = crate::clipboard::osc52(text, self.tmux);
        self.out
            .write_all(sequence.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|error| CliError::Setup(format!("could not write to the terminal: {error}")))
    }
}
