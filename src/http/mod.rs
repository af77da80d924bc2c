//! The HTTP layer: the router, its middleware stack, and one module per resource.
//!
//! Handlers translate between HTTP and the [`db`](crate::db) functions; they hold no SQL. Only
//! this module knows status codes. Routes are added through `routes::Routes`, which records
//! each with the query parameters it takes: [`served_routes`] is that record, which the tests
//! hold against openapi.yaml.

mod answers;
mod articles;
mod auth;
mod body;
mod changes;
mod curation;
mod docs;
mod dto;
mod entities;
pub mod error;
mod etag;
mod export;
mod fields;
mod format;
mod health;
mod ingest;
pub mod json_text;
mod lookup;
mod metrics;
mod network;
mod observe;
mod params;
mod places;
mod rate_limit;
mod read_db;
mod request_id;
mod routes;
mod shed;
mod snippet;
mod sources;
mod stream;
mod ui;

/// The request-id generator and the metrics registry, for `benches/hand_written.rs`, which
/// measures them against the crates that could replace them. Not part of the API.
#[doc(hidden)]
pub mod bench {
    pub use super::metrics::Metrics;
    pub use super::request_id::generate as generate_request_id;
}

/// The query-string parser, for the fuzz targets in `fuzz/`: they are a separate crate and
/// reach only public items, while [`params`] stays private so that handlers remain its only
/// users in the library. Not part of the API; nothing else is to use it.
#[doc(hidden)]
pub mod fuzzing {
    pub use super::params::{IdOrSlug, Params, encode_cursor, parse_date};
}

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use newsgraph_extract::Extractor;
use secrecy::SecretString;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::db::{GenericPlans, SessionSettings};
use crate::directory::Directory;
use crate::feed::Feed;
use crate::replicas::{Reads, Standby, Target};
use crate::textindex::TextIndex;

pub use self::auth::BearerTokens;
use self::error::ApiError;
use self::metrics::Metrics;
use self::rate_limit::RateLimiter;
pub use self::routes::Route;
use self::routes::Routes;

/// What the handlers share.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The database pool.
    pub pool: PgPool,
    /// The pool whose sessions always use generic plans.
    pub generic: GenericPlans,
    /// The extraction engine, for `POST /v1/articles`.
    pub extractor: Arc<Extractor>,
    /// Extraction threads per write request.
    #[from_ref(skip)]
    pub jobs: usize,
    /// Accepted write tokens.
    pub write_tokens: Arc<BearerTokens>,
    /// The request body limit, for the 413 message.
    #[from_ref(skip)]
    pub max_body_bytes: usize,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// The entities in memory, for lookups and name search (unless turned off).
    pub directory: Option<Arc<Directory>>,
    /// How long an export may stream.
    pub exports: Exports,
    /// The articles' lexemes in memory, for full-text pages (unless turned off).
    pub text_index: Option<Arc<TextIndex>>,
    /// Stored articles announced to live streams.
    pub streams: Streams,
    /// Where reads go: the primary, or a standby ([`read_db::ReadDb`]).
    pub reads: Arc<Reads>,
}

/// What live streams need: the feed of this process, and how many may be open.
#[derive(Debug, Clone)]
pub struct Streams {
    /// The feed.
    pub feed: Arc<Feed>,
    /// Most streams open at once.
    pub max: usize,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

/// What exports (`GET /v1/articles/export`, NDJSON lists) need besides the database.
#[derive(Debug, Clone)]
pub struct Exports {
    /// How long an export may stream its body (the request timeout ends when its headers are
    /// sent).
    pub timeout: Duration,
    /// Where each export is counted while it runs and by how it ended.
    pub metrics: Arc<Metrics>,
}

/// Settings of the HTTP layer that come from the command line.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Longest a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Longest an export may stream.
    pub export_timeout: Duration,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Bearer tokens accepted by write endpoints (none: writes disabled).
    pub write_tokens: Vec<SecretString>,
    /// Bearer tokens reads need (none: reads are open).
    pub read_tokens: Vec<SecretString>,
    /// Origins allowed by CORS (`*` for any; empty: no CORS headers).
    pub cors_origins: Vec<String>,
    /// Requests per minute per client (0: unlimited).
    pub rate_limit_per_minute: u32,
    /// Whether the client address comes from X-Forwarded-For.
    pub trust_forwarded_for: bool,
    /// Whether entities are held in memory ([`Directory`]); otherwise every lookup and name
    /// search goes to the database.
    pub entity_directory: bool,
    /// Whether full-text pages walk an in-memory index ([`TextIndex`]).
    pub text_index: bool,
    /// Most live streams open at once.
    pub max_streams: usize,
    /// Whether the dashboard is served at `/` ([`ui`]).
    pub ui: bool,
    /// The fewest articles one entity or word alone must match for its timeline and facets
    /// to be rolled up with the in-memory index ([`crate::answers::rollup`]).
    pub rollup_min_articles: usize,
    /// Extraction threads per write request.
    pub jobs: usize,
    /// Streaming standbys GET requests may read from ([`crate::replicas`]).
    pub standbys: Vec<Standby>,
    /// How far behind the primary a standby may be and still serve reads.
    pub read_max_lag: Duration,
    /// The session settings of the pools `serve` derives from the one it is given.
    pub session: SessionSettings,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            export_timeout: Duration::from_secs(600),
            max_body_bytes: 10 * 1024 * 1024,
            write_tokens: Vec::new(),
            read_tokens: Vec::new(),
            cors_origins: Vec::new(),
            rate_limit_per_minute: 0,
            trust_forwarded_for: false,
            entity_directory: true,
            text_index: true,
            max_streams: 2000,
            ui: true,
            rollup_min_articles: 1000,
            jobs: 2,
            standbys: Vec::new(),
            read_max_lag: Duration::from_secs(5),
            session: SessionSettings::default(),
        }
    }
}

