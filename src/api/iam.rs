//! The IAM actions ucam uses and their types: `ListUsers`, `GetUser`,
//! `GetLoginProfile` and the partial `UpdateLoginProfile`.

use std::fmt;
use std::str::FromStr;

use futures::{StreamExt, TryStreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

use super::client::{ApiResponse, Client};
use super::error::ApiError;
use super::params::Params;

/// The most users `ListUsers` returns in one page.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The longest password age the service accepts, in days (three years).
pub const MAX_PASSWORD_AGE_DAYS: u32 = 1095;

/// How many pages are fetched at once after the first. At 20 ms a request,
/// 10k users (100 pages) take about 20 ms + 99 / 8 * 20 ms = 0.28 s; at 4 it
/// was 0.52 s, over the 0.5 s target (see `benches/loading.rs`). Still
/// bounded, so a large account does not flood the service.
pub const PAGE_CONCURRENCY: usize = 8;

/// A sub-account as `ListUsers` and `GetUser` describe it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct User {
    pub user_name: String,
    pub display_name: String,
    pub email: String,
    /// `Active`, `Inactive`, `Frozen` or `ConsoleInactive`: shown, not edited.
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// One page of `ListUsers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserPage {
    pub users: Vec<User>,
    pub total_count: u64,
}

/// Whether a user may sign in to the console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProfileStatus {
    #[default]
    Active,
    Inactive,
}

impl ProfileStatus {
    pub const ALL: [ProfileStatus; 2] = [ProfileStatus::Active, ProfileStatus::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }

    /// The other status: what `Space` cycles to in the form.
    pub fn toggled(self) -> Self {
        match self {
            Self::Active => Self::Inactive,
            Self::Inactive => Self::Active,
        }
    }
}

impl fmt::Display for ProfileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProfileStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            _ => Err(format!("status must be Active or Inactive, not {text:?}")),
        }
    }
}

/// A user's login profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginProfile {
    #[serde(rename = "Status", deserialize_with = "lenient_status")]
    pub status: ProfileStatus,
    /// Days before the password must be changed; 0 means never.
    #[serde(rename = "MaxPasswordAge", deserialize_with = "lenient_u32")]
    pub max_password_age: u32,
    #[serde(rename = "MFABindRequired", deserialize_with = "lenient_bool")]
    pub mfa_bind_required: bool,
    #[serde(rename = "PasswordResetRequired", deserialize_with = "lenient_bool")]
    pub password_reset_required: bool,
}

/// A partial update of one login profile: only the fields that are set are
/// sent, so a colleague's concurrent edit of another field survives.
#[derive(Clone, Debug, Default)]
pub struct LoginProfileChange {
    pub user_name: String,
    pub status: Option<ProfileStatus>,
    pub email: Option<String>,
    pub password: Option<SecretString>,
    pub max_password_age: Option<u32>,
    pub mfa_bind_required: Option<bool>,
    pub password_reset_required: Option<bool>,
}

impl LoginProfileChange {
    pub fn new(user_name: impl Into<String>) -> Self {
        Self {
            user_name: user_name.into(),
            ..Self::default()
        }
    }

    /// The wire names of the fields this change sets, in form order.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("Status", self.status.is_some()),
            ("UserEmail", self.email.is_some()),
            ("Password", self.password.is_some()),
            ("MaxPasswordAge", self.max_password_age.is_some()),
            ("MFABindRequired", self.mfa_bind_required.is_some()),
            (
                "PasswordResetRequired",
                self.password_reset_required.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.changed_fields().is_empty()
    }

    /// The request parameters: `UserName` plus the fields that are set.
    pub fn to_params(&self) -> Params {
        let mut params = Params::new();
        params.insert("UserName", self.user_name.as_str());
        params.insert_opt("Status", self.status.map(ProfileStatus::as_str));
        params.insert_opt("UserEmail", self.email.as_deref());
        params.insert_opt(
            "Password",
            self.password.as_ref().map(|p| p.expose_secret()),
        );
        params.insert_opt("MaxPasswordAge", self.max_password_age);
        params.insert_opt("MFABindRequired", self.mfa_bind_required);
        params.insert_opt("PasswordResetRequired", self.password_reset_required);
        params
    }

