//! ucam: a terminal account manager for UCloud / SCloud IAM sub-accounts.
//!
//! The library holds everything; `main.rs` only parses arguments and picks the
//! TUI or a subcommand, so integration tests can reach every part.

pub mod api;
pub mod audit;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod crash;
pub mod password;
pub mod paths;
pub mod sandbox;
pub mod signals;
pub mod timefmt;
pub mod tui;