/// Builds the application state from its parts: `pool` is the primary; reads go to the
/// configured standbys when they can ([`crate::replicas`]).
pub fn state(pool: PgPool, extractor: Arc<Extractor>, config: &HttpConfig) -> AppState {
    let primary = Target::of(pool.clone(), config.session);
    let generic = primary.generic.clone();
    let reads = Reads::new(primary, config.standbys.clone(), config.read_max_lag);
    let metrics = Metrics::new();
    AppState {
        directory: config
            .entity_directory
            .then(|| Directory::new(pool.clone(), Arc::clone(&reads))),
        text_index: config
            .text_index
            .then(|| TextIndex::new(pool.clone(), Arc::clone(&reads), config.rollup_min_articles)),
        streams: Streams {
            feed: Feed::new(pool.clone()),
            max: config.max_streams,
        },
        pool,
        generic,
        reads,
        extractor,
        jobs: config.jobs.max(1),
        exports: Exports {
            timeout: config.export_timeout,
            metrics: Arc::clone(&metrics),
        },
        write_tokens: Arc::new(BearerTokens::new(&config.write_tokens)),
        max_body_bytes: config.max_body_bytes,
        metrics,
    }
}

/// Builds the router with its middleware. The `/v1` resources are rate-limited and, when read
/// tokens are configured, need one; `/metrics` needs a read token too when they are
/// configured; the other operations endpoints (health, readiness, contract, docs) need
/// neither, and nothing outside `/v1` is rate-limited, so probes never get a 429 or a 401.
pub fn router(state: AppState, config: &HttpConfig) -> Router {
    let shed = shed::Shed::for_pool(state.pool.options().get_max_connections());
    let (router, _) = register(shed, config);
    // Outermost first: compression; `observe` (request id, time limit, panics, ETag of the
    // uncompressed body, metrics, access log); CORS when origins are configured; the body
    // limit.
    let middleware = ServiceBuilder::new()
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(middleware::from_fn_with_state(
            Arc::new(observe::Observe {
                metrics: Arc::clone(&state.metrics),
                request_timeout: config.request_timeout,
            }),
            observe::observe,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state.reads),
            read_db::retry_on_primary,
        ))
        .option_layer(cors(&config.cors_origins))
        .layer(DefaultBodyLimit::max(config.max_body_bytes));
    router
        .fallback(|| async { ApiError::NoRoute })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware)
        .with_state(state)
}

/// Every operation [`router`] serves with this configuration, recorded by the same
/// registration [`router`] runs.
pub fn served_routes(config: &HttpConfig) -> Vec<Route> {
    register(shed::Shed::for_pool(1), config).1
}

