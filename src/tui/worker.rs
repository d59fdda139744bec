//! The worker: a tokio task that owns the API client, runs a bounded number
//! of requests at once and sends every outcome back as a `Reply`. It also
//! appends each finished submit to the audit file.

use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::Semaphore;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::api::iam::{MAX_PAGE_SIZE, PAGE_CONCURRENCY};
use crate::api::{Client, LoginProfileChange};
use crate::audit::{AuditEntry, AuditLog};

use super::app::{Command, Reply, SubmitId, Submitted};

/// What the worker needs.
pub struct Worker {
    pub client: Client,
    /// `None` writes no audit file (tests).
    pub audit: Option<AuditLog>,
    /// The profile name, for the audit file.
    pub profile: String,
    /// How many requests run at once.
    pub concurrency: usize,
}

/// Runs until the command channel closes. Commands the event loop handles
/// itself are ignored.
pub async fn run(
    worker: Worker,
    mut commands: UnboundedReceiver<Command>,
    replies: UnboundedSender<Reply>,
) {
    let worker = Arc::new(worker);
    let permits = Arc::new(Semaphore::new(worker.concurrency.max(1)));
    while let Some(command) = commands.recv().await {
        let (worker, permits, replies) = (worker.clone(), permits.clone(), replies.clone());
        match command {
            Command::LoadUsers { generation } => {
                tokio::spawn(load_users(worker, permits, replies, generation));
            }
            Command::FetchProfile { user } => {
                tokio::spawn(async move {
                    let Ok(_permit) = permits.acquire().await else {
                        return;
                    };
                    let result = worker.client.get_login_profile(&user).await;
                    let _ = replies.send(Reply::Profile { user, result });
                });
            }
            Command::Submit { submit, change } => {
                tokio::spawn(async move {
                    let Ok(_permit) = permits.acquire().await else {
                        return;
                    };
                    worker.submit(submit, change, &replies).await;
                });
            }
            Command::GeneratePassword { .. } | Command::CopyToClipboard(_) | Command::Quit => {}
        }
    }
}

/// The first page, then the rest a few at a time; every page is its own reply
/// so the list is usable from the first one.
async fn load_users(
    worker: Arc<Worker>,
    permits: Arc<Semaphore>,
    replies: UnboundedSender<Reply>,
    generation: u64,
) {
    let first = {
        let Ok(_permit) = permits.acquire().await else {
            return;
        };
        worker.client.list_users(MAX_PAGE_SIZE, 0).await
    };
    let (listed, total) = match &first {
        Ok(page) => (page.users.len() as u64, page.total_count),
        Err(_) => (0, 0),
    };
    let _ = replies.send(Reply::UsersPage {
        generation,
        offset: 0,
        result: first,
    });

    // The rest are bounded by their own PAGE_CONCURRENCY permits, not the
    // worker's: pages holding every worker permit would queue the profile
    // fetch for the selection behind the whole list, and the worker's 6
    // would cap the load below PAGE_CONCURRENCY (0.46 s instead of 0.37 s
    // for 10k users at 20 ms a request, benches/loading.rs).
    let pages = Arc::new(Semaphore::new(PAGE_CONCURRENCY));
    for offset in (listed..total).step_by(MAX_PAGE_SIZE as usize) {
        let (worker, replies) = (worker.clone(), replies.clone());
        let Ok(page_permit) = pages.clone().acquire_owned().await else {
            return;
        };
        tokio::spawn(async move {
            let _page_permit = page_permit;
            let result = worker.client.list_users(MAX_PAGE_SIZE, offset).await;
            let _ = replies.send(Reply::UsersPage {
                generation,
                offset,
                result,
            });
        });
    }
}

impl Worker {
    async fn submit(
        &self,
        submit: SubmitId,
        change: LoginProfileChange,
        replies: &UnboundedSender<Reply>,
    ) {
        let on_retry = |attempt, max| {
            let _ = replies.send(Reply::Retrying {
                submit,
                attempt,
                max,
            });
        };
        let result = self
            .client
            .update_login_profile_observed(&change, &on_retry)
            .await;

        if let Some(audit) = &self.audit {
            let entry = AuditEntry::for_change(
                &self.profile,
                self.client.endpoint(),
                &change,
                &result,
                SystemTime::now(),
            );
            let audit = audit.clone();
            let written = tokio::task::spawn_blocking(move || audit.append(&entry)).await;
            let failure = match written {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(format!("{}: {error}", audit_path_hint(&self.audit))),
                Err(error) => Some(error.to_string()),
            };
            if let Some(reason) = failure {
                tracing::warn!(%reason, "audit append failed");
                let _ = replies.send(Reply::AuditFailed { reason });
            }
        }

        let result = result.map(|response| Submitted {
            request_id: response.request_id,
            latency: response.latency,
        });
        let _ = replies.send(Reply::Submitted { submit, result });
    }
}

fn audit_path_hint(audit: &Option<AuditLog>) -> String {
    audit
        .as_ref()
        .map(|a| a.path().display().to_string())
        .unwrap_or_default()
}
