//! Keeping the state file in step with the directory: one writer saves the
//! latest version, and a request that changed something waits until a save
//! that includes its change is on disk before it is answered.
//!
//! Saves coalesce: while one is being written, further changes pile up and
//! the next save writes them all at once. Encoding and writing happen on the
//! blocking pool, so a 100k-user file does not stall the async threads.
//! A save holds a read lock while it encodes: other reads go on, but a
//! change (and, since the lock is fair, reads queued behind that change)
//! waits for the encoding to finish, tens of milliseconds for 100k users.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, Notify, RwLock, watch};

use super::SandboxError;
use super::directory::{Directory, write_atomically};

/// The outcome of the most recent save.
#[derive(Clone, Debug)]
struct Saved {
    version: u64,
    /// Why that save failed, when it did.
    error: Option<String>,
}

/// The state file and who is waiting for it.
#[derive(Debug)]
pub struct Store {
    path: Option<PathBuf>,
    wake_writer: Notify,
    saved: watch::Sender<Saved>,
    /// One save at a time: the writer task and the final save on shutdown
    /// share the file.
    writing: Mutex<()>,
}

impl Store {
    /// `version` is what the directory holds now and the file already has.
    pub fn new(path: Option<PathBuf>, version: u64) -> Self {
        Self {
            path,
            wake_writer: Notify::new(),
            saved: watch::Sender::new(Saved {
                version,
                error: None,
            }),
            writing: Mutex::new(()),
        }
    }

    /// Waits until the change that brought the directory to `version` is on
    /// disk. Without a state file there is nothing to wait for.
    pub async fn wait_until_saved(&self, version: u64) -> Result<(), String> {
        if self.path.is_none() {
            return Ok(());
        }
        let mut saved = self.saved.subscribe();
        self.wake_writer.notify_one();
        let outcome = saved
            .wait_for(|saved| saved.version >= version)
            .await
            .map_err(|_| "the sandbox is shutting down".to_owned())?;
        match &outcome.error {
            None => Ok(()),
            Some(error) => Err(error.clone()),
        }
    }

    /// Saves whatever changed since the last save, until `stop` turns true.
    pub async fn run_writer(
        self: Arc<Self>,
        directory: Arc<RwLock<Directory>>,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                () = self.wake_writer.notified() => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
            if let Err(error) = self.save(&directory, false).await {
                tracing::warn!(%error, "sandbox state not saved");
            }
        }
    }

    /// Writes the directory to the state file. Unless `always`, does nothing
    /// when the last successful save already holds the current version.
    pub async fn save(
        &self,
        directory: &Arc<RwLock<Directory>>,
        always: bool,
    ) -> Result<(), SandboxError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let _writing = self.writing.lock().await;
        let snapshot = directory.clone().read_owned().await;
        let version = snapshot.version();
        let up_to_date = {
            let last = self.saved.borrow();
            last.version >= version && last.error.is_none()
        };
        if up_to_date && !always {
            return Ok(());
        }

        let target = path.clone();
        let written = tokio::task::spawn_blocking(move || {
            let bytes = snapshot.encode().map_err(|error| error.to_string())?;
            drop(snapshot);
            write_atomically(&target, &bytes).map_err(|error| error.to_string())
        })
        .await
        .unwrap_or_else(|join_error| Err(format!("the save task failed: {join_error}")));

        let error = written.as_ref().err().cloned();
        self.saved.send_replace(Saved { version, error });
        written.map_err(|reason| SandboxError::StateFileWrite { path, reason })
    }
}
