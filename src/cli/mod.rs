//! The command line: argument parsing, the non-interactive subcommands, output
//! formats and exit codes.
