//! The API endpoint: reads the parameters (form body, JSON body or query
//! string), checks the signature, and runs `ListUsers`, `GetUser`,
//! `GetLoginProfile` or `UpdateLoginProfile` against the directory.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::codes;
use super::directory::Account;
use super::faults::Fault;
use super::password_hash::PasswordRecord;
use super::server::{DropConnection, Sandbox};
use super::validate;
use crate::api::signature::{SIGNATURE, verify};
use crate::api::{Params, ProfileStatus};

/// `ListUsers` page size when `Limit` is absent or 0.
pub const DEFAULT_LIMIT: usize = 10;
/// The largest `ListUsers` page; a larger `Limit` is served as this.
pub const MAX_LIMIT: usize = 100;

/// A refused request: the RetCode and the message naming what is wrong.
#[derive(Debug)]
pub struct Refusal {
    code: i64,
    message: String,
}

impl Refusal {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn missing(field: &str) -> Self {
        Self::new(codes::PARAM_INVALID, format!("Missing params [{field}]"))
    }

    fn not_valid(field: &str) -> Self {
        Self::new(codes::PARAM_INVALID, format!("Params [{field}] not valid"))
    }
}

/// The handler behind `/`, for GET and POST.
pub async fn endpoint(
    State(sandbox): State<Arc<Sandbox>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = read_params(&method, uri.query(), &headers, &body);
    let action = params
        .as_ref()
        .ok()
        .and_then(|params| params.get("Action"))
        .unwrap_or("")
        .to_owned();

    // Faults are drawn before anything else, so a faulted request never
    // changes the directory.
    if let Some(fault) = sandbox.faults.next_fault() {
        tracing::debug!(action, ?fault, "injecting a fault");
        return fault_response(fault, &action);
    }

    let outcome = match params {
        Ok(params) => answer(&sandbox, &action, &params).await,
        Err(refusal) => Err(refusal),
    };
    match outcome {
        Ok(fields) => {
            tracing::debug!(action, "answered");
            success(&action, fields)
        }
        Err(refusal) => {
            tracing::debug!(action, code = refusal.code, "refused");
            refused(&action, &refusal)
        }
    }
}

async fn answer(sandbox: &Sandbox, action: &str, params: &Params) -> Result<Value, Refusal> {
    authenticate(sandbox, params)?;
    match action {
        "" => Err(Refusal::new(codes::MISSING_ACTION, "Missing Action")),
        "ListUsers" => list_users(sandbox, params).await,
        "GetUser" => get_user(sandbox, params).await,
        "GetLoginProfile" => get_login_profile(sandbox, params).await,
        "UpdateLoginProfile" => update_login_profile(sandbox, params).await,
        other => Err(Refusal::new(
            codes::UNKNOWN_ACTION,
            format!("Action [{other}] not found"),
        )),
    }
}

/// Collects the query string and, for POST, the form or JSON body (the body
/// wins on a clash). Nested JSON is flattened the way the client signs it.
fn read_params(
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, Refusal> {
    let mut params = Params::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        params.insert(key.into_owned(), value.into_owned());
    }
    if method != Method::POST || body.is_empty() {
        return Ok(params);
    }

    if is_json(headers) {
        let value: Value = serde_json::from_slice(body).map_err(|error| {
            Refusal::new(
                codes::PARAM_INVALID,
                format!("Request body is not valid JSON: {error}"),
            )
        })?;
        let Value::Object(fields) = value else {
            return Err(Refusal::new(
                codes::PARAM_INVALID,
                "Request body must be a JSON object of parameters",
            ));
        };
        for (key, value) in &fields {
            params.insert_json(key, value);
        }
    } else {
        for (key, value) in form_urlencoded::parse(body) {
            params.insert(key.into_owned(), value.into_owned());
        }
    }
    Ok(params)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|mime| mime.trim().to_ascii_lowercase())
        .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

