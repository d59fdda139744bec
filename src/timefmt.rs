//! How ucam writes times: dates in the user list, RFC 3339 in JSON output,
//! the audit file and journals. Always UTC.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `YYYY-MM-DD` of unix seconds; out-of-range values show as `?`.
pub fn date(unix_seconds: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix_seconds) {
        Ok(time) => format!(
            "{:04}-{:02}-{:02}",
            time.year(),
            u8::from(time.month()),
            time.day()
        ),
        Err(_) => "?".to_owned(),
    }
}

/// Unix seconds as RFC 3339, e.g. `2017-03-21T12:40:00Z`.
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|time| time.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix_seconds.to_string())
}

/// A time as RFC 3339 with milliseconds, e.g. `2024-02-29T13:05:09.250Z`.
pub fn rfc3339_millis(time: SystemTime) -> String {
    let time = OffsetDateTime::from(time);
    let whole = time.replace_nanosecond(0).unwrap_or(time);
    let seconds = whole.format(&Rfc3339).unwrap_or_default();
    format!(
        "{}.{:03}Z",
        seconds.trim_end_matches('Z'),
        time.millisecond()
    )
}

/// Now, as [`rfc3339_millis`] writes it.
pub fn now() -> String {
    rfc3339_millis(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(-86_400), "1969-12-31");
        assert_eq!(date(i64::MAX), "?");
        assert_eq!(rfc3339(1_490_100_000), "2017-03-21T12:40:00Z");
        let at = UNIX_EPOCH + Duration::from_millis(1_709_211_909_250);
        assert_eq!(rfc3339_millis(at), "2024-02-29T13:05:09.250Z");
        assert_eq!(rfc3339_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
