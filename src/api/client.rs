//! The one HTTP client: signs parameters, POSTs them as a form, decodes the
//! `RetCode` envelope and retries what is safe to retry.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::params::Params;
use super::retry::RetryPolicy;
use super::signature::{SIGNATURE, sign};

/// The response header that carries the service's request id.
pub const REQUEST_ID_HEADER: &str = "X-UCLOUD-REQUEST-UUID";

/// Responses larger than this are refused rather than read into memory.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The default request timeout, overridden by `UCLOUD_TIMEOUT_SECOND`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Everything a client needs to reach and sign for one account.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Scheme, host and optional port, e.g. `https://api.scloudsg.com`.
    pub base_url: String,
    pub public_key: String,
    pub private_key: SecretString,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

/// A decoded successful answer with what the status bar shows about it.
#[derive(Clone, Debug)]
pub struct ApiResponse<T> {
    pub body: T,
    pub request_id: Option<String>,
    pub latency: Duration,
}

/// Signs and submits API calls. Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    endpoint: String,
}

/// The actions that can be sent again after an ambiguous answer (a garbled
/// body) without changing the outcome: reads, and `UpdateLoginProfile`, which
/// assigns absolute values. An action that creates or counts something must
/// not be added here.
pub const IDEMPOTENT_ACTIONS: [&str; 4] = [
    "ListUsers",
    "GetUser",
    "GetLoginProfile",
    "UpdateLoginProfile",
];

