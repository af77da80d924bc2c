//! Rate limiting per client address: a token bucket of `limit` requests refilled over a
//! minute. Every answer carries the IETF `RateLimit-Policy` and `RateLimit` headers; a
//! client over its limit gets a 429 problem with `Retry-After`. Off when the limit is 0.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::read_db::OnPrimary;

/// How often idle buckets are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The limiter shared by all requests.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    trust_forwarded_for: bool,
    state: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    by_client: HashMap<IpAddr, Bucket>,
    last_sweep: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The outcome for one request.
struct Decision {
    allowed: bool,
    /// Requests left now.
    remaining: u32,
    /// Seconds until the next request is allowed (0 when one is).
    retry_secs: u64,
    /// Seconds until the whole quota is back.
    reset_secs: u64,
}

impl RateLimiter {
    /// A limiter of `per_minute` requests per client (0: unlimited). With
    /// `trust_forwarded_for`, the client is the last address of `X-Forwarded-For`: the one
    /// the proxy in front of us appended. The addresses before it come from the client, who
    /// can write anything there (set it only behind a proxy that appends to that header).
    pub fn new(per_minute: u32, trust_forwarded_for: bool) -> Arc<Self> {
        Arc::new(Self {
            per_minute,
            trust_forwarded_for,
            state: Mutex::new(Buckets {
                by_client: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        })
    }

    /// Whether there is a limit (0 requests per minute means none).
    pub fn is_limited(&self) -> bool {
        self.per_minute > 0
    }

    fn decide(&self, client: IpAddr, now: Instant) -> Decision {
        let capacity = f64::from(self.per_minute);
        let refill_per_sec = capacity / 60.0;
        let mut state = self.state.lock().expect("the rate limiter lock");
        if now.duration_since(state.last_sweep) > SWEEP_EVERY {
            state
                .by_client
                .retain(|_, bucket| now.duration_since(bucket.updated) < SWEEP_EVERY);
            state.last_sweep = now;
        }
        let bucket = state.by_client.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * refill_per_sec).min(capacity);
        bucket.updated = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let to_next = (1.0 - bucket.tokens).max(0.0);
        let to_full = (capacity - bucket.tokens).max(0.0);
        Decision {
            allowed,
            remaining: bucket.tokens.floor() as u32,
            retry_secs: (to_next / refill_per_sec).ceil() as u64,
            reset_secs: (to_full / refill_per_sec).ceil() as u64,
        }
    }

    fn client(&self, request: &Request) -> IpAddr {
        if self.trust_forwarded_for
            && let Some(ip) = request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|last| last.trim().parse().ok())
        {
            return ip;
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip())
    }
}

/// Middleware: admits or refuses the request and labels the answer.
pub async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    // A read run again on the primary after its standby failed was counted the first time.
    if !limiter.is_limited() || request.extensions().get::<OnPrimary>().is_some() {
        return next.run(request).await;
    }
    let decision = limiter.decide(limiter.client(&request), Instant::now());
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        ApiError::RateLimited {
            retry_after: decision.retry_secs.max(1),
        }
        .into_response()
    };
    let headers = response.headers_mut();
    let policy = format!("\"per-client\";q={};w=60", limiter.per_minute);
    let current = format!(
        "\"per-client\";r={};t={}",
        decision.remaining, decision.reset_secs
    );
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", current)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_its_limit_waits_for_the_refill() {
        let limiter = RateLimiter::new(2, false);
        let client = IpAddr::from([10, 0, 0, 1]);
        let other = IpAddr::from([10, 0, 0, 2]);
        let now = Instant::now();

        assert!(limiter.decide(client, now).allowed);
        assert!(limiter.decide(client, now).allowed);
        let refused = limiter.decide(client, now);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_secs, 30);
        assert_eq!(refused.reset_secs, 60);
        assert!(limiter.decide(other, now).allowed, "buckets are per client");
        assert!(
            limiter
                .decide(client, now + Duration::from_secs(31))
                .allowed
        );
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_address_the_proxy_appended() {
        let limiter = RateLimiter::new(2, true);
        let request = |values: &[&str]| {
            let mut builder = Request::get("/v1/stats");
            for value in values {
                builder = builder.header("x-forwarded-for", *value);
            }
            let mut request = builder.body(axum::body::Body::empty()).expect("a request");
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 9], 4000))));
            request
        };

        let spoofed = request(&["1.2.3.4, 203.0.113.7"]);
        let two_lines = request(&["1.2.3.4", "203.0.113.8"]);
        let garbage = request(&["1.2.3.4, not-an-address"]);

        assert_eq!(limiter.client(&spoofed), IpAddr::from([203, 0, 113, 7]));
        assert_eq!(limiter.client(&two_lines), IpAddr::from([203, 0, 113, 8]));
        assert_eq!(limiter.client(&garbage), IpAddr::from([192, 0, 2, 9]));
    }
}