    /// The profile as it would be after this change.
    pub fn apply_to(&self, profile: &LoginProfile) -> LoginProfile {
        LoginProfile {
            status: self.status.unwrap_or(profile.status),
            max_password_age: self.max_password_age.unwrap_or(profile.max_password_age),
            mfa_bind_required: self.mfa_bind_required.unwrap_or(profile.mfa_bind_required),
            password_reset_required: self
                .password_reset_required
                .unwrap_or(profile.password_reset_required),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetUserBody {
    user: User,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetLoginProfileBody {
    login_profile: LoginProfile,
}

#[derive(Deserialize)]
struct Acknowledged {}

impl Client {
    /// One page of users.
    pub async fn list_users(&self, limit: u32, offset: u64) -> Result<UserPage, ApiError> {
        let mut params = Params::new();
        params.insert("Limit", limit.min(MAX_PAGE_SIZE));
        params.insert("Offset", offset);
        Ok(self.call::<UserPage>("ListUsers", params).await?.body)
    }

    /// Every user: the first page gives `TotalCount`, the rest are fetched a
    /// few pages at a time.
    pub async fn list_all_users(&self) -> Result<Vec<User>, ApiError> {
        let first = self.list_users(MAX_PAGE_SIZE, 0).await?;
        let mut users = first.users;
        let offsets = (users.len() as u64..first.total_count).step_by(MAX_PAGE_SIZE as usize);

        let pages: Vec<UserPage> = futures::stream::iter(offsets)
            .map(|offset| self.list_users(MAX_PAGE_SIZE, offset))
            .buffered(PAGE_CONCURRENCY)
            .try_collect()
            .await?;
        users.extend(pages.into_iter().flat_map(|page| page.users));
        Ok(users)
    }

    pub async fn get_user(&self, user_name: &str) -> Result<User, ApiError> {
        let mut params = Params::new();
        params.insert("UserName", user_name);
        Ok(self.call::<GetUserBody>("GetUser", params).await?.body.user)
    }

    pub async fn get_login_profile(&self, user_name: &str) -> Result<LoginProfile, ApiError> {
        let mut params = Params::new();
        params.insert("UserName", user_name);
        let response = self
            .call::<GetLoginProfileBody>("GetLoginProfile", params)
            .await?;
        Ok(response.body.login_profile)
    }

    /// Submits a partial update. The answer carries the request id and latency.
    pub async fn update_login_profile(
        &self,
        change: &LoginProfileChange,
    ) -> Result<ApiResponse<()>, ApiError> {
        self.update_login_profile_observed(change, &|_, _| {}).await
    }

    /// Like [`Client::update_login_profile`], telling `on_retry` before each retry.
    pub async fn update_login_profile_observed(
        &self,
        change: &LoginProfileChange,
        on_retry: super::client::RetryObserver<'_>,
    ) -> Result<ApiResponse<()>, ApiError> {
        let response = self
            .call_observed::<Acknowledged>("UpdateLoginProfile", change.to_params(), on_retry)
            .await?;
        Ok(ApiResponse {
            body: (),
            request_id: response.request_id,
            latency: response.latency,
        })
    }
}

/// A plausible address: one `@`, something before it, a dotted domain after
/// it, no spaces. The service has the last word.
pub fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        serde_json::Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1"),
        _ => false,
    })
}

fn lenient_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let number = match &value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    number.and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
        serde::de::Error::custom(format!("MaxPasswordAge: not a day count: {value}"))
    })
}

fn lenient_status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ProfileStatus, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_sends_only_the_fields_set() {
        let mut change = LoginProfileChange::new("alice");
        change.email = Some("a@example.org".into());
        change.mfa_bind_required = Some(true);
        let params = change.to_params();
        let keys: Vec<&str> = params.keys().collect();

        assert_eq!(keys, ["MFABindRequired", "UserEmail", "UserName"]);
        assert_eq!(params.get("MFABindRequired"), Some("true"));
        assert_eq!(change.changed_fields(), ["UserEmail", "MFABindRequired"]);
    }

    #[test]
    fn empty_change_is_empty() {
        assert!(LoginProfileChange::new("bob").is_empty());
    }

    #[test]
    fn change_debug_hides_the_password() {
        let mut change = LoginProfileChange::new("bob");
        change.password = Some(SecretString::from("Sup3r$ecret!"));

        assert!(!format!("{change:?}").contains("Sup3r$ecret!"));
        assert_eq!(change.to_params().get("Password"), Some("Sup3r$ecret!"));
    }

    #[test]
    fn login_profile_decodes_lenient_values() {
        let profile: LoginProfile = serde_json::from_str(
            r#"{"Status":"Inactive","MaxPasswordAge":"90","MFABindRequired":1,
                "PasswordResetRequired":"true","Extra":1}"#,
        )
        .unwrap();

        assert_eq!(profile.status, ProfileStatus::Inactive);
        assert_eq!(profile.max_password_age, 90);
        assert!(profile.mfa_bind_required);
        assert!(profile.password_reset_required);
    }

    #[test]
    fn missing_fields_default() {
        let user: User = serde_json::from_str(r#"{"UserName":"x"}"#).unwrap();
        assert_eq!(user.user_name, "x");
        assert_eq!(user.email, "");
    }

    #[test]
    fn email_shapes() {
        for good in ["a@b.co", "zoë.müller@例え.jp", "x+tag@mail.example.org"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@.b.co", "a@b..co", "a@b.co.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn status_parses_case_insensitively_and_names_the_choices() {
        assert_eq!(
            "inactive".parse::<ProfileStatus>(),
            Ok(ProfileStatus::Inactive)
        );
        assert!(
            "Frozen"
                .parse::<ProfileStatus>()
                .unwrap_err()
                .contains("Active or Inactive")
        );
    }
}
