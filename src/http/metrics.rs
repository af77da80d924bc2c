//! Prometheus metrics at `/metrics`: requests by method, route and status, latency
//! histograms by method and route, exports running and how they ended, and the database
//! pool. Kept in process; the exposition is the Prometheus text format 0.0.4.
//!
//! Hand-written rather than prometheus-client: that crate writes OpenMetrics (another
//! content type and naming) where scrapers of `/metrics` read the 0.0.4 format, and it was
//! slower per request, 1.2-1.5x on one and on two threads despite the one mutex here
//! (`cargo bench --bench hand_written`, bench/results/hand_written-20261130-0605.md).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{OriginalUri, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use super::error::ApiError;
use super::params::Params;
use super::read_db;
use crate::db::GenericPlans;
use crate::replicas::Reads;
use crate::textindex::TextIndex;

/// Latency bucket bounds, seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The request metrics of the process.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    exports_running: AtomicU64,
    /// Ended exports, by [`ExportEnd`].
    exports_ended: [AtomicU64; 4],
}

/// How an export ended.
#[derive(Debug, Clone, Copy)]
pub enum ExportEnd {
    /// Every matching article went out.
    Complete,
    /// Cut off at the export time limit.
    TimeLimit,
    /// Cut off by a database error.
    Failed,
    /// The client went away first: the body was dropped and no further page was read.
    Abandoned,
}

impl ExportEnd {
    const ALL: [Self; 4] = [
        Self::Complete,
        Self::TimeLimit,
        Self::Failed,
        Self::Abandoned,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::TimeLimit => "time_limit",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
        }
    }
}

/// One running export, counted from [`Metrics::export_started`] until it is dropped: as
/// [`ExportEnd::Abandoned`] unless [`ExportTracker::end`] said otherwise.
#[derive(Debug)]
pub struct ExportTracker {
    metrics: Arc<Metrics>,
    end: ExportEnd,
}

impl ExportTracker {
    /// Records how the export ended, when it is dropped.
    pub fn end(&mut self, end: ExportEnd) {
        self.end = end;
    }
}

impl Drop for ExportTracker {
    fn drop(&mut self) {
        self.metrics.exports_running.fetch_sub(1, Ordering::Relaxed);
        self.metrics.exports_ended[self.end as usize].fetch_add(1, Ordering::Relaxed);
    }
}

/// Series keys hold the method and the matched route as shared strings, so recording a
/// request allocates nothing once its series exists.
#[derive(Debug, Default)]
struct Inner {
    routes: HashMap<String, Arc<str>>,
    requests: HashMap<(Method, Arc<str>, u16), u64>,
    latency: HashMap<(Method, Arc<str>), Histogram>,
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    /// A new, empty registry.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Counts an export as running until the returned tracker is dropped.
    pub fn export_started(self: &Arc<Self>) -> ExportTracker {
        self.exports_running.fetch_add(1, Ordering::Relaxed);
        ExportTracker {
            metrics: Arc::clone(self),
            end: ExportEnd::Abandoned,
        }
    }

