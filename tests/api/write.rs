//! POST /v1/articles: authentication, limits, validation, idempotency.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use newsgraph::http::HttpConfig;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TOKEN, TestResponse, app, app_with, get, send};

async fn post(
    app: &axum::Router,
    token: Option<&str>,
    content_type: &str,
    body: String,
) -> TestResponse {
    let mut request = Request::post("/v1/articles").header(header::CONTENT_TYPE, content_type);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    send(app, request.body(Body::from(body)).expect("a request")).await
}

fn article(url: &str, body: &str) -> Value {
    json!({"url": url, "title": "Talks", "body": body, "published_at": "2024-04-01T12:00:00Z", "source": "Wire"})
}

async fn count_articles(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn posting_needs_a_valid_bearer_token(pool: PgPool) {
    let app = app(pool.clone());
    let body = article("https://w.example/1", "Diplomats met in Geneva.").to_string();

    let missing = post(&app, None, "application/json", body.clone()).await;
    let wrong = post(&app, Some("not-the-token"), "application/json", body).await;

    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(missing.json()["code"], "unauthorized");
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(count_articles(&pool).await, 0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_posted_article_is_stored_with_its_entities_and_reposting_it_changes_nothing(
    pool: PgPool,
) {
    let app = app(pool.clone());
    let body = article(
        "https://w.example/2?utm_source=feed",
        "Serbian President Aleksandar Vucic met Chancellor Olaf Scholz in Berlin on Monday.",
    )
    .to_string();

    let created = post(&app, Some(TOKEN), "application/json", body.clone()).await;
    let again = post(&app, Some(TOKEN), "application/json", body).await;

    assert_eq!(created.status, StatusCode::CREATED);
    let stored = created.json();
    assert_eq!(stored["url"], "https://w.example/2");
    assert_eq!(
        created.headers[header::LOCATION],
        format!("/v1/articles/{}", stored["id"].as_str().expect("id"))
    );
    let names: Vec<&str> = stored["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert!(
        names.contains(&"Aleksandar Vucic") && names.contains(&"Berlin"),
        "{names:?}"
    );
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], stored["id"]);
    assert_eq!(count_articles(&pool).await, 1);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_posted_entity_is_found_by_name_search_at_once(pool: PgPool) {
    let app = app(pool.clone());
    // Loads the entity directory before the write.
    let before = get(&app, "/v1/entities?q=scholz").await.json();
    assert_eq!(before["data"].as_array().map(Vec::len), Some(0), "{before}");
    let body = article(
        "https://w.example/ryw",
        "On Monday, Chancellor Olaf Scholz met President Emmanuel Macron in Paris.",
    )
    .to_string();

    let created = post(&app, Some(TOKEN), "application/json", body).await;
    let after = get(&app, "/v1/entities?q=scholz").await.json();

    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(after["data"][0]["name"], "Olaf Scholz", "{after}");
    assert_eq!(after["data"][0]["article_count"], 1);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_batch_is_stored_and_a_changed_repost_updates_in_place(pool: PgPool) {
    let app = app(pool.clone());
    let batch = json!([
        article("https://w.example/3", "Talks in Berlin."),
        article("https://w.example/4", "Talks in Madrid.")
    ]);
    let first = post(&app, Some(TOKEN), "application/json", batch.to_string()).await;

    let changed = post(
        &app,
        Some(TOKEN),
        "application/json",
        article("https://w.example/3", "Talks moved to Vienna.").to_string(),
    )
    .await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json()["data"].as_array().expect("data").len(), 2);
    assert_eq!(changed.status, StatusCode::OK);
    let names: Vec<String> = changed.json()["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["Vienna"]);
    assert_eq!(count_articles(&pool).await, 2);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn invalid_articles_are_a_422_naming_each_field_and_nothing_is_stored(pool: PgPool) {
    let app = app(pool.clone());
    let batch = json!([
        article("https://w.example/5", "Fine text."),
        {"url": "https://w.example/6", "title": "No body"},
        {"url": "https://w.example/7", "body": "x", "published_at": "someday"},
    ]);

    let response = post(&app, Some(TOKEN), "application/json", batch.to_string()).await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = response.json();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().expect("pointer"))
        .collect();
    assert_eq!(pointers, ["/1/body", "/2/published_at"]);
    assert_eq!(count_articles(&pool).await, 0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn bodies_that_are_too_large_not_json_or_not_articles_are_refused(pool: PgPool) {
    let config = HttpConfig {
        max_body_bytes: 2048,
        ..HttpConfig::default()
    };
    let app = app_with(pool.clone(), config);

    let large = post(
        &app,
        Some(TOKEN),
        "application/json",
        article("https://w.example/8", &"word ".repeat(1000)).to_string(),
    )
    .await;
    let form = post(
        &app,
        Some(TOKEN),
        "application/x-www-form-urlencoded",
        "a=b".to_owned(),
    )
    .await;
    let broken = post(
        &app,
        Some(TOKEN),
        "application/json",
        "{\"url\": ".to_owned(),
    )
    .await;
    let scalar = post(&app, Some(TOKEN), "application/json", "42".to_owned()).await;
    let empty = post(&app, Some(TOKEN), "application/json", "[]".to_owned()).await;

    assert_eq!(large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(large.json()["code"], "payload_too_large");
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.json()["code"], "invalid_body");
    assert_eq!(scalar.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count_articles(&pool).await, 0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn every_bad_field_of_an_article_is_named_and_the_media_type_is_case_insensitive(
    pool: PgPool,
) {
    let app = app(pool);
    let body = json!({"url": "https://w.example/9", "published_at": "someday", "language": "??"})
        .to_string();

    let response = post(&app, Some(TOKEN), "Application/JSON; charset=utf-8", body).await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<String> = response.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().expect("pointer").to_owned())
        .collect();
    assert_eq!(pointers, ["/body", "/published_at", "/language"]);
}
