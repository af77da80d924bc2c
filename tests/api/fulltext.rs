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
async fn index_pages_by_relevance_are_the_database_pages(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (indexed, index) = app_with_index(&pool, true).await;
    let (database, _) = app_with_index(&pool, false).await;
    let index = index.expect("an index");

    // Words alone, common and rare; "-the" and "the" are only a stop word (no match).
    let queries = [
        "bulgaria",
        "Dobréva",
        "said",
        "minister",
        "police",
        "the",
        "-the",
        "zzzunknownword",
    ];
    let variants = [
        "",
        "&from=2023-01-01",
        "&to=2020-01-01",
        "&source=en.wikinews.org",
        "&source=no.such.source",
    ];
    let mut requests = 0;
    let mut paged = 0;
    for q in queries {
        for variant in variants {
            let uri = format!("/v1/articles?q={q}&sort=relevance{variant}&limit=2&fields=id");
            let (from_index, pages) = all_ids(&indexed, &uri).await;
            let (from_database, _) = all_ids(&database, &uri).await;
            assert_eq!(from_index, from_database, "{uri}");
            requests += pages;
            paged += usize::from(pages > 2);
        }
    }

    assert!(paged >= 5, "too few queries reach a third page: {paged}");
    assert_eq!(index_answers(&index.stats()), (requests as u64, 0));
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_top_20_by_relevance_of_every_common_word_is_the_databases(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (indexed, index) = app_with_index(&pool, true).await;
    let (database, _) = app_with_index(&pool, false).await;
    let index = index.expect("an index");
    // The 200 words most articles hold, as PostgreSQL stemmed them: web-search syntax
    // parses and stems a lexeme back to itself for all but a few (checked below).
    let words: Vec<String> = sqlx::query_scalar(
        "SELECT word FROM ts_stat('SELECT search FROM articles') WHERE word ~ '^[a-z]+$' \
         ORDER BY ndoc DESC, word LIMIT 200",
    )
    .fetch_all(&pool)
    .await
    .expect("the words");

    let mut same = 0;
    let mut matched = 0;
    for word in &words {
        let uri = format!("/v1/articles?q={word}&sort=relevance&limit=20&fields=id");
        let from_index = get(&indexed, &uri).await.json();
        let from_database = get(&database, &uri).await.json();
        matched += from_database["data"].as_array().expect("data").len();
        same += usize::from(from_index["data"] == from_database["data"]);
    }

    assert!(matched > 1000, "the words match too little: {matched}");
    assert_eq!(
        same,
        words.len(),
        "pages that differ: {}",
        words.len() - same
    );
    let (answered, declined) = index_answers(&index.stats());
    assert_eq!((answered, declined), (200, 0));
}

/// Stores an article with SQL alone, as another program would: no change marker moves, so
/// a built index does not notice it.
async fn insert_article(pool: &PgPool, url: &str, title: &str, body: &str) {
    sqlx::query(
        "INSERT INTO sources (domain, name) VALUES ('ranks.example', 'Ranks') ON CONFLICT DO NOTHING",
    )
    .execute(pool)
    .await
    .expect("a source");
    sqlx::query(
        "INSERT INTO articles (id, url, title, body, source_id, content_hash, extractor_version) \
         SELECT gen_random_uuid(), $1, $2, $3, id, sha256(convert_to($3, 'UTF8')), 'test' \
         FROM sources WHERE domain = 'ranks.example'",
    )
    .bind(url)
    .bind(title)
    .bind(body)
    .execute(pool)
    .await
    .expect("an article");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_rank_changed_since_the_index_was_built_sends_the_page_to_the_database(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    for (n, title, body) in [
        (1, "Quokka quokka", "A quokka."),
        (2, "Harbour", "A quokka and a quokka."),
        (3, "Harbour", "A quokka."),
    ] {
        insert_article(&pool, &format!("https://ranks.example/{n}"), title, body).await;
    }
    let (indexed, index) = app_with_index(&pool, true).await;
    let (database, _) = app_with_index(&pool, false).await;
    let index = index.expect("an index");
    let uri = "/v1/articles?q=quokka&sort=relevance&limit=2&fields=id,url";
    let before = get(&indexed, uri).await.json();
    assert_eq!(titles_of(&before)[0], "https://ranks.example/1");
    assert_eq!(index_answers(&index.stats()), (1, 0));

    // The best match loses its title, behind the index's back: it now ranks last.
    sqlx::query("UPDATE articles SET title = 'Harbour' WHERE url = 'https://ranks.example/1'")
        .execute(&pool)
        .await
        .expect("an update");
    let (from_index, _) = all_ids(&indexed, uri).await;
    let (from_database, pages) = all_ids(&database, uri).await;

    assert_eq!(from_index, from_database);
    assert!(pages >= 2, "{pages} pages");
    assert!(
        index.stats().declined >= 1,
        "{:?}",
        index_answers(&index.stats())
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_words_rank_from_the_stored_vector_is_ts_rank_cd_to_the_bit(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    // A word in the title and many times in the body, and one with many positions.
    let body = "Quokka quokka. ".repeat(40) + &"Wombat ".repeat(300);
    insert_article(
        &pool,
        "https://ranks.example/1",
        "Quokka wombat quokka",
        &body,
    )
    .await;

    // Every word of every article, its rank for a query of that word alone, and the vector.
    let rows: Vec<(String, String, f32)> = sqlx::query_as(
        "SELECT a.search::text, u.lexeme, \
                ts_rank_cd(a.search, ('''' || replace(replace(u.lexeme, '\\', '\\\\'), '''', '''''') \
                                      || '''')::tsquery) \
         FROM articles a, unnest(a.search) u",
    )
    .fetch_all(&pool)
    .await
    .expect("the ranks");

    let mut checked = 0;
    let mut above_one = 0;
    for (search, lexeme, expected) in &rows {
        let ranked = newsgraph::textindex::rank::lexemes(search).expect("a readable vector");
        let found = ranked
            .iter()
            .find(|ranked| &ranked.lexeme == lexeme)
            .unwrap_or_else(|| panic!("{lexeme} not read from {search:.200}"));
        assert_eq!(
            found.rank.to_bits(),
            expected.to_bits(),
            "{lexeme}: {} != {expected}",
            found.rank
        );
        checked += 1;
        above_one += usize::from(*expected > 1.0);
    }
    assert!(checked > 10_000, "too few words: {checked}");
    assert!(above_one > 100, "too few words rank above 1: {above_one}");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn several_words_by_relevance_and_entity_filters_are_left_to_the_database(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let (app, index) = app_with_index(&pool, true).await;
    let index = index.expect("an index");

    for uri in [
        "/v1/articles?q=bulgaria%20government&sort=relevance",
        "/v1/articles?q=bulgaria&sort=relevance&entity=bulgaria",
        "/v1/articles?q=bulgaria&sort=relevance&type=place",
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

    assert_eq!(index_answers(&index.stats()), (0, 5));
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
