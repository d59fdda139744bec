//! The HTTP side: a hyper accept loop around the axum router. It adds the
//! request id header and the configured latency to every answer, and can
//! close a connection without answering, which axum alone cannot do.

use secrecy::SecretString;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response};
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::RwLock;
use tower::ServiceExt;

use super::actions;
use super::directory::Directory;
use super::faults::FaultInjector;
use super::store::Store;
use crate::api::client::REQUEST_ID_HEADER;

/// How long in-flight requests get to finish once shutdown starts.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the request handlers share.
#[derive(Debug)]
pub struct Sandbox {
    pub public_key: String,
    pub private_key: SecretString,
    pub latency: Duration,
    pub directory: Arc<RwLock<Directory>>,
    pub store: Arc<Store>,
    pub faults: FaultInjector,
}

/// Put in a response's extensions by a handler that wants the connection
/// closed with no answer at all.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

/// What hyper is told when a connection is dropped on purpose.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct DroppedOnPurpose;

pub fn router(sandbox: Arc<Sandbox>) -> Router {
    Router::new()
        .route("/", get(actions::endpoint).post(actions::endpoint))
        .with_state(sandbox)
}

/// Accepts connections until `stop` resolves, then lets in-flight requests
/// finish (up to [`DRAIN_TIMEOUT`]).
pub async fn accept_until(
    listener: TcpListener,
    sandbox: Arc<Sandbox>,
    stop: impl Future<Output = ()>,
) {
    let router = router(sandbox.clone());
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);

    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: pause rather
                    // than spin, then keep serving.
                    tracing::warn!(%error, "sandbox could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };

        let router = router.clone();
        let latency = sandbox.latency;
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            answer(router.clone(), latency, request)
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "sandbox connection ended");
            }
        });
    }

    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("sandbox stopped with requests still in flight");
    }
}

/// One request: waits out the latency, routes it, stamps the request id, or
/// drops the connection when the handler asked for that.
async fn answer(
    router: Router,
    latency: Duration,
    request: Request<Incoming>,
) -> Result<Response<Body>, DroppedOnPurpose> {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let routed: Result<Response<Body>, Infallible> = router.oneshot(request.map(Body::new)).await;
    let mut response = match routed {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if response.extensions().get::<DropConnection>().is_some() {
        return Err(DroppedOnPurpose);
    }

    if let Ok(request_id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, request_id);
    }
    Ok(response)
}
