//! The worker against a real sandbox over HTTP: pages arrive one reply each,
//! profiles and submits come back as replies, and the audit file gets a line
//! per submit with field names only.

use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::mpsc;
use ucam::api::{Client, LoginProfileChange};
use ucam::audit::AuditLog;
use ucam::sandbox::{SandboxOptions, start};
use ucam::tui::app::{Command, Reply};
use ucam::tui::worker::{Worker, run};

async fn next_reply(replies: &mut mpsc::UnboundedReceiver<Reply>) -> Reply {
    tokio::time::timeout(Duration::from_secs(10), replies.recv())
        .await
        .expect("a reply within 10 s")
        .expect("the worker is running")
}

#[tokio::test]
async fn worker_loads_pages_fetches_profiles_and_submits() {
    let sandbox = start(SandboxOptions {
        users: Some(250),
        ..SandboxOptions::default()
    })
    .await
    .unwrap();
    let files = tempfile::tempdir().unwrap();
    let audit_path = files.path().join("audit.jsonl");
    let worker = Worker {
        client: Client::new(sandbox.client_config()).unwrap(),
        audit: Some(AuditLog::new(audit_path.clone())),
        profile: "sandbox".into(),
        concurrency: 3,
    };
    let (jobs, job_queue) = mpsc::unbounded_channel();
    let (reply_sender, mut replies) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(worker, job_queue, reply_sender));

    jobs.send(Command::LoadUsers { generation: 7 }).unwrap();
    let mut offsets = Vec::new();
    let mut names = Vec::new();
    while names.len() < 250 {
        match next_reply(&mut replies).await {
            Reply::UsersPage {
                generation: 7,
                offset,
                result,
            } => {
                let page = result.unwrap();
                assert_eq!(page.total_count, 250);
                offsets.push(offset);
                names.extend(page.users.into_iter().map(|u| u.user_name));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    offsets.sort();
    assert_eq!(offsets, [0, 100, 200]);
    let user = names[0].clone();

    jobs.send(Command::FetchProfile { user: user.clone() })
        .unwrap();
    let Reply::Profile {
        user: answered,
        result,
    } = next_reply(&mut replies).await
    else {
        panic!("expected a profile")
    };
    assert_eq!(answered, user);
    let before = result.unwrap();

    let mut change = LoginProfileChange::new(user.clone());
    change.password = Some(SecretString::from("Wq3#zLp8!rVt"));
    change.mfa_bind_required = Some(!before.mfa_bind_required);
    jobs.send(Command::Submit { submit: 1, change }).unwrap();
    let Reply::Submitted { submit: 1, result } = next_reply(&mut replies).await else {
        panic!("expected the submit's outcome")
    };
    let done = result.unwrap();
    assert!(done.request_id.is_some());

    jobs.send(Command::FetchProfile { user: user.clone() })
        .unwrap();
    let Reply::Profile { result, .. } = next_reply(&mut replies).await else {
        panic!()
    };
    assert_eq!(result.unwrap().mfa_bind_required, !before.mfa_bind_required);

    let audit = std::fs::read_to_string(&audit_path).unwrap();
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].contains(r#""fields":["Password","MFABindRequired"]"#),
        "{audit}"
    );
    assert!(lines[0].contains(done.request_id.as_deref().unwrap()));
    assert!(!audit.contains("Wq3#zLp8!rVt"));

    drop(jobs);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn refused_submit_comes_back_as_an_error_and_is_audited_as_failed() {
    let sandbox = start(SandboxOptions::default()).await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let audit_path = files.path().join("audit.jsonl");
    let worker = Worker {
        client: Client::new(sandbox.client_config()).unwrap(),
        audit: Some(AuditLog::new(audit_path.clone())),
        profile: "sandbox".into(),
        concurrency: 2,
    };
    let (jobs, job_queue) = mpsc::unbounded_channel();
    let (reply_sender, mut replies) = mpsc::unbounded_channel();
    tokio::spawn(run(worker, job_queue, reply_sender));

    let mut change = LoginProfileChange::new("nobody-by-this-name");
    change.max_password_age = Some(30);
    jobs.send(Command::Submit { submit: 9, change }).unwrap();

    let Reply::Submitted { submit: 9, result } = next_reply(&mut replies).await else {
        panic!("expected the submit's outcome")
    };
    let error = result.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let audit = std::fs::read_to_string(&audit_path).unwrap();
    assert!(audit.contains(r#""outcome":"failed""#), "{audit}");
    assert!(audit.contains(r#""fields":["MaxPasswordAge"]"#), "{audit}");
}