    /// Counts one request under its matched route (so ids in paths do not make one series
    /// each) and adds its latency to the route's histogram.
    pub fn record(&self, method: Method, route: &str, status: u16, seconds: f64) {
        let method = standard(method);
        let mut inner = self.inner.lock().expect("the metrics lock");
        let route = match inner.routes.get(route) {
            Some(interned) => Arc::clone(interned),
            None => {
                let interned: Arc<str> = Arc::from(route);
                inner.routes.insert(route.to_owned(), Arc::clone(&interned));
                interned
            }
        };
        *inner
            .requests
            .entry((method.clone(), Arc::clone(&route), status))
            .or_default() += 1;
        let histogram = inner.latency.entry((method, route)).or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// The exposition text.
    pub fn render(&self, pools: &[(&str, &PgPool)], text_index: Option<&TextIndex>) -> String {
        let inner = self.inner.lock().expect("the metrics lock");
        let mut out = String::new();
        out.push_str("# HELP newsgraph_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE newsgraph_http_requests_total counter\n");
        let mut requests: Vec<_> = inner.requests.iter().collect();
        requests.sort_by(|a, b| {
            (a.0.1.as_ref(), a.0.0.as_str(), a.0.2).cmp(&(b.0.1.as_ref(), b.0.0.as_str(), b.0.2))
        });
        for ((method, route, status), count) in requests {
            let _ = writeln!(
                out,
                "newsgraph_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str("# HELP newsgraph_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE newsgraph_http_request_duration_seconds histogram\n");
        let mut latency: Vec<_> = inner.latency.iter().collect();
        latency.sort_by(|a, b| {
            (a.0.1.as_ref(), a.0.0.as_str()).cmp(&(b.0.1.as_ref(), b.0.0.as_str()))
        });
        for ((method, route), histogram) in latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (count, bound) in histogram.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "newsgraph_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "newsgraph_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "newsgraph_http_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "newsgraph_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        drop(inner);
        out.push_str("# HELP newsgraph_exports_running Exports whose body is being sent.\n");
        out.push_str("# TYPE newsgraph_exports_running gauge\n");
        let _ = writeln!(
            out,
            "newsgraph_exports_running {}",
            self.exports_running.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP newsgraph_exports_total Ended exports, by how they ended (abandoned: the \
             client went away).\n",
        );
        out.push_str("# TYPE newsgraph_exports_total counter\n");
        for end in ExportEnd::ALL {
            let _ = writeln!(
                out,
                "newsgraph_exports_total{{end=\"{}\"}} {}",
                end.label(),
                self.exports_ended[end as usize].load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP newsgraph_db_pool_connections Open database connections by pool and state.\n",
        );
        out.push_str("# TYPE newsgraph_db_pool_connections gauge\n");
        for &(name, pool) in pools {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            let _ = writeln!(
                out,
                "newsgraph_db_pool_connections{{pool=\"{name}\",state=\"idle\"}} {idle}"
            );
            let _ = writeln!(
                out,
                "newsgraph_db_pool_connections{{pool=\"{name}\",state=\"in_use\"}} {}",
                pool.size().saturating_sub(idle)
            );
        }
        out.push_str("# HELP newsgraph_db_pool_max_connections Each pool's connection limit.\n");
        out.push_str("# TYPE newsgraph_db_pool_max_connections gauge\n");
        for &(name, pool) in pools {
            let _ = writeln!(
                out,
                "newsgraph_db_pool_max_connections{{pool=\"{name}\"}} {}",
                pool.options().get_max_connections()
            );
        }
        if let Some(index) = text_index {
            let stats = index.stats();
            out.push_str(
                "# HELP newsgraph_text_index_queries_total Full-text pages by who answered them.\n",
            );
            out.push_str("# TYPE newsgraph_text_index_queries_total counter\n");
            let _ = writeln!(
                out,
                "newsgraph_text_index_queries_total{{answer=\"index\"}} {}",
                stats.answered
            );
            let _ = writeln!(
                out,
                "newsgraph_text_index_queries_total{{answer=\"database\"}} {}",
                stats.declined
            );
            out.push_str("# HELP newsgraph_text_index_articles Articles in the full-text index.\n");
            out.push_str("# TYPE newsgraph_text_index_articles gauge\n");
            let _ = writeln!(out, "newsgraph_text_index_articles {}", stats.articles);
            out.push_str(
                "# HELP newsgraph_answer_rollups Timelines and facets rolled up with the current in-memory index.\n",
            );
            out.push_str("# TYPE newsgraph_answer_rollups gauge\n");
            let _ = writeln!(out, "newsgraph_answer_rollups {}", stats.memo.0);
            out.push_str(
                "# HELP newsgraph_answer_rollup_bytes Approximate bytes those rollups hold.\n",
            );
            out.push_str("# TYPE newsgraph_answer_rollup_bytes gauge\n");
            let _ = writeln!(out, "newsgraph_answer_rollup_bytes {}", stats.memo.1);
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The method as a series label: one of the nine standard methods, else `OTHER`, so that
/// clients cannot add series (and memory) by inventing method names.
fn standard(method: Method) -> Method {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if STANDARD.contains(&method) {
        method
    } else {
        Method::from_bytes(b"OTHER").expect("a valid method token")
    }
}

/// `GET /metrics`.
pub async fn get_metrics(
    State(metrics): State<Arc<Metrics>>,
    State(pool): State<PgPool>,
    State(generic): State<GenericPlans>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    State(streams): State<super::Streams>,
    State(reads): State<Arc<Reads>>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let standbys = reads.status();
    let mut pools = vec![("main", &pool), ("generic_plans", &generic.0)];
    pools.extend(
        standbys
            .iter()
            .map(|standby| (standby.name.as_str(), &standby.pool)),
    );
    let mut text = metrics.render(&pools, text_index.as_deref());
    read_db::render_metrics(&reads, &standbys, &mut text);
    text.push_str("# HELP newsgraph_streams_open Live streams (GET /v1/articles/stream) open.\n");
    text.push_str("# TYPE newsgraph_streams_open gauge\n");
    let _ = writeln!(
        text,
        "newsgraph_streams_open {}",
        streams.feed.open_streams()
    );
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lands_in_its_counter_and_buckets() {
        let metrics = Metrics::default();

        let route: Arc<str> = Arc::from("/v1/entities/{id}");

        metrics.record(Method::GET, "/v1/entities/{id}", 200, 0.003);

        let inner = metrics.inner.lock().expect("lock");
        assert_eq!(inner.requests[&(Method::GET, Arc::clone(&route), 200)], 1);
        let histogram = &inner.latency[&(Method::GET, route)];
        assert_eq!(histogram.counts[2], 0, "not under 2.5 ms");
        assert_eq!(histogram.counts[3], 1, "under 5 ms");
    }

    #[test]
    fn invented_methods_share_one_series() {
        let metrics = Metrics::default();

        for name in ["M123", "M124", "BREW"] {
            let method = Method::from_bytes(name.as_bytes()).expect("a token");
            metrics.record(method, "unmatched", 405, 0.001);
        }

        let inner = metrics.inner.lock().expect("lock");
        assert_eq!(inner.requests.len(), 1);
        assert_eq!(inner.latency.len(), 1);
        let ((method, _, _), count) = inner.requests.iter().next().expect("one series");
        assert_eq!((method.as_str(), *count), ("OTHER", 3));
    }
}
