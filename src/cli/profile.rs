//! `ucam profile get`, `ucam profile set` and `ucam reset-password`: one user's
//! login profile, read or changed field by field.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::args::{OutputFormat, ProfileSetArgs, ResetPasswordArgs};
use super::output::{self, LoginProfileJson, UserJson};
use super::{CliError, Context, Session, print_line, secret};
use crate::api::{ApiResponse, Client, LoginProfileChange, Params};
use crate::password;

/// The parameters whose values never appear in a dry run.
const MASKED_PARAMS: [&str; 2] = ["Password", "Signature"];

const UPDATE_ACTION: &str = "UpdateLoginProfile";

pub async fn get(context: &Context, user: &str, format: OutputFormat) -> Result<(), CliError> {
    let session = context.connect().await?;
    let result = tokio::try_join!(
        session.client.get_user(user),
        session.client.get_login_profile(user)
    );
    session.close().await;
    let (user, profile) = result?;

    match format {
        OutputFormat::Json => {
            let json = serde_json::json!({
                "user": UserJson::from(&user),
                "login_profile": LoginProfileJson::from(&profile),
            });
            print_line(&json.to_string());
        }
        OutputFormat::Table => {
            let max_age = match profile.max_password_age {
                0 => "never expires".to_owned(),
                days => format!("{days} days"),
            };
            let text = output::key_values(&[
                ("user", user.user_name.clone()),
                ("display name", user.display_name.clone()),
                ("email", user.email.clone()),
                ("user status", user.status.clone()),
                ("created", output::rfc3339(user.created_at)),
                ("login status", profile.status.to_string()),
                ("max password age", max_age),
                ("mfa required", profile.mfa_bind_required.to_string()),
                (
                    "reset required",
                    profile.password_reset_required.to_string(),
                ),
            ]);
            print_line(text.trim_end());
        }
    }
    Ok(())
}

/// The change `profile set` asks for: only the flags given.
fn change_from_args(args: &ProfileSetArgs) -> LoginProfileChange {
    LoginProfileChange {
        user_name: args.user.clone(),
        status: args.status.map(Into::into),
        email: args.email.clone(),
        password: None,
        max_password_age: args.max_password_age,
        mfa_bind_required: args.mfa_required,
        password_reset_required: args.reset_required,
    }
}

pub async fn set(context: &Context, args: ProfileSetArgs) -> Result<(), CliError> {
    if !args.dry_run {
        context.ensure_writable("profile set")?;
    }
    let mut change = change_from_args(&args);
    if change.is_empty() && !args.password_stdin && !args.generate_password {
        return Err(CliError::Usage(
            "profile set: nothing to change; give at least one of --status, --email, \
             --password-stdin, --generate-password, --max-password-age, --mfa-required, \
             --reset-required"
                .to_owned(),
        ));
    }

    let policy = &context.settings.password_policy;
    let generated = if args.generate_password {
        Some(password::generate(password::DEFAULT_GENERATED_LENGTH))
    } else {
        None
    };
    change.password = match &generated {
        Some(password) => Some(password.clone()),
        None if args.password_stdin => Some(secret::read_new_password()?),
        None => None,
    };
    if let Some(password) = &change.password {
        policy.check(password.expose_secret())?;
    }

    let session = context.connect().await?;
    if args.dry_run {
        print_dry_run(&session.client, &change, args.output);
        session.close().await;
        return Ok(());
    }

    let result = submit(&session, &change).await;
    session.close().await;
    let response = result?;
    print_update(&change, &response, generated.as_ref(), args.output);
    Ok(())
}

pub async fn reset_password(context: &Context, args: ResetPasswordArgs) -> Result<(), CliError> {
    context.ensure_writable("reset-password")?;
    let length = usize::try_from(args.length).unwrap_or(password::DEFAULT_GENERATED_LENGTH);
    let new_password = password::generate(length);
    context
        .settings
        .password_policy
        .check(new_password.expose_secret())?;

    // Find the terminal before changing anything: a password copied nowhere
    // would be lost.
    let clipboard = if args.copy {
        Some(secret::ClipboardTerminal::open()?)
    } else {
        None
    };

    let mut change = LoginProfileChange::new(&args.user);
    change.password = Some(new_password.clone());
    change.password_reset_required = Some(true);

    let session = context.connect().await?;
    let result = submit(&session, &change).await;
    session.close().await;
    let response = result?;

    let request_id = response.request_id.as_deref();
    let shown = match clipboard {
        Some(mut terminal) => {
            terminal.copy(new_password.expose_secret())?;
            None
        }
        None => Some(new_password.expose_secret()),
    };
    match args.output {
        OutputFormat::Json => {
            let json = serde_json::json!({
                "user": args.user,
                "password": shown,
                "copied": args.copy,
                "request_id": request_id,
            });
            print_line(&json.to_string());
        }
        OutputFormat::Table => {
            let note = format!(
                "must be changed at next sign-in; {}",
                describe_response(request_id, response.latency)
            );
            match shown {
                Some(password) => print_line(&format!(
                    "reset {}: new password {password} ({note})",
                    args.user
                )),
                None => print_line(&format!(
                    "reset {}: new password copied to the clipboard ({note})",
                    args.user
                )),
            }
        }
    }
    Ok(())
}

