//! Where a read request's queries run ([`ReadDb`], chosen by [`crate::replicas::Reads`]), and
//! the layer that retries a read on the primary when the standby it went to failed
//! ([`retry_on_primary`]), so that a standby going down costs its in-flight reads some
//! latency, never an error.
//!
//! Handlers that only read take a [`ReadDb`]; handlers that write take the primary's pool
//! from the state, as do live streams (they render what the primary's feed announces).

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;

use super::AppState;
use super::error::DatabaseFailed;
use crate::db::GenericPlans;
use crate::replicas::{Reads, StandbyStatus};

/// The database a read request's queries go to: a standby in rotation that has replayed
/// everything this process wrote or holds in memory, else the primary.
#[derive(Debug, Clone)]
pub struct ReadDb {
    /// The pool.
    pub pool: PgPool,
    /// Its generic-plans twin.
    pub generic: GenericPlans,
}

/// The standby a request's [`ReadDb`] went to (`usize::MAX`: none), for the retry layer.
#[derive(Debug, Clone)]
struct Choice(Arc<AtomicUsize>);

/// Set on a retried request: its reads go to the primary, and it is not counted again by
/// the rate limit.
#[derive(Debug, Clone, Copy)]
pub struct OnPrimary;

impl FromRequestParts<AppState> for ReadDb {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // The entity directory first: a rebuild it waits for (after a write) raises the floor
        // before the pick, so the rows read are at least as new as the entities it holds. A
        // failure is the handler's to report when it asks again.
        if state.reads.is_split()
            && let Some(directory) = &state.directory
        {
            let _ = directory.snapshot().await;
        }
        let chosen = state
            .reads
            .pick(parts.extensions.get::<OnPrimary>().is_some());
        if let (Some(replica), Some(choice)) = (chosen.replica, parts.extensions.get::<Choice>()) {
            choice.0.store(replica, Ordering::Release);
        }
        Ok(Self {
            pool: chosen.target.pool,
            generic: chosen.target.generic,
        })
    }
}

/// Runs a `GET` or `HEAD` again with its reads on the primary when they went to a standby and
/// it answered that the database is unavailable, and takes that standby out of rotation.
/// Other requests, and every request when no standby is configured, pass through.
pub async fn retry_on_primary(
    State(reads): State<Arc<Reads>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !reads.is_split() || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let choice = Arc::new(AtomicUsize::new(usize::MAX));
    request.extensions_mut().insert(Choice(Arc::clone(&choice)));
    let (parts, body) = request.into_parts();
    let again = parts.clone();
    let response = next.clone().run(Request::from_parts(parts, body)).await;
    let replica = choice.load(Ordering::Acquire);
    if replica == usize::MAX || response.extensions().get::<DatabaseFailed>().is_none() {
        return response;
    }
    reads.failed(replica);
    let mut retry = Request::from_parts(again, Body::empty());
    retry.extensions_mut().remove::<Choice>();
    retry.extensions_mut().insert(OnPrimary);
    next.run(retry).await
}

/// Appends what `/metrics` shows of the split: reads by where they went, reads retried on the
/// primary, and each standby's rotation and lag (nothing without standbys).
pub fn render_metrics(reads: &Reads, standbys: &[StandbyStatus], out: &mut String) {
    if standbys.is_empty() {
        return;
    }
    let (primary, retried) = reads.primary_counts();
    out.push_str("# HELP newsgraph_reads_total Read requests' database, by where it was.\n");
    out.push_str("# TYPE newsgraph_reads_total counter\n");
    let _ = writeln!(out, "newsgraph_reads_total{{target=\"primary\"}} {primary}");
    for standby in standbys {
        let _ = writeln!(
            out,
            "newsgraph_reads_total{{target=\"{}\"}} {}",
            standby.name, standby.reads
        );
    }
    out.push_str(
        "# HELP newsgraph_reads_retried_total Reads run again on the primary after their \
         standby failed.\n",
    );
    out.push_str("# TYPE newsgraph_reads_retried_total counter\n");
    let _ = writeln!(out, "newsgraph_reads_retried_total {retried}");
    out.push_str(
        "# HELP newsgraph_standby_in_rotation Whether a standby serves reads (1) or is out (0).\n",
    );
    out.push_str("# TYPE newsgraph_standby_in_rotation gauge\n");
    for standby in standbys {
        let _ = writeln!(
            out,
            "newsgraph_standby_in_rotation{{standby=\"{}\"}} {}",
            standby.name,
            u8::from(standby.out.is_none())
        );
    }
    out.push_str(
        "# HELP newsgraph_standby_lag_seconds How far behind the primary a standby was at its \
         last check that reached it.\n",
    );
    out.push_str("# TYPE newsgraph_standby_lag_seconds gauge\n");
    for standby in standbys {
        if let Some(lag) = standby.lag {
            let _ = writeln!(
                out,
                "newsgraph_standby_lag_seconds{{standby=\"{}\"}} {}",
                standby.name,
                lag.as_secs_f64()
            );
        }
    }
}
