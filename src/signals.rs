//! Catching the signals that should end ucam cleanly (restore the terminal,
//! save the sandbox, exit 130) instead of killing it outright.
//!
//! The handlers are installed when [`caught`] is called, not when the
//! returned future is first polled: a future that installs them lazily can
//! miss a signal sent early, because `select!` may settle on another branch
//! without polling it.

use std::future::Future;
use std::pin::Pin;

/// Which signal to catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT, Ctrl-C.
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP: the terminal went away.
    Hangup,
}

/// A future that resolves when one of `signals` arrives. Signals that cannot
/// be caught (not a unix system, or the handler refused) never resolve it.
pub fn caught(signals: &[Stop]) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut streams = Vec::new();
        for stop in signals {
            let kind = match stop {
                Stop::Interrupt => SignalKind::interrupt(),
                Stop::Terminate => SignalKind::terminate(),
                Stop::Hangup => SignalKind::hangup(),
            };
            match signal(kind) {
                Ok(stream) => streams.push(stream),
                Err(error) => tracing::warn!(?stop, %error, "cannot catch this signal"),
            }
        }
        Box::pin(async move {
            if streams.is_empty() {
                return std::future::pending().await;
            }
            let arrivals = streams.iter_mut().map(|stream| Box::pin(stream.recv()));
            futures::future::select_all(arrivals).await;
        })
    }
    #[cfg(not(unix))]
    {
        let interrupt = signals.contains(&Stop::Interrupt);
        Box::pin(async move {
            if interrupt {
                let _ = tokio::signal::ctrl_c().await;
            } else {
                std::future::pending::<()>().await;
            }
        })
    }
}
