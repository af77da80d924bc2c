//! `GET /v1/articles?q=` through the in-memory full-text index: the same pages as the
//! database, and never stale beyond a few seconds.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use newsgraph::http::{HttpConfig, router, state};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TOKEN, extractor, get, load_sample_and_fixture, send};

/// The router with a full-text index built before the first request (or with none), and
/// the index.
async fn app_with_index(
    pool: &PgPool,
    text_index: bool,
) -> (
    axum::Router,
    Option<std::sync::Arc<newsgraph::textindex::TextIndex>>,
) {
    let mut config = HttpConfig {
        text_index,
        ..HttpConfig::default()
    };
    config
        .write_tokens
        .push(secrecy::SecretString::from(TOKEN.to_owned()));
    let state = state(pool.clone(), extractor(), &config);
    let index = state.text_index.clone();
    if let Some(index) = &index {
        index.rebuild().await.expect("the index builds");
    }
    (router(state, &config), index)
}

/// Every page's ids, following the cursors, and the number of pages.
async fn all_ids(app: &axum::Router, first: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut uri = first.to_owned();
    for pages in 1..=100 {
        let response = get(app, &uri).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{uri}: {}",
            response.json()
        );
        let page = response.json();
        ids.extend(
            page["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|article| article["id"].as_str().expect("an id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("{first}&cursor={cursor}"),
            None => return (ids, pages),
        }
    }
    panic!("more than 100 pages for {uri}");
}

fn index_answers(stats: &newsgraph::textindex::Stats) -> (u64, u64) {
    (stats.answered, stats.declined)
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn index_pages_are_the_database_pages(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (indexed, index) = app_with_index(&pool, true).await;
    let (database, _) = app_with_index(&pool, false).await;
    let index = index.expect("an index");
    assert!(index.stats().articles >= 44, "{:?}", index.stats());

    let queries = [
        "bulgaria",
        "Dobréva",
        "police%20OR%20army",
        "government%20-bulgaria",
        "%22prime%20minister%22",
        "%22minister%20prime%22",
        "election%20president",
        "-the",
        "the",
        "zzzunknownword",
    ];
    let variants = [
        "",
        "&sort=published_at",
        "&from=2023-01-01",
        "&to=2020-01-01",
        "&source=en.wikinews.org",
        "&source=no.such.source",
    ];
    let mut requests = 0;
    let mut seen = 0;
    let mut paged = 0;
    for q in queries {
        for variant in variants {
            let uri = format!("/v1/articles?q={q}{variant}&limit=2&fields=id,title");
            let (from_index, pages) = all_ids(&indexed, &uri).await;
            let (from_database, _) = all_ids(&database, &uri).await;
            assert_eq!(from_index, from_database, "{uri}");
            requests += pages;
            paged += usize::from(pages > 2);
            seen += from_index.len();
        }
    }
    assert!(
        seen > 50,
        "the queries match too little to test anything: {seen}"
    );
    assert!(paged >= 5, "too few queries reach a third page: {paged}");
    let (answered, declined) = index_answers(&index.stats());
    assert_eq!(declined, 0, "some pages went to the database");
    assert_eq!(answered as usize, requests);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn relevance_order_and_entity_filters_are_left_to_the_database(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (app, index) = app_with_index(&pool, true).await;
    let index = index.expect("an index");

    for uri in [
        "/v1/articles?q=bulgaria&sort=relevance",
        "/v1/articles?q=bulgaria&entity=bulgaria",
        "/v1/articles?q=bulgaria&type=person",
    ] {
        let response = get(&app, uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}");
        assert!(
            !response.json()["data"].as_array().expect("data").is_empty(),
            "{uri}"
        );
    }

    assert_eq!(index_answers(&index.stats()), (0, 3));
}

async fn post_article(app: &axum::Router, url: &str, body: &str) {
    let article = json!({"url": url, "title": "Harbour news", "body": body,
                         "published_at": "2030-01-01T00:00:00Z", "source": "Wire"});
    let request = Request::post("/v1/articles")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(article.to_string()))
        .expect("a request");
    let response = send(app, request).await;
    assert!(response.status.is_success(), "{}", response.json());
}

fn titles_of(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|article| article["url"].as_str().expect("a url").to_owned())
        .collect()
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_post_through_this_process_is_found_by_the_next_query(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (app, _) = app_with_index(&pool, true).await;

    post_article(
        &app,
        "https://wire.example/quokka",
        "A quokka swam across the harbour.",
    )
    .await;
    let page = get(&app, "/v1/articles?q=quokka").await.json();

    assert_eq!(titles_of(&page), ["https://wire.example/quokka"]);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_write_by_another_process_shows_within_seconds_and_the_index_catches_up(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (app, index) = app_with_index(&pool, true).await;
    let index = index.expect("an index");
    let (other_process, _) = app_with_index(&pool, false).await;
    let before = get(&app, "/v1/articles?q=wombat").await.json();
    assert!(titles_of(&before).is_empty());

    post_article(
        &other_process,
        "https://wire.example/wombat",
        "A wombat crossed the road.",
    )
    .await;

    // Visible within seconds (the database answers until the index is rebuilt)...
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let page = get(&app, "/v1/articles?q=wombat").await.json();
        if titles_of(&page) == ["https://wire.example/wombat"] {
            break;
        }
        assert!(Instant::now() < deadline, "not visible after 15 s: {page}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // ...and then answered by the rebuilt index again.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answered = index.stats().answered;
        let page = get(&app, "/v1/articles?q=wombat").await.json();
        assert_eq!(titles_of(&page), ["https://wire.example/wombat"]);
        if index.stats().answered > answered {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index was not rebuilt within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
