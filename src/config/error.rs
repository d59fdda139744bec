//! Why a configuration cannot be used. Every message names the file, profile,
//! variable or flag involved and the fix; none holds a private key.

use std::path::PathBuf;

/// Where the example configuration lives, for messages.
pub const EXAMPLE_CONFIG: &str = "assets/config.example.toml";

/// Configuration that cannot be used, with the file, profile and fix named.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file exists but could not be read (permissions, a directory, I/O).
    #[error("cannot read {}: {reason}; make the file readable by your user or move it aside",
        path.display())]
    Read { path: PathBuf, reason: String },

    /// A variable names a file that is not there.
    #[error("{variable} names {}, which does not exist; point {variable} at the file or unset it",
        path.display())]
    MissingFile {
        path: PathBuf,
        variable: &'static str,
    },

    /// A file is not valid JSON or TOML, or holds a value of the wrong type.
    /// `detail` has the line and column; quoted values are left out of it.
    #[error("cannot parse {}: {detail}; fix the file at that position or move it aside",
        path.display())]
    Parse { path: PathBuf, detail: String },

    /// A profile entry holds one half of a key pair but not the other.
    #[error("profile `{profile}` in {} has no `{field}` but has the other half of the key \
        pair; add `{field}` to that entry or remove the entry's key", path.display())]
    MissingField {
        path: PathBuf,
        profile: String,
        field: &'static str,
    },

    /// A profile asked for by name (`--profile` or `UCLOUD_PROFILE`) has no
    /// key pair anywhere.
    #[error("profile `{profile}` has no key pair; searched {}; add public_key and private_key \
        under [profiles.{profile}] in ucam's config.toml (see {EXAMPLE_CONFIG}), or set \
        UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY", searched.join(", "))]
    UnknownProfile {
        profile: String,
        searched: Vec<String>,
    },

    /// A plain `http://` base URL to a host other than loopback: the request
    /// and its signature would cross the network unencrypted.
    #[error(
        "base URL {url} (from {origin}) uses plain http:// to a host that is not local; \
        use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1)"
    )]
    InsecureUrl { url: String, origin: String },

    /// A base URL that does not parse, or is not an http(s) URL with a host.
    #[error(
        "base URL `{url}` (from {origin}) cannot be used: {reason}; give a scheme and a \
        host, e.g. https://api.scloudsg.com"
    )]
    InvalidUrl {
        url: String,
        origin: String,
        reason: String,
    },

    /// A setting or variable with a value out of range or of the wrong form.
    #[error("{name}: {detail}")]
    InvalidValue { name: String, detail: String },

    /// Only one of `UCLOUD_PUBLIC_KEY` and `UCLOUD_PRIVATE_KEY` is set.
    #[error(
        "{present} is set but {missing} is not; set both, or unset {present} to use the \
        config files"
    )]
    PartialEnvCredentials {
        present: &'static str,
        missing: &'static str,
    },
}
