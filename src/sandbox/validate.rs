//! The checks `UpdateLoginProfile` runs on each field before anything changes:
//! status, password age, e-mail address, booleans and the password policy.
//!
//! The password policy here is the sandbox's own copy of the default local
//! policy (8 to 64 characters, three of four character classes), so the
//! emulator does not depend on the client-side checker it is meant to test.

use crate::api::ProfileStatus;

/// Fewest characters a password may have.
pub const PASSWORD_MIN_LENGTH: usize = 8;
/// Most characters a password may have.
pub const PASSWORD_MAX_LENGTH: usize = 64;
/// How many of lowercase, uppercase, digit and symbol a password must mix.
pub const PASSWORD_MIN_CLASSES: usize = 3;
/// The longest password age the service accepts, in days (three years).
pub const MAX_PASSWORD_AGE_DAYS: u32 = 1095;

/// `Active` or `Inactive`, spelled exactly as the service spells them.
pub fn parse_status(text: &str) -> Option<ProfileStatus> {
    match text {
        "Active" => Some(ProfileStatus::Active),
        "Inactive" => Some(ProfileStatus::Inactive),
        _ => None,
    }
}

/// A whole number of days in `0..=1095`; 0 means the password never expires.
pub fn parse_max_password_age(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse()
        .ok()
        .filter(|days| *days <= MAX_PASSWORD_AGE_DAYS)
}

/// `true` or `false`, in any letter case.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A plausible mailbox: `local@domain`, where the local part and the domain
/// labels may be non-ASCII letters (internationalised addresses) but hold no
/// spaces, no quotes and no empty parts.
pub fn is_valid_email(address: &str) -> bool {
    if address.len() > 254 {
        return false;
    }
    match address.split_once('@') {
        Some((local, domain)) => is_valid_local_part(local) && is_valid_domain(domain),
        None => false,
    }
}

fn is_valid_local_part(local: &str) -> bool {
    const ALLOWED_SYMBOLS: &str = "!#$%&'*+-/=?^_`{|}~.";

    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || ALLOWED_SYMBOLS.contains(c))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let top_level_is_numeric = labels
        .last()
        .is_some_and(|label| label.chars().all(|c| c.is_ascii_digit()));

    labels.len() >= 2
        && domain.len() <= 253
        && !top_level_is_numeric
        && labels.iter().all(|label| is_valid_label(label))
}

fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.chars().count() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// Checks a password against the sandbox policy. The message says what is
/// wrong and never repeats the password.
pub fn check_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_LENGTH {
        return Err(format!(
            "Password is too short: it needs at least {PASSWORD_MIN_LENGTH} characters"
        ));
    }
    if length > PASSWORD_MAX_LENGTH {
        return Err(format!(
            "Password is too long: it may have at most {PASSWORD_MAX_LENGTH} characters"
        ));
    }
    if password.chars().any(char::is_control) {
        return Err("Password must not contain control characters".to_owned());
    }

    let has_lower = password.chars().any(char::is_lowercase);
    let has_upper = password.chars().any(char::is_uppercase);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    let has_symbol = password.chars().any(|c| !c.is_alphanumeric());
    let classes = [has_lower, has_upper, has_digit, has_symbol]
        .into_iter()
        .filter(|present| *present)
        .count();
    if classes < PASSWORD_MIN_CLASSES {
        return Err(format!(
            "Password must mix at least {PASSWORD_MIN_CLASSES} of: lowercase letters, \
             uppercase letters, digits, symbols (it has {classes})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_exact() {
        assert_eq!(parse_status("Active"), Some(ProfileStatus::Active));
        assert_eq!(parse_status("Inactive"), Some(ProfileStatus::Inactive));
        for bad in ["active", "Frozen", "", "Active "] {
            assert_eq!(parse_status(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn password_age_bounds() {
        assert_eq!(parse_max_password_age("0"), Some(0));
        assert_eq!(parse_max_password_age("1095"), Some(1095));
        for bad in [
            "1096",
            "-1",
            "+5",
            "9.5",
            "",
            "ninety",
            "99999999999999999999",
        ] {
            assert_eq!(parse_max_password_age(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        for bad in ["1", "yes", "", "t"] {
            assert_eq!(parse_bool(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        for good in [
            "a@example.com",
            "first.last+tag@mail.example.co.uk",
            "josé.garcía@example.es",
            "用户@例子.中国",
            "o'connor@example.ie",
        ] {
            assert!(is_valid_email(good), "{good:?}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
            "a@1.2.3.4",
            "a\"b@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(check_password("Abcdefg1").is_ok());
        assert!(check_password("abcdef1!").is_ok());
        assert!(check_password("Пароль-2024").is_ok());

        let short = check_password("Ab1!").unwrap_err();
        assert!(short.contains("at least 8"));
        let two_classes = check_password("abcdefgh1").unwrap_err();
        assert!(two_classes.contains("at least 3"), "{two_classes}");
        assert!(!two_classes.contains("abcdefgh1"));
        assert!(
            check_password(&"Aa1!".repeat(17))
                .unwrap_err()
                .contains("at most 64")
        );
        assert!(check_password("Abcdef1\n").is_err());
    }
}