fn authenticate(sandbox: &Sandbox, params: &Params) -> Result<(), Refusal> {
    let Some(signature) = params.get(SIGNATURE) else {
        return Err(Refusal::new(codes::MISSING_SIGNATURE, "Missing signature"));
    };
    let known_key = params.get("PublicKey") == Some(sandbox.public_key.as_str());
    if !known_key || !verify(params, sandbox.private_key.expose_secret(), signature) {
        return Err(Refusal::new(
            codes::BAD_SIGNATURE,
            "Signature VerifyAC Error",
        ));
    }
    Ok(())
}

async fn list_users(sandbox: &Sandbox, params: &Params) -> Result<Value, Refusal> {
    let limit = match optional_count(params, "Limit")? {
        None | Some(0) => DEFAULT_LIMIT,
        Some(limit) => limit.min(MAX_LIMIT),
    };
    let offset = optional_count(params, "Offset")?.unwrap_or(0);

    let directory = sandbox.directory.read().await;
    let users: Vec<_> = directory
        .page(offset, limit)
        .iter()
        .map(Account::to_user)
        .collect();
    Ok(json!({ "Users": users, "TotalCount": directory.len() }))
}

async fn get_user(sandbox: &Sandbox, params: &Params) -> Result<Value, Refusal> {
    let user_name = required(params, "UserName")?;
    let directory = sandbox.directory.read().await;
    let account = directory
        .get(user_name)
        .ok_or_else(|| user_not_found(user_name))?;
    Ok(json!({ "User": account.to_user() }))
}

async fn get_login_profile(sandbox: &Sandbox, params: &Params) -> Result<Value, Refusal> {
    let user_name = required(params, "UserName")?;
    let directory = sandbox.directory.read().await;
    let account = directory
        .get(user_name)
        .ok_or_else(|| user_not_found(user_name))?;
    Ok(json!({ "LoginProfile": account.login_profile }))
}

/// The fields of one `UpdateLoginProfile`, each already checked.
#[derive(Default)]
struct ProfileUpdate {
    status: Option<ProfileStatus>,
    email: Option<String>,
    password: Option<SecretString>,
    max_password_age: Option<u32>,
    mfa_bind_required: Option<bool>,
    password_reset_required: Option<bool>,
}

impl ProfileUpdate {
    /// Checks every field before anything is applied, in a fixed order, and
    /// reports the first one that is wrong.
    fn parse(params: &Params) -> Result<Self, Refusal> {
        let status = field(params, "Status", codes::INVALID_STATUS, |text| {
            validate::parse_status(text).ok_or("must be Active or Inactive".to_owned())
        })?;
        let email = field(params, "UserEmail", codes::INVALID_EMAIL, |text| {
            if validate::is_valid_email(text) {
                Ok(text.to_owned())
            } else {
                Err("is not a valid e-mail address".to_owned())
            }
        })?;
        let max_password_age = field(
            params,
            "MaxPasswordAge",
            codes::INVALID_PASSWORD_AGE,
            |text| {
                validate::parse_max_password_age(text).ok_or(format!(
                    "must be a whole number of days from 0 to {}",
                    validate::MAX_PASSWORD_AGE_DAYS
                ))
            },
        )?;
        let mfa_bind_required = field(
            params,
            "MFABindRequired",
            codes::INVALID_BOOLEAN,
            parse_bool,
        )?;
        let password_reset_required = field(
            params,
            "PasswordResetRequired",
            codes::INVALID_BOOLEAN,
            parse_bool,
        )?;
        let password = match params.get("Password") {
            None => None,
            Some(password) => {
                validate::check_password(password)
                    .map_err(|reason| Refusal::new(codes::PASSWORD_POLICY, reason))?;
                Some(SecretString::from(password))
            }
        };

        Ok(Self {
            status,
            email,
            password,
            max_password_age,
            mfa_bind_required,
            password_reset_required,
        })
    }

