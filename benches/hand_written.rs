//! The two pieces of request-path code written by hand where crates exist, measured against
//! those crates, so that keeping them rests on a number:
//!
//! - request ids: `request_id::generate` (UUIDv7 from a per-thread splitmix64) against
//!   `uuid::Uuid::now_v7()` (random bits from the OS), both made into a header value;
//! - request metrics: `Metrics::record` (one mutex, interned route names, no allocation once
//!   a series exists) against prometheus-client's `Family` of a counter and a histogram with
//!   the same labels and buckets, on one thread and on two at once (this machine's cores).
//!
//!   cargo bench --bench hand_written
//!
//! Prints ns per call for each and the ratio crate / ours.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use axum::http::{HeaderValue, Method};
use newsgraph::http::bench::{Metrics, generate_request_id};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;

const CALLS: u32 = 2_000_000;
const ROUTES: [&str; 4] = [
    "/v1/entities/{id}",
    "/v1/articles",
    "/v1/entities",
    "/healthz",
];
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    method: String,
    route: String,
}

struct Crate {
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram, fn() -> Histogram>,
}

impl Crate {
    fn new() -> Self {
        fn histogram() -> Histogram {
            Histogram::new(BUCKETS)
        }
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(histogram as fn() -> Histogram),
        }
    }

    fn record(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&LatencyLabels {
                method: method.to_string(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }
}

/// Nanoseconds per call of `f` over `calls` calls on each of `threads` threads.
fn per_call(threads: u32, calls: u32, f: impl Fn(u32) + Send + Sync + 'static) -> f64 {
    let f = Arc::new(f);
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let f = Arc::clone(&f);
            std::thread::spawn(move || {
                for i in 0..calls {
                    f(i);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a bench thread");
    }
    started.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn report(what: &str, ours: f64, theirs: f64) {
    println!(
        "{what:<44} ours {ours:7.1} ns   crate {theirs:7.1} ns   crate / ours {:.2}",
        theirs / ours
    );
}

fn main() {
    for round in 1..=3 {
        println!("round {round}");
        let ours = per_call(1, CALLS, |_| {
            black_box(generate_request_id());
        });
        let theirs = per_call(1, CALLS, |_| {
            let id = uuid::Uuid::now_v7();
            let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
            black_box(
                HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
                    .expect("a header value"),
            );
        });
        report("request id", ours, theirs);

        for threads in [1, 2] {
            let metrics = Metrics::new();
            let ours = per_call(threads, CALLS, move |i| {
                metrics.record(Method::GET, ROUTES[i as usize % 4], 200, 0.001);
            });
            let registry = Arc::new(Crate::new());
            let theirs = per_call(threads, CALLS, move |i| {
                registry.record(&Method::GET, ROUTES[i as usize % 4], 200, 0.001);
            });
            report(
                &format!("metrics per request, {threads} thread(s)"),
                ours,
                theirs,
            );
        }
    }
}
