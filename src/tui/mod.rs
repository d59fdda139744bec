//! The terminal UI: user list, login-profile detail, edit form, confirm dialog,
//! status bar; a pure `App::update` fed by a pure key map, and a worker task
//! that owns the API client.

use crate::api::Client;
use crate::config::Settings;
use crate::paths::Paths;

/// What the TUI needs from `main`.
pub struct TuiOptions {
    pub client: Client,
    pub settings: Settings,
    pub paths: Paths,
    /// The profile name, shown in the header and written to the audit file.
    pub profile: String,
    pub readonly: bool,
    /// Set when talking to the sandbox: the banner text says so and how to
    /// connect a real account.
    pub sandbox: bool,
}

/// Runs the TUI until the operator quits.
pub async fn run(options: TuiOptions) -> anyhow::Result<()> {
    let _ = options.readonly;
    todo!()
}
