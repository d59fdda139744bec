//! Checks the API base URL: an http(s) URL with a host, and plain `http://`
//! only to this machine, since every request carries a signature and, for
//! password changes, the password.

use std::net::{Ipv4Addr, Ipv6Addr};

use reqwest::Url;

use super::ConfigError;

/// The base URL used when nothing names one.
pub const DEFAULT_BASE_URL: &str = "https://api.scloudsg.com";

/// Returns the URL to use (trailing `/` removed) or why it cannot be used.
/// `origin` names where the URL came from, for the message.
pub(super) fn checked_base_url(url: &str, origin: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim();
    let invalid = |shown: &str, reason: &str| ConfigError::InvalidUrl {
        url: shown.to_string(),
        origin: origin.to_string(),
        reason: reason.to_string(),
    };

    let mut parsed = Url::parse(trimmed).map_err(|error| invalid(trimmed, &error.to_string()))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Show the URL without what may be a password.
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        return Err(invalid(
            parsed.as_str(),
            "it contains a user name or password; remove them",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(trimmed, "it has a query or fragment; remove them"));
    }
    let Some(host) = parsed.host_str() else {
        return Err(invalid(trimmed, "it has no host"));
    };

    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(ConfigError::InsecureUrl {
                url: trimmed.to_string(),
                origin: origin.to_string(),
            });
        }
        other => {
            return Err(invalid(
                trimmed,
                &format!("the scheme is `{other}`, not https"),
            ));
        }
    }

    Ok(trimmed.trim_end_matches('/').to_string())
}

/// `localhost`, 127.0.0.0/8 or ::1. The host is as `Url` gives it:
/// lower-case, IPv6 in brackets.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    host.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
        .is_some_and(|v6| v6.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str) -> Result<String, ConfigError> {
        checked_base_url(url, "--base-url")
    }

    #[test]
    fn https_urls_pass_with_the_trailing_slash_removed() {
        assert_eq!(
            check("https://api.scloudsg.com/").unwrap(),
            "https://api.scloudsg.com"
        );
        assert_eq!(
            check("https://gw.example:8443/iam").unwrap(),
            "https://gw.example:8443/iam"
        );
    }

    #[test]
    fn loopback_http_passes() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.9.0.3",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:9000",
        ] {
            assert!(check(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn remote_http_is_refused_with_its_origin_named() {
        for url in [
            "http://api.scloudsg.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
        ] {
            let error = check(url).unwrap_err();
            assert!(matches!(error, ConfigError::InsecureUrl { .. }), "{url}");
            let message = error.to_string();
            assert!(message.contains(url), "{message}");
            assert!(message.contains("--base-url"), "{message}");
            assert!(message.contains("use https://"), "{message}");
        }
    }

    #[test]
    fn malformed_urls_say_why() {
        let message = check("api.scloudsg.com").unwrap_err().to_string();
        assert!(message.contains("`api.scloudsg.com`"), "{message}");
        assert!(
            message.contains("e.g. https://api.scloudsg.com"),
            "{message}"
        );

        let message = check("ftp://example.com").unwrap_err().to_string();
        assert!(message.contains("scheme is `ftp`"), "{message}");

        let message = check("https://example.com/?a=b").unwrap_err().to_string();
        assert!(message.contains("query"), "{message}");
    }

    #[test]
    fn user_info_is_not_echoed() {
        let message = check("https://me:hunter2@example.com")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("user name or password"), "{message}");
    }
}
