//! `ucam users list`: every user of the account, as a table or one JSON object.

use serde::Serialize;

use super::output::{self, UserJson};
use super::{CliError, Context, OutputFormat, print_line};
use crate::api::User;

#[derive(Serialize)]
struct UserListJson<'a> {
    users: Vec<UserJson<'a>>,
    total: usize,
}

pub async fn list(context: &Context, format: OutputFormat) -> Result<(), CliError> {
    let session = context.connect().await?;
    let result = session.client.list_all_users().await;
    session.close().await;
    let users = result?;

    match format {
        OutputFormat::Json => {
            let json = UserListJson {
                users: users.iter().map(UserJson::from).collect(),
                total: users.len(),
            };
            print_line(&serde_json::to_string(&json).unwrap_or_default());
        }
        OutputFormat::Table => print_line(users_table(&users).trim_end()),
    }
    Ok(())
}

/// The user table: name, display name, email, status, creation date.
pub fn users_table(users: &[User]) -> String {
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|user| {
            vec![
                user.user_name.clone(),
                user.display_name.clone(),
                user.email.clone(),
                user.status.clone(),
                output::rfc3339(user.created_at)[..10].to_owned(),
            ]
        })
        .collect();
    output::table(
        &["USER", "DISPLAY NAME", "EMAIL", "STATUS", "CREATED"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_one_row_per_user() {
        let users = vec![User {
            user_name: "alice".into(),
            display_name: "Alice Ng".into(),
            email: "alice@example.org".into(),
            status: "Active".into(),
            created_at: 1_700_000_000,
        }];

        assert_eq!(
            users_table(&users),
            "USER   DISPLAY NAME  EMAIL              STATUS  CREATED\n\
             alice  Alice Ng      alice@example.org  Active  2023-11-14\n"
        );
    }
}
