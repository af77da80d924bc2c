//! Cross-cutting HTTP behaviour: ETags, compression, CORS, rate limits, timeouts, metrics,
//! the docs page, 5xx bodies, and a real socket with graceful shutdown.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use newsgraph::http::{HttpConfig, router, state};
use sqlx::PgPool;

use crate::helpers::{app, app_with, extractor, get, http_get, send};

fn request(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("a request")
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_get_carries_an_etag_and_a_matching_if_none_match_gets_304(pool: PgPool) {
    let app = app(pool);
    let first = get(&app, "/v1/stats").await;
    let tag = first.headers[header::ETAG]
        .to_str()
        .expect("an ETag")
        .to_owned();

    let again = send(&app, request("/v1/stats", &[("if-none-match", &tag)])).await;
    let other = send(
        &app,
        request("/v1/stats", &[("if-none-match", "\"something-else\"")]),
    )
    .await;

    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.headers[header::ETAG], tag.as_str());
    assert_eq!(other.status, StatusCode::OK);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn responses_are_compressed_with_gzip_or_brotli_when_asked(pool: PgPool) {
    let app = app(pool);

    let gzip = send(
        &app,
        request("/openapi.yaml", &[("accept-encoding", "gzip")]),
    )
    .await;
    let brotli = send(&app, request("/openapi.yaml", &[("accept-encoding", "br")])).await;

    assert_eq!(gzip.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(brotli.headers[header::CONTENT_ENCODING], "br");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn configured_origins_get_cors_headers(pool: PgPool) {
    let config = HttpConfig {
        cors_origins: vec!["https://dash.example".to_owned()],
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let allowed = send(
        &app,
        request("/v1/stats", &[("origin", "https://dash.example")]),
    )
    .await;
    let other = send(
        &app,
        request("/v1/stats", &[("origin", "https://evil.example")]),
    )
    .await;

    assert_eq!(
        allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://dash.example"
    );
    assert!(
        other
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_client_over_the_rate_limit_gets_429_with_retry_after_and_ratelimit_headers(
    pool: PgPool,
) {
    let config = HttpConfig {
        rate_limit_per_minute: 2,
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let first = get(&app, "/v1/sources").await;
    get(&app, "/v1/sources").await;
    let third = get(&app, "/v1/sources").await;

    assert_eq!(first.headers["ratelimit-policy"], "\"per-client\";q=2;w=60");
    assert!(
        first.headers["ratelimit"]
            .to_str()
            .expect("ASCII")
            .starts_with("\"per-client\";r=1")
    );
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third.json()["code"], "rate_limited");
    assert!(
        third.headers[header::RETRY_AFTER]
            .to_str()
            .expect("ASCII")
            .parse::<u64>()
            .expect("seconds")
            >= 1
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_request_over_the_time_limit_is_a_503_problem(pool: PgPool) {
    let config = HttpConfig {
        request_timeout: Duration::from_nanos(1),
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let response = get(&app, "/v1/stats").await;

    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.json()["code"], "timeout");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_internal_error_answers_500_without_internal_text(pool: PgPool) {
    sqlx::query("DROP TABLE sources CASCADE")
        .execute(&pool)
        .await
        .expect("break the schema");
    let app = app(pool);

    let response = get(&app, "/v1/sources").await;

    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let text = String::from_utf8(response.body.clone()).expect("UTF-8");
    assert!(
        !text.contains("sources") && !text.to_lowercase().contains("relation"),
        "{text}"
    );
    assert_eq!(response.json()["detail"], "internal server error");
    assert!(response.json()["request_id"].is_string());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn metrics_count_requests_by_route_and_status(pool: PgPool) {
    let app = app(pool);
    get(&app, "/v1/entities/nobody").await;

    let metrics = get(&app, "/metrics").await;

    let text = String::from_utf8(metrics.body).expect("UTF-8");
    assert!(text.contains("newsgraph_http_requests_total{method=\"GET\",route=\"/v1/entities/{id}\",status=\"404\"} 1"), "{text}");
    assert!(text.contains("newsgraph_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/entities/{id}\",le=\"+Inf\"} 1"));
    assert!(text.contains("newsgraph_db_pool_max_connections"));
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_spec_and_an_offline_docs_page_are_served(pool: PgPool) {
    let app = app(pool);

    let spec = get(&app, "/openapi.yaml").await;
    let docs = get(&app, "/docs").await;
    let script = get(&app, "/docs/assets/swagger-ui-bundle.js").await;

    let file =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).expect("openapi.yaml");
    assert_eq!(spec.body, file);
    let html = String::from_utf8(docs.body).expect("UTF-8");
    assert!(html.contains("/docs/assets/swagger-ui-bundle.js"));
    assert!(
        !html.contains("https://"),
        "no CDN: every asset is served locally"
    );
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.len() > 100_000);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_real_socket_serves_requests_and_shuts_down_gracefully(pool: PgPool) {
    let config = HttpConfig::default();
    let app = router(state(pool, extractor(), &config), &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(newsgraph::server::serve(
        listener,
        app,
        async {
            stopped.await.ok();
        },
        newsgraph::server::Timeouts {
            header_read: Duration::from_secs(10),
            grace: Duration::from_secs(5),
        },
    ));

    let (status, body) = tokio::task::spawn_blocking(move || http_get(addr, "/readyz"))
        .await
        .expect("join")
        .expect("a response");
    stop.send(()).expect("the server waits");
    let finished = tokio::time::timeout(Duration::from_secs(5), server).await;

    assert_eq!(status, 200, "{body}");
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "the server stopped cleanly"
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn configured_read_tokens_protect_v1_but_not_the_operations_endpoints(pool: PgPool) {
    let config = HttpConfig {
        read_tokens: vec![secrecy::SecretString::from("reader".to_owned())],
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let anonymous = get(&app, "/v1/stats").await;
    let reader = send(
        &app,
        request("/v1/stats", &[("authorization", "Bearer reader")]),
    )
    .await;
    let writer = send(
        &app,
        request("/v1/stats", &[("authorization", "Bearer test-token")]),
    )
    .await;
    let health = get(&app, "/healthz").await;

    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reader.status, StatusCode::OK);
    assert_eq!(writer.status, StatusCode::OK, "write tokens may read too");
    assert_eq!(health.status, StatusCode::OK);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn probes_are_never_rate_limited(pool: PgPool) {
    let config = HttpConfig {
        rate_limit_per_minute: 1,
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let statuses: Vec<StatusCode> =
        futures_util::future::join_all((0..3).map(|_| get(&app, "/healthz")))
            .await
            .into_iter()
            .map(|response| response.status)
            .collect();
    let second_read = {
        get(&app, "/v1/stats").await;
        get(&app, "/v1/stats").await.status
    };

    assert_eq!(statuses, [StatusCode::OK; 3]);
    assert_eq!(second_read, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn operations_endpoints_refuse_unknown_parameters_too(pool: PgPool) {
    let app = app(pool);

    for uri in [
        "/healthz?foo=1",
        "/readyz?x=",
        "/metrics?a=b",
        "/openapi.yaml?v=2",
        "/docs?x=1",
    ] {
        let response = get(&app, uri).await;

        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_compressed_export_arrives_whole(pool: PgPool) {
    crate::helpers::load_sample_and_fixture(&pool).await;
    let app = app(pool);

    let response = send(
        &app,
        request(
            "/v1/articles/export?fields=id",
            &[("accept-encoding", "gzip")],
        ),
    )
    .await;

    assert_eq!(response.headers[header::CONTENT_ENCODING], "gzip");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&response.body[..]),
        &mut text,
    )
    .expect("a complete gzip stream");
    assert_eq!(text.lines().count(), 44);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn article_pages_run_on_the_pool_whose_sessions_use_generic_plans(pool: PgPool) {
    let config = HttpConfig::default();
    let state = state(pool.clone(), extractor(), &config);
    let generic = state.generic.clone();
    let app = router(state, &config);
    assert_eq!(generic.0.size(), 0, "the pool connects lazily");

    let page = get(&app, "/v1/articles?limit=5").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(generic.0.size(), 1);
    let setting = |pool: PgPool| async move {
        sqlx::query_scalar::<_, String>("SELECT current_setting('plan_cache_mode')")
            .fetch_one(&pool)
            .await
            .expect("the setting")
    };
    assert_eq!(setting(generic.0.clone()).await, "force_generic_plan");
    assert_eq!(setting(pool).await, "auto");
    let timeout = sqlx::query_scalar::<_, String>("SELECT current_setting('statement_timeout')")
        .fetch_one(&generic.0)
        .await
        .expect("the setting");
    assert_eq!(
        timeout, "30s",
        "the generic pool's sessions have the statement timeout"
    );
    let metrics = String::from_utf8(get(&app, "/metrics").await.body).expect("UTF-8");
    assert!(
        metrics.contains("newsgraph_db_pool_max_connections{pool=\"generic_plans\"}"),
        "{metrics}"
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_pools_sessions_get_their_settings_after_connecting_not_as_startup_options(
    pool: PgPool,
) {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .expect("the database");
    let args = newsgraph::config::DatabaseArgs {
        database_url: Some(crate::process::server_url_with_database(&name).into()),
        owner_database_url: None,
        data_dir: std::path::PathBuf::from("unused"),
        db_max_connections: 2,
        db_statement_timeout: 7,
    };

    let database = newsgraph::database::Database::connect(&args)
        .await
        .expect("connected");
    let row: (String, String, String) = sqlx::query_as(
        "SELECT current_setting('statement_timeout'), current_setting('TimeZone'), \
                (SELECT source FROM pg_settings WHERE name = 'statement_timeout')",
    )
    .fetch_one(&database.pool)
    .await
    .expect("the settings");

    assert_eq!(row.0, "7s");
    assert_eq!(row.1, "UTC");
    // "client" when it comes in the startup packet, which a pooler such as PgBouncer refuses.
    assert_eq!(row.2, "session");
    database.close().await.expect("closed");
}
