//! Load shedding for the costly routes: lists, searches, exports, timelines, related
//! entities, statistics and writes. At most `permits` of them run at once (as many as the
//! database pool holds); a bounded number wait, at most `Shed::wait`, for a turn; the rest
//! are answered at once with 503 `overloaded` and `Retry-After`, rather than queueing without
//! end while every client times out. Lookups by id, health and metrics never wait here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http_body::Body as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;

/// The seconds a shed client is told to wait.
const RETRY_AFTER_SECS: u64 = 1;

/// The costly requests' turns.
#[derive(Debug)]
pub struct Shed {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
}

impl Shed {
    /// `permits` costly requests at once, `max_waiting` more waiting at most `wait` each.
    pub fn new(permits: usize, max_waiting: usize, wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            wait,
        })
    }

    /// The turns for a database pool of `pool_size` connections: as many as it holds (fewer
    /// cost article pages a quarter of their throughput: measured with three turns for four
    /// connections, 2,151 -> 1,601 req/s), and 64 waiting per turn, each for at most two
    /// seconds. Waiting is what a burst does (32 clients at once wait a few milliseconds
    /// each); two seconds without a turn is overload.
    pub fn for_pool(pool_size: u32) -> Arc<Self> {
        let permits = usize::try_from(pool_size).unwrap_or(usize::MAX).max(1);
        Self::new(permits, permits * 64, Duration::from_secs(2))
    }

    async fn turn(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Some(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let permit =
            tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        permit.ok().and_then(Result::ok)
    }
}

/// Middleware: runs the request in its turn, or answers 503 `overloaded`. A streamed body
/// (an export) keeps the turn until it ends or the client goes away.
pub async fn shed(State(shed): State<Arc<Shed>>, request: Request, next: Next) -> Response {
    let Some(permit) = shed.turn().await else {
        return ApiError::Overloaded {
            retry_after: RETRY_AFTER_SECS,
        }
        .into_response();
    };
    let response = next.run(request).await;
    if response.body().size_hint().exact().is_some() {
        return response;
    }
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _turn = &permit;
            chunk
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_bounded_and_so_is_the_queue() {
        let shed = Shed::new(1, 1, Duration::from_millis(50));

        let first = shed.turn().await.expect("a free turn");
        let waited_out = shed.turn().await;
        drop(first);
        let after = shed.turn().await;

        assert!(waited_out.is_none(), "no turn came within the wait");
        assert!(after.is_some(), "a turn is free again");
    }

    #[tokio::test]
    async fn beyond_the_queue_a_request_is_refused_at_once() {
        let shed = Shed::new(1, 0, Duration::from_secs(10));
        let _held = shed.turn().await.expect("a free turn");

        let started = std::time::Instant::now();
        let refused = shed.turn().await;

        assert!(refused.is_none());
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
