//! /healthz, /readyz, request ids, and problem documents for unknown routes.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{app, get};

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn healthz_answers_ok(pool: PgPool) {
    let app = app(pool);

    let response = get(&app, "/healthz").await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["status"], "ok");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn readyz_answers_ready_when_the_database_answers(pool: PgPool) {
    let app = app(pool);

    let response = get(&app, "/readyz").await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["status"], "ready");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn readyz_answers_503_problem_when_the_database_is_gone(pool: PgPool) {
    let app = app(pool.clone());
    pool.close().await;

    let response = get(&app, "/readyz").await;

    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers["content-type"], "application/problem+json");
    assert_eq!(response.json()["code"], "database_unavailable");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn every_response_carries_a_request_id_and_problems_repeat_it(pool: PgPool) {
    let app = app(pool);

    let response = get(&app, "/no/such/route").await;

    assert_eq!(response.status, StatusCode::NOT_FOUND);
    let header = response.headers["x-request-id"]
        .to_str()
        .expect("an ASCII request id")
        .to_owned();
    let problem = response.json();
    assert_eq!(problem["request_id"], header.as_str());
    assert_eq!(problem["code"], "not_found");
    assert_eq!(problem["status"], 404);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn wrong_method_is_a_405_problem(pool: PgPool) {
    let app = app(pool);
    let request = axum::http::Request::post("/healthz")
        .body(axum::body::Body::empty())
        .expect("a valid request");

    let response = crate::helpers::send(&app, request).await;

    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.json()["code"], "method_not_allowed");
}