/// Called before each retry with the retry number and the most there will be.
pub type RetryObserver<'a> = &'a (dyn Fn(u32, u32) + Send + Sync);

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        // reqwest is built without a bundled crypto provider; ring is ours.
        // Installing twice is harmless, so the error is ignored.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let endpoint = format!("{}/", config.base_url.trim_end_matches('/'));
        let http = reqwest::Client::builder()
            .user_agent(concat!("ucam/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|error| ApiError::Transport {
                action: "setup".into(),
                endpoint: endpoint.clone(),
                reason: error.to_string(),
            })?;

        Ok(Self {
            http,
            config,
            endpoint,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The URL every call is POSTed to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The full parameter set for an action, public parameters and signature
    /// included: exactly what would go on the wire.
    pub fn signed_params(&self, action: &str, mut params: Params) -> Params {
        params.insert("Action", action);
        params.insert("PublicKey", self.config.public_key.as_str());
        params.insert_opt("ProjectId", self.config.project_id.as_deref());
        params.insert_opt("Region", self.config.region.as_deref());
        params.remove(SIGNATURE);
        let signature = sign(&params, self.config.private_key.expose_secret());
        params.insert(SIGNATURE, signature);
        params
    }

    /// Calls an action, retrying transient failures under the client's policy.
    pub async fn call<T: DeserializeOwned>(
        &self,
        action: &str,
        params: Params,
    ) -> Result<ApiResponse<T>, ApiError> {
        self.call_observed(action, params, &|_, _| {}).await
    }

    /// Like [`Client::call`], telling `on_retry` before each retry.
    pub async fn call_observed<T: DeserializeOwned>(
        &self,
        action: &str,
        params: Params,
        on_retry: RetryObserver<'_>,
    ) -> Result<ApiResponse<T>, ApiError> {
        let policy = &self.config.retry;
        let started = Instant::now();
        let mut attempt = 0;

        loop {
            let result = self.call_once(action, &params).await;
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) if !is_retryable(action, &error) => return Err(error),
                Err(error) => error,
            };

            attempt += 1;
            let wait = policy.backoff(attempt, rand::random::<f64>());
            let out_of_time = started.elapsed() + wait > policy.deadline;
            if attempt > policy.max_retries || out_of_time {
                if policy.max_retries == 0 {
                    return Err(error);
                }
                return Err(ApiError::RetriesExhausted {
                    action: action.to_owned(),
                    attempts: attempt,
                    last: Box::new(error),
                });
            }

            tracing::debug!(action, attempt, ?wait, %error, "transient failure, retrying");
            on_retry(attempt, policy.max_retries);
            tokio::time::sleep(wait).await;
        }
    }

    /// One signed POST and its decoded answer, without retrying.
    pub async fn call_once<T: DeserializeOwned>(
        &self,
        action: &str,
        params: &Params,
    ) -> Result<ApiResponse<T>, ApiError> {
        let body = self.signed_params(action, params.clone()).to_form_body();
        let started = Instant::now();
        let timestamp_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();

        tracing::debug!(action, endpoint = %self.endpoint, fields = ?params, "sending");
        let response = self
            .http
            .post(&self.endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("U-Timestamp-Ms", timestamp_ms.to_string())
            .body(body)
            .send()
            .await
            .map_err(|error| self.transport_error(action, &error))?;

        let status = response.status();
        let request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);

        if !status.is_success() {
            return Err(ApiError::HttpStatus {
                action: action.to_owned(),
                endpoint: self.endpoint.clone(),
                status: status.as_u16(),
                request_id,
            });
        }

        let bytes = self.read_body(action, response, &request_id).await?;
        let latency = started.elapsed();
        let body = decode_body(action, &bytes, &request_id)?;
        tracing::debug!(
            action,
            ?latency,
            request_id = request_id.as_deref(),
            "answered"
        );

        Ok(ApiResponse {
            body,
            request_id,
            latency,
        })
    }

    async fn read_body(
        &self,
        action: &str,
        mut response: reqwest::Response,
        request_id: &Option<String>,
    ) -> Result<Vec<u8>, ApiError> {
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.transport_error(action, &error))?
        {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ApiError::Decode {
                    action: action.to_owned(),
                    reason: format!("body larger than {} MiB", MAX_BODY_BYTES >> 20),
                    request_id: request_id.clone(),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    fn transport_error(&self, action: &str, error: &reqwest::Error) -> ApiError {
        if error.is_timeout() {
            return ApiError::Timeout {
                action: action.to_owned(),
                endpoint: self.endpoint.clone(),
                timeout: self.config.timeout,
            };
        }
        ApiError::Transport {
            action: action.to_owned(),
            endpoint: self.endpoint.clone(),
            reason: describe_transport_error(error),
        }
    }
}

/// Transient, and for a garbled answer also idempotent (see
/// [`IDEMPOTENT_ACTIONS`]).
fn is_retryable(action: &str, error: &ApiError) -> bool {
    match error {
        ApiError::Garbled { .. } => IDEMPOTENT_ACTIONS.contains(&action),
        other => other.is_transient(),
    }
}

/// A short cause chain without the URL (which is only the endpoint, but the
/// endpoint is already named) and without any request content.
fn describe_transport_error(error: &reqwest::Error) -> String {
    let mut reason = if error.is_connect() {
        "connection failed".to_owned()
    } else if error.is_body() || error.is_decode() {
        "connection dropped while reading the answer".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    reason
}

/// Decodes an answer: the `RetCode` envelope first (number or string), then the
/// action's own fields.
pub fn decode_body<T: DeserializeOwned>(
    action: &str,
    bytes: &[u8],
    request_id: &Option<String>,
) -> Result<T, ApiError> {
    let decode_error = |reason: String| ApiError::Decode {
        action: action.to_owned(),
        reason,
        request_id: request_id.clone(),
    };

    // Not JSON at all is a mangled answer (cut off, or a proxy's page), which
    // a retry may cure; JSON of the wrong shape is final.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| ApiError::Garbled {
            action: action.to_owned(),
            reason: format!("not JSON: {error}"),
            request_id: request_id.clone(),
        })?;
    let code = match value.get("RetCode") {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| decode_error("no RetCode".to_owned()))?;

    if code != 0 {
        let message = value
            .get("Message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .chars()
            .take(500)
            .collect();
        return Err(ApiError::RetCode {
            action: action.to_owned(),
            code,
            message,
            request_id: request_id.clone(),
        });
    }

    serde_json::from_value(value).map_err(|error| decode_error(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Empty {}

    #[test]
    fn retcode_as_string_is_accepted() {
        let ok: Result<Empty, _> = decode_body("A", br#"{"RetCode":"0"}"#, &None);
        assert!(ok.is_ok());

        let refused: Result<Empty, _> = decode_body(
            "A",
            br#"{"RetCode":"171","Message":"Signature VerifyAC Error"}"#,
            &None,
        );
        assert_eq!(refused.unwrap_err().ret_code(), Some(171));
    }

    #[test]
    fn non_json_is_garbled_and_missing_retcode_is_a_decode_error() {
        let id = Some("rid".to_owned());
        let html: Result<Empty, _> = decode_body("A", b"<html>", &id);
        let error = html.unwrap_err();
        assert!(matches!(error, ApiError::Garbled { .. }));
        assert_eq!(error.request_id(), Some("rid"));

        let no_code: Result<Empty, _> = decode_body("A", b"{}", &None);
        let no_code = no_code.unwrap_err();
        assert!(matches!(no_code, ApiError::Decode { .. }));
        assert!(no_code.to_string().contains("no RetCode"));
    }

    #[test]
    fn garbled_answers_are_retried_only_for_idempotent_actions() {
        let garbled = |action: &str| ApiError::Garbled {
            action: action.to_owned(),
            reason: "not JSON".to_owned(),
            request_id: None,
        };

        assert!(is_retryable(
            "UpdateLoginProfile",
            &garbled("UpdateLoginProfile")
        ));
        assert!(is_retryable("ListUsers", &garbled("ListUsers")));
        assert!(!is_retryable("CreateUser", &garbled("CreateUser")));
    }
}
