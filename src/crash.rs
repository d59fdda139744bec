//! What a crash leaves behind: the panic goes to the log, and stderr says
//! where the log is. The TUI's terminal restore (ratatui's own panic hook)
//! runs before this report, so the message lands on a normal screen.

use std::path::PathBuf;

/// Installs the panic report. Install it before `ratatui::init`, whose hook
/// restores the terminal and then calls the hook that was there before.
pub fn install_panic_report(log_file: PathBuf) {
    let default_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "ucam crashed");
        default_report(info);
        eprintln!("{}", crash_message(&log_file));
    }));
}

/// The line printed after a panic.
pub fn crash_message(log_file: &std::path::Path) -> String {
    format!(
        "ucam crashed; details are in {} (please include it in a bug report)",
        log_file.display()
    )
}