/// Adds every route with its guards: what the router serves, and its record.
fn register(shed: Arc<shed::Shed>, config: &HttpConfig) -> (Router<AppState>, Vec<Route>) {
    let limiter = RateLimiter::new(config.rate_limit_per_minute, config.trust_forwarded_for);
    let readers = auth::ReadAccess::new(&config.read_tokens, &config.write_tokens);
    // Costly routes scan, aggregate or write, and take turns (see `shed`); lookups by id
    // never wait behind them.
    let costly = Routes::new()
        .get(
            "/v1/articles",
            articles::LIST_PARAMS,
            articles::list_articles,
        )
        .post("/v1/articles", &[], ingest::post_articles)
        .get(
            "/v1/articles/timeline",
            answers::TIMELINE_PARAMS,
            answers::get_article_timeline,
        )
        .get(
            "/v1/articles/facets",
            answers::FACETS_PARAMS,
            answers::get_article_facets,
        )
        .get(
            "/v1/articles/places",
            places::PLACES_PARAMS,
            places::list_article_places,
        )
        .get(
            "/v1/articles/network",
            network::NETWORK_PARAMS,
            network::get_article_network,
        )
        .get(
            "/v1/entities/timeline",
            answers::COMPARE_PARAMS,
            answers::compare_entity_timelines,
        )
        .get(
            "/v1/articles/export",
            articles::EXPORT_PARAMS,
            articles::export_articles,
        )
        .get(
            "/v1/entities",
            entities::LIST_PARAMS,
            entities::list_entities,
        )
        .get(
            "/v1/entities/{id}/articles",
            entities::ARTICLES_PARAMS,
            entities::list_entity_articles,
        )
        .get(
            "/v1/entities/{id}/related",
            entities::RELATED_PARAMS,
            entities::list_related_entities,
        )
        .get(
            "/v1/entities/{id}/timeline",
            entities::TIMELINE_PARAMS,
            entities::get_entity_timeline,
        )
        .post("/v1/entities/{id}/merge", &[], curation::merge_entities)
        .post("/v1/entities/{id}/split", &[], curation::split_entity)
        .patch("/v1/entities/{id}", &[], curation::edit_entity)
        .post("/v1/suppressions", &[], curation::suppress_name)
        .post("/v1/changes/{id}/undo", &[], curation::undo_change)
        .get("/v1/sources", sources::LIST_PARAMS, sources::list_sources)
        .get("/v1/stats", sources::STATS_PARAMS, sources::get_stats)
        .map(|router| router.route_layer(middleware::from_fn_with_state(shed, shed::shed)));
    let mut v1 = Routes::new()
        .get(
            "/v1/articles/{id}",
            articles::GET_PARAMS,
            articles::get_article,
        )
        .get(
            "/v1/articles/{id}/entities",
            articles::ENTITIES_PARAMS,
            articles::list_article_entities,
        )
        .get(
            "/v1/entities/{id}",
            entities::GET_PARAMS,
            entities::get_entity,
        )
        .get(
            "/v1/articles/stream",
            stream::STREAM_PARAMS,
            stream::stream_articles,
        )
        .get(
            "/v1/entities/{id}/history",
            changes::LIST_PARAMS,
            changes::list_entity_history,
        )
        .get("/v1/changes", changes::FEED_PARAMS, changes::list_changes)
        .get("/v1/changes/{id}", &[], changes::get_change)
        .get(
            "/v1/suppressions",
            changes::LIST_PARAMS,
            changes::list_suppressions,
        )
        .merge(costly);
    // Each guard is left out when it has nothing to enforce: a layer costs a boxed future
    // and a clone of itself per request.
    // The metrics name routes, clients' volumes and the pool's state: when reads need a
    // token, so does scraping them.
    let mut metrics = Routes::new().get("/metrics", &[], metrics::get_metrics);
    if !readers.is_open() {
        let guard = middleware::from_fn_with_state(Arc::clone(&readers), read_guard);
        metrics = metrics.map(|router| router.route_layer(guard));
        v1 = v1
            .map(|router| router.route_layer(middleware::from_fn_with_state(readers, read_guard)));
    }
    if limiter.is_limited() {
        v1 = v1.map(|router| {
            router.route_layer(middleware::from_fn_with_state(
                limiter,
                rate_limit::rate_limit,
            ))
        });
    }
    let mut pages = Routes::new();
    if config.ui {
        pages = pages
            .get("/", &[], ui::get_index)
            .get("/ui/{file}", &[], ui::get_asset);
    }
    Routes::new()
        .merge(pages)
        .get("/healthz", &[], health::get_healthz)
        .get("/readyz", &[], health::get_readyz)
        .merge(metrics)
        .get("/openapi.yaml", &[], docs::get_openapi)
        .get("/docs", &[], docs::get_docs)
        .get("/docs/assets/{file}", &[], docs::get_docs_asset)
        .merge(v1)
        .finish()
}

/// Reads need a token when read tokens are configured; writes check their own (write) tokens.
async fn read_guard(
    State(readers): State<Arc<auth::ReadAccess>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST {
        return next.run(request).await;
    }
    auth::require_read_token(State(readers), request, next).await
}

/// The CORS layer, or none when no origins are configured.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    let layer = CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PATCH])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([
            header::LINK,
            header::ETAG,
            header::RETRY_AFTER,
            request_id::X_REQUEST_ID,
            HeaderName::from_static("x-total-count"),
            HeaderName::from_static("x-answered-from"),
            HeaderName::from_static("ratelimit"),
            HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(Duration::from_secs(3600));
    Some(layer)
}
