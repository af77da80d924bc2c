//! The contract: openapi.yaml and the router agree on every path, method and query
//! parameter, and every response of a loaded server validates against its schema.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, header};
use newsgraph::http::ROUTES;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TOKEN, app, load_sample_and_seed, send};
use crate::schema::check;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml");
    serde_norway::from_str(&text).expect("openapi.yaml is YAML")
}

/// The query parameters of an operation (its own and its path item's).
fn spec_query_params(spec: &Value, path: &str, method: &str) -> BTreeSet<String> {
    let item = &spec["paths"][path];
    let operation = &item[method];
    let mut names = BTreeSet::new();
    for parameters in [&item["parameters"], &operation["parameters"]] {
        for parameter in parameters.as_array().into_iter().flatten() {
            let parameter = resolve(spec, parameter);
            if parameter["in"] == "query" {
                names.insert(parameter["name"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    names
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(
            spec,
            spec.pointer(reference.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
        ),
        None => value,
    }
}

#[test]
fn every_route_method_and_query_parameter_agrees_with_the_spec() {
    let spec = spec();
    let mut in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                in_spec.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let in_router: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path, _)| ((*method).to_owned(), (*path).to_owned()))
        .collect();

    assert_eq!(
        in_router, in_spec,
        "routes of the router vs. operations of openapi.yaml"
    );
    for (method, path, params) in ROUTES {
        let documented = spec_query_params(&spec, path, &method.to_lowercase());
        let accepted: BTreeSet<String> = params.iter().map(|p| (*p).to_owned()).collect();
        assert_eq!(accepted, documented, "query parameters of {method} {path}");
    }
}

#[test]
fn the_schema_checker_reports_wrong_types_missing_fields_and_bad_enums() {
    let root = json!({"components": {"schemas": {"Thing": {
        "type": "object", "required": ["id", "kind"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "kind": {"enum": ["a", "b"]}, "n": {"type": ["integer", "null"]}}
    }}}});
    let schema = json!({"$ref": "#/components/schemas/Thing"});

    let good = check(
        &root,
        &schema,
        &json!({"id": "01a21eea-64c1-7266-b6c9-95fcebe9d93f", "kind": "a", "n": null}),
        "",
    );
    let bad = check(&root, &schema, &json!({"id": "nope", "n": "x"}), "");

    assert!(good.is_empty(), "{good:?}");
    assert_eq!(bad.len(), 3, "{bad:?}");
}

/// Finds the spec's operation for a concrete request path.
fn operation<'a>(spec: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let segments: Vec<&str> = path.split('/').collect();
    spec["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            let fits = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')));
            fits.then(|| item.get(method)).flatten()
        })
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn every_response_of_a_loaded_server_validates_against_the_spec(pool: PgPool) {
    load_sample_and_seed(&pool).await;
    let article: String =
        sqlx::query_scalar("SELECT id::text FROM articles WHERE url LIKE '%sputnik%'")
            .fetch_one(&pool)
            .await
            .expect("the seed article");
    let app = app(pool);
    let spec = spec();
    let post_body = json!({"url": "https://contract.example/1", "title": "Talks", "body": "Diplomats met in Geneva."});
    let requests: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/healthz".into(), None),
        (Method::GET, "/readyz".into(), None),
        (Method::GET, "/v1/articles?limit=2&count=true".into(), None),
        (
            Method::GET,
            "/v1/articles?q=Kosovo%20Serbia&fields=id,title,score,headline".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles?entity=kosovo&type=person&from=2023-01-01&to=2024-01-01".into(),
            None,
        ),
        (Method::GET, "/v1/articles?format=csv&limit=3".into(), None),
        (Method::GET, "/v1/articles?limit=0".into(), None),
        (Method::GET, "/v1/articles?unknown=1".into(), None),
        (
            Method::GET,
            "/v1/articles/export?entity=kosovo".into(),
            None,
        ),
        (Method::GET, format!("/v1/articles/{article}"), None),
        (
            Method::GET,
            format!("/v1/articles/{article}/entities"),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/01a21eea-64c1-7266-b6c9-95fcebe9d93f".into(),
            None,
        ),
        (Method::GET, "/v1/articles/not-a-uuid".into(), None),
        (Method::GET, "/v1/entities?q=vucevic".into(), None),
        (
            Method::GET,
            "/v1/entities?type=place&sort=name&limit=5&count=true".into(),
            None,
        ),
        (Method::GET, "/v1/entities/kosovo".into(), None),
        (Method::GET, "/v1/entities/no-such-entity".into(), None),
        (
            Method::GET,
            "/v1/entities/kosovo/articles?limit=1".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/kosovo/related?limit=5".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/kosovo/related?format=graph&limit=5".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/kosovo/timeline?interval=week".into(),
            None,
        ),
        (Method::GET, "/v1/sources".into(), None),
        (Method::GET, "/v1/stats".into(), None),
        (Method::POST, "/v1/articles".into(), Some(post_body.clone())),
        (
            Method::POST,
            "/v1/articles".into(),
            Some(json!([post_body])),
        ),
        (
            Method::POST,
            "/v1/articles".into(),
            Some(json!({"url": "https://contract.example/2"})),
        ),
    ];
    let mut problems = Vec::new();
    for (method, uri, body) in requests {
        let mut request = Request::builder().method(method.clone()).uri(&uri);
        if body.is_some() {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        let request = request
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("a request");
        let response = send(&app, request).await;
        let path = uri.split('?').next().unwrap_or_default();
        let Some(operation) = operation(&spec, &method.as_str().to_lowercase(), path) else {
            problems.push(format!("{method} {uri}: no operation in the spec"));
            continue;
        };
        let status = response.status.as_str().to_owned();
        let Some(documented) = operation["responses"]
            .get(&status)
            .map(|r| resolve(&spec, r))
        else {
            problems.push(format!("{method} {uri}: status {status} not documented"));
            continue;
        };
        let content_type = response
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let Some(media) = documented["content"].get(&content_type) else {
            problems.push(format!(
                "{method} {uri}: content type {content_type:?} not documented for {status}"
            ));
            continue;
        };
        // NDJSON streams are not one JSON document; read.rs checks their lines.
        if content_type.ends_with("json") && content_type != "application/x-ndjson" {
            let value: Value = serde_json::from_slice(&response.body).expect("a JSON body");
            for problem in check(&spec, &media["schema"], &value, "") {
                problems.push(format!("{method} {uri} ({status}): {problem}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
