//! Errors from calling the API. Messages carry the action and the request id,
//! never a key, a password or a signature.

use std::time::Duration;

/// One failed API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request never got an HTTP answer (DNS, connect, reset, TLS).
    #[error("{action}: could not reach {endpoint}: {reason}")]
    Transport {
        action: String,
        endpoint: String,
        reason: String,
    },

    /// No answer within the request timeout.
    #[error(
        "{action}: no answer from {endpoint} within {}s (raise UCLOUD_TIMEOUT_SECOND)",
        timeout.as_secs()
    )]
    Timeout {
        action: String,
        endpoint: String,
        timeout: Duration,
    },

    /// The gateway answered with an HTTP error status.
    #[error(
        "{action}: HTTP {status} from {endpoint}{}",
        request_id_suffix(request_id)
    )]
    HttpStatus {
        action: String,
        endpoint: String,
        status: u16,
        request_id: Option<String>,
    },

    /// The service answered and refused: a non-zero `RetCode`.
    #[error("{action}: RetCode {code}: {message}{}", request_id_suffix(request_id))]
    RetCode {
        action: String,
        code: i64,
        message: String,
        request_id: Option<String>,
    },

    /// The body was not JSON at all: cut off mid-way, or a proxy's HTML error
    /// page sent with HTTP 200. Whether the service acted is unknown, so this
    /// is retried for idempotent actions (see [`ApiError::is_transient`]).
    #[error(
        "{action}: unreadable response ({reason}){}",
        request_id_suffix(request_id)
    )]
    Garbled {
        action: String,
        reason: String,
        request_id: Option<String>,
    },

    /// The body was JSON but not the shape the action answers with (or too
    /// large to read): asking again would get the same answer.
    #[error(
        "{action}: unreadable response ({reason}){}",
        request_id_suffix(request_id)
    )]
    Decode {
        action: String,
        reason: String,
        request_id: Option<String>,
    },

    /// Every retry failed or the overall deadline passed; the last error is kept.
    #[error("{action}: gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        action: String,
        attempts: u32,
        last: Box<ApiError>,
    },
}

fn request_id_suffix(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(" (request id {id})"),
        None => String::new(),
    }
}

/// RetCodes the service uses for a user or login profile that does not exist.
pub const NOT_FOUND_CODES: [i64; 2] = [172, 11021];

/// RetCode for throttling.
pub const THROTTLED: i64 = 153;

impl ApiError {
    /// The request id the service gave this call, when it answered at all.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::HttpStatus { request_id, .. }
            | Self::RetCode { request_id, .. }
            | Self::Decode { request_id, .. }
            | Self::Garbled { request_id, .. } => request_id.as_deref(),
            Self::RetriesExhausted { last, .. } => last.request_id(),
            Self::Transport { .. } | Self::Timeout { .. } => None,
        }
    }

    /// The RetCode, when the service answered with one.
    pub fn ret_code(&self) -> Option<i64> {
        match self {
            Self::RetCode { code, .. } => Some(*code),
            Self::RetriesExhausted { last, .. } => last.ret_code(),
            _ => None,
        }
    }

    /// Whether trying again later could succeed: network errors, HTTP
    /// 429/502/503/504, RetCode 110, 150, 153 and RetCodes from 2000 up.
    ///
    /// The design notes put every RetCode from 2000 up among the transient
    /// ones, but 11021 (user or login profile not found) is in that range and
    /// is plainly final: retrying it would only delay the answer.
    ///
    /// A garbled body is transient too. It is ambiguous for a change (the
    /// service may have applied it before the answer was mangled), but every
    /// action ucam sends is idempotent: three reads, and `UpdateLoginProfile`,
    /// which assigns absolute values, so sending the same change again leaves
    /// the same profile. `Client::call_observed` retries it only for actions
    /// in [`IDEMPOTENT_ACTIONS`](super::client::IDEMPOTENT_ACTIONS).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } | Self::Garbled { .. } => true,
            Self::HttpStatus { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            Self::RetCode { code, .. } => {
                matches!(code, 110 | 150 | 153)
                    || (*code >= 2000 && !NOT_FOUND_CODES.contains(code))
            }
            Self::Decode { .. } | Self::RetriesExhausted { .. } => false,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.ret_code()
            .is_some_and(|code| NOT_FOUND_CODES.contains(&code))
    }

    /// Throttled, or a transient failure that outlasted every retry.
    pub fn is_exhausted_or_throttled(&self) -> bool {
        matches!(self, Self::RetriesExhausted { .. }) || self.ret_code() == Some(THROTTLED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retcode_message_names_action_code_and_request_id() {
        let error = ApiError::RetCode {
            action: "UpdateLoginProfile".into(),
            code: 11021,
            message: "user not found".into(),
            request_id: Some("abc-123".into()),
        };

        assert_eq!(
            error.to_string(),
            "UpdateLoginProfile: RetCode 11021: user not found (request id abc-123)"
        );
        assert!(error.is_not_found());
        assert!(!error.is_transient());
    }

    #[test]
    fn transient_classification() {
        let code = |code| ApiError::RetCode {
            action: "A".into(),
            code,
            message: String::new(),
            request_id: None,
        };
        let http = |status| ApiError::HttpStatus {
            action: "A".into(),
            endpoint: "e".into(),
            status,
            request_id: None,
        };

        for transient in [110, 150, 153, 2000, 5000] {
            assert!(code(transient).is_transient(), "{transient}");
        }
        for fatal in [160, 171, 172, 299, 11021, 1999] {
            assert!(!code(fatal).is_transient(), "{fatal}");
        }
        for transient in [429, 502, 503, 504] {
            assert!(http(transient).is_transient());
        }
        assert!(!http(500).is_transient());

        let garbled = ApiError::Garbled {
            action: "A".into(),
            reason: "not JSON".into(),
            request_id: Some("rid".into()),
        };
        let decode = ApiError::Decode {
            action: "A".into(),
            reason: "missing field".into(),
            request_id: None,
        };
        assert!(garbled.is_transient());
        assert_eq!(garbled.request_id(), Some("rid"));
        assert!(!decode.is_transient());
        assert!(!http(404).is_transient());
    }
}