/// Sends one change and audits its outcome, success or not.
pub async fn submit(
    session: &Session,
    change: &LoginProfileChange,
) -> Result<ApiResponse<()>, CliError> {
    let result = session.client.update_login_profile(change).await;
    session.audit(change, &result);
    result.map_err(CliError::from)
}

/// `request id X, 12 ms`.
pub fn describe_response(request_id: Option<&str>, latency: Duration) -> String {
    format!(
        "request id {}, {} ms",
        request_id.unwrap_or("none"),
        latency.as_millis()
    )
}

fn print_update(
    change: &LoginProfileChange,
    response: &ApiResponse<()>,
    generated: Option<&SecretString>,
    format: OutputFormat,
) {
    let changed = change.changed_fields();
    let request_id = response.request_id.as_deref();
    match format {
        OutputFormat::Json => {
            let mut json = serde_json::json!({
                "user": change.user_name,
                "changed": changed,
                "request_id": request_id,
                "latency_ms": response.latency.as_millis() as u64,
            });
            if let Some(password) = generated {
                json["password"] = password.expose_secret().into();
            }
            print_line(&json.to_string());
        }
        OutputFormat::Table => {
            print_line(&format!(
                "updated {}: {} ({})",
                change.user_name,
                changed.join(", "),
                describe_response(request_id, response.latency)
            ));
            if let Some(password) = generated {
                print_line(&format!("generated password: {}", password.expose_secret()));
            }
        }
    }
}

/// The request exactly as it would be sent, with the password and the
/// signature replaced by `***`.
pub fn masked_request(client: &Client, change: &LoginProfileChange) -> Params {
    let mut params = client.signed_params(UPDATE_ACTION, change.to_params());
    for key in MASKED_PARAMS {
        if params.contains(key) {
            params.insert(key, "***");
        }
    }
    params
}

fn print_dry_run(client: &Client, change: &LoginProfileChange, format: OutputFormat) {
    let params = masked_request(client, change);
    let content_type = "application/x-www-form-urlencoded";
    match format {
        OutputFormat::Json => {
            let fields: serde_json::Map<String, serde_json::Value> = params
                .iter()
                .map(|(key, value)| (key.to_owned(), value.into()))
                .collect();
            let json = DryRunJson {
                dry_run: true,
                method: "POST",
                url: client.endpoint(),
                content_type,
                body: params.to_form_body(),
                params: fields,
            };
            print_line(&serde_json::to_string(&json).unwrap_or_default());
        }
        OutputFormat::Table => {
            print_line(&format!("POST {}", client.endpoint()));
            print_line(&format!("Content-Type: {content_type}"));
            print_line("");
            print_line(&params.to_form_body());
        }
    }
    eprintln!("ucam: dry run: nothing was sent");
}

#[derive(Serialize)]
struct DryRunJson<'a> {
    dry_run: bool,
    method: &'a str,
    url: &'a str,
    content_type: &'a str,
    body: String,
    params: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ClientConfig, RetryPolicy};

    fn client() -> Client {
        Client::new(ClientConfig {
            base_url: "https://api.example.org".into(),
            public_key: "pub".into(),
            private_key: SecretString::from("priv".to_owned()),
            project_id: None,
            region: None,
            timeout: Duration::from_secs(1),
            retry: RetryPolicy::none(),
        })
        .unwrap()
    }

    #[test]
    fn dry_run_masks_password_and_signature_only() {
        let mut change = LoginProfileChange::new("alice");
        change.password = Some(SecretString::from("Secr3t!pass".to_owned()));
        change.mfa_bind_required = Some(true);

        let body = masked_request(&client(), &change).to_form_body();

        assert_eq!(
            body,
            "Action=UpdateLoginProfile&MFABindRequired=true&Password=***&PublicKey=pub\
             &Signature=***&UserName=alice"
        );
    }

    #[test]
    fn response_description_names_the_request_id() {
        assert_eq!(
            describe_response(Some("r-1"), Duration::from_millis(12)),
            "request id r-1, 12 ms"
        );
        assert_eq!(
            describe_response(None, Duration::ZERO),
            "request id none, 0 ms"
        );
    }
}
