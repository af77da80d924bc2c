//! Serving the router on a bound listener until a shutdown future resolves.
//!
//! Taking a bound listener (rather than an address) lets tests bind port 0, and lets the
//! `serve` command report a port in use before it starts the database.
//!
//! Connections are HTTP/1.1, served by hyper directly rather than through `axum::serve`,
//! because `axum::serve` gives hyper no timer: without one hyper cannot time out a client
//! that opens a connection and sends its request head slowly or not at all, and such
//! clients could hold connections (and file descriptors) for as long as they liked.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The most bytes of a request head (request line and headers) the server buffers.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How connections are bounded in time.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Longest a client may take to send a request's head, counted from the moment the
    /// connection opens or its previous response is written: so also how long an idle
    /// keep-alive connection stays open.
    pub header_read: Duration,
    /// After the shutdown signal, how long requests in flight may finish.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting connections and
/// waits for requests in flight, at most `timeouts.grace` (streaming exports may outlast it).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: Timeouts,
) -> anyhow::Result<()> {
    let Timeouts { header_read, grace } = timeouts;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read)
        .max_buf_size(MAX_HEAD_BYTES.max(8192))
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        stream.set_nodelay(true).ok();
        let app = app
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; closing them");
        }
    }
    Ok(())
}