    fn apply(self, account: &mut Account, password: Option<PasswordRecord>) {
        let profile = &mut account.login_profile;
        profile.status = self.status.unwrap_or(profile.status);
        profile.max_password_age = self.max_password_age.unwrap_or(profile.max_password_age);
        profile.mfa_bind_required = self.mfa_bind_required.unwrap_or(profile.mfa_bind_required);
        profile.password_reset_required = self
            .password_reset_required
            .unwrap_or(profile.password_reset_required);
        if let Some(email) = self.email {
            account.email = email;
        }
        if let Some(password) = password {
            account.password = Some(password);
        }
    }
}

fn parse_bool(text: &str) -> Result<bool, String> {
    validate::parse_bool(text).ok_or("must be true or false".to_owned())
}

async fn update_login_profile(sandbox: &Sandbox, params: &Params) -> Result<Value, Refusal> {
    let user_name = required(params, "UserName")?;
    let mut update = ProfileUpdate::parse(params)?;

    if sandbox.directory.read().await.get(user_name).is_none() {
        return Err(user_not_found(user_name));
    }
    // Hashing is slow on purpose; it runs before the directory is locked for
    // writing and off the async threads.
    let password = match update.password.take() {
        None => None,
        Some(password) => {
            let set_at = unix_now();
            let hashed =
                tokio::task::spawn_blocking(move || PasswordRecord::new(&password, set_at)).await;
            Some(hashed.map_err(|_| {
                Refusal::new(codes::SERVICE_UNAVAILABLE, "Password could not be stored")
            })?)
        }
    };

    let version = {
        let mut directory = sandbox.directory.write().await;
        let account = directory
            .get_mut(user_name)
            .ok_or_else(|| user_not_found(user_name))?;
        update.apply(account, password);
        directory.version()
    };

    sandbox
        .store
        .wait_until_saved(version)
        .await
        .map_err(|reason| {
            Refusal::new(
                codes::SERVICE_UNAVAILABLE,
                format!("The change could not be saved: {reason}"),
            )
        })?;
    Ok(json!({ "Message": "" }))
}

/// A parameter that must be present and not empty.
fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, Refusal> {
    params
        .get(name)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| Refusal::missing(name))
}

/// An optional non-negative integer; anything else names the field.
fn optional_count(params: &Params, name: &str) -> Result<Option<usize>, Refusal> {
    let Some(text) = params.get(name) else {
        return Ok(None);
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::not_valid(name));
    }
    // Beyond usize is past any end: serve it as the largest offset.
    Ok(Some(text.parse().unwrap_or(usize::MAX)))
}

/// An optional field checked by `parse`; its refusal carries `code` and
/// names the field.
fn field<T>(
    params: &Params,
    name: &str,
    code: i64,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, Refusal> {
    params
        .get(name)
        .map(|text| parse(text).map_err(|why| Refusal::new(code, format!("Params [{name}] {why}"))))
        .transpose()
}

fn user_not_found(user_name: &str) -> Refusal {
    Refusal::new(
        codes::USER_NOT_FOUND,
        format!("User [{user_name}] not found"),
    )
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn success(action: &str, fields: Value) -> Response {
    let mut body = Map::new();
    body.insert("RetCode".into(), 0.into());
    body.insert("Action".into(), format!("{action}Response").into());
    if let Value::Object(fields) = fields {
        body.extend(fields);
    }
    axum::Json(Value::Object(body)).into_response()
}

fn refused(action: &str, refusal: &Refusal) -> Response {
    axum::Json(json!({
        "RetCode": refusal.code,
        "Action": format!("{action}Response"),
        "Message": refusal.message,
    }))
    .into_response()
}

fn fault_response(fault: Fault, action: &str) -> Response {
    match fault {
        Fault::ServiceUnavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Service Unavailable\n",
        )
            .into_response(),
        Fault::Throttled => refused(
            action,
            &Refusal::new(codes::THROTTLED, "Request throttled, try again later"),
        ),
        Fault::DroppedConnection => {
            let mut response = StatusCode::OK.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Fault::MalformedBody => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            // Cut off mid-field, the way a dying proxy leaves it.
            r#"{"RetCode":0,"Users":[{"UserName":"#,
        )
            .into_response(),
    }
}
