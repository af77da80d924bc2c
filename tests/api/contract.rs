//! The contract: openapi.yaml and the router agree on every path, method and query
//! parameter, as the router serves them (its own record of the routes it was built with,
//! each then requested through it), and every response of a loaded server, its body and its
//! documented headers, validates against the spec with a complete JSON Schema validator.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use newsgraph::http::{HttpConfig, Route, served_routes};
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::helpers::{TOKEN, app, load_sample_and_fixture, send};
use crate::schema::{Contract, escape};

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
    resolve_at(spec, value, String::new()).0
}

/// A value of the spec with its `$ref`s followed, and the JSON pointer it was found at
/// (`at` while it is not a reference).
fn resolve_at<'a>(spec: &'a Value, value: &'a Value, at: String) -> (&'a Value, String) {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#').to_owned();
            let target = spec.pointer(&pointer).unwrap_or(&Value::Null);
            resolve_at(spec, target, pointer)
        }
        None => (value, at),
    }
}

/// A concrete request path for a template: ids that name nothing.
fn concrete(path: &str) -> String {
    path.replace("{id}", "01a21eea-64c1-7266-b6c9-95fcebe9d93f")
        .replace("{file}", "docs.css")
}

fn text(response: &crate::helpers::TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

/// What the router answers `method uri`, with a write token and a JSON body for writes. A
/// live stream (`text/event-stream`) never ends: its status and headers are the answer.
async fn ask(app: &axum::Router, method: &Method, uri: &str) -> crate::helpers::TestResponse {
    let mut request = Request::builder().method(method.clone()).uri(uri);
    if method == Method::POST || method == Method::PATCH {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    let request = request.body(Body::from("{}")).expect("a request");
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let streams = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
    let status = response.status();
    let headers = response.headers().clone();
    let body = if streams {
        Vec::new()
    } else {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body can be read")
            .to_vec()
    };
    crate::helpers::TestResponse {
        status,
        headers,
        body,
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn every_served_route_method_and_query_parameter_agrees_with_the_spec(pool: PgPool) {
    let contract = Contract::load();
    let spec = &contract.spec;
    let mut in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                in_spec.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    // Guards that are left out when unconfigured must not change what is served.
    let open = HttpConfig::default();
    let guarded = HttpConfig {
        read_tokens: vec![secrecy::SecretString::from("reader".to_owned())],
        rate_limit_per_minute: 1000,
        ..HttpConfig::default()
    };
    let routes: Vec<Route> = served_routes(&open);
    let guarded_routes = served_routes(&guarded);
    let served: BTreeSet<(String, String)> = routes
        .iter()
        .map(|route| (route.method.to_string(), route.path.to_owned()))
        .collect();

    assert_eq!(routes, guarded_routes, "the guards change no route");
    assert_eq!(
        served, in_spec,
        "operations served by the router vs. operations of openapi.yaml"
    );
    let app = app(pool);
    for route in &routes {
        let method = route.method.as_str();
        let documented = spec_query_params(spec, route.path, &method.to_lowercase());
        let accepted: BTreeSet<String> = route.params.iter().map(|p| (*p).to_owned()).collect();
        assert_eq!(
            accepted, documented,
            "query parameters of {method} {}",
            route.path
        );
        // Through the router: the route is there, refuses what it does not take and takes
        // what it says it does.
        let base = concrete(route.path);
        let refused = ask(&app, &route.method, &format!("{base}?contract_probe=1")).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{method} {} with an unknown parameter",
            route.path
        );
        assert!(
            text(&refused).contains("contract_probe"),
            "{method} {}: {}",
            route.path,
            text(&refused)
        );
        for param in route.params {
            let answer = ask(&app, &route.method, &format!("{base}?{param}=x")).await;
            assert!(
                !text(&answer).contains("unknown parameter"),
                "{method} {} refuses its own parameter {param}: {}",
                route.path,
                text(&answer)
            );
        }
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_response_that_breaks_the_contract_fails_validation(pool: PgPool) {
    let contract = Contract::load();
    let problem = send(
        &app(pool),
        Request::get("/v1/entities?limit=x")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    let pointer = "/components/schemas/Problem";
    let good: Value = serde_json::from_slice(&problem.body).expect("a problem document");
    let mut broken = good.clone();
    broken["instance"] = json!("request 1");
    broken["errors"] = json!([]);
    broken["code"] = json!("oops");
    broken["status"] = json!(200);
    let mut missing = good.clone();
    missing
        .as_object_mut()
        .expect("an object")
        .remove("request_id");
    let filter = "/components/parameters/EntityFilter/schema";

    assert!(
        contract.problems(pointer, &good).is_empty(),
        "{:?}",
        contract.problems(pointer, &good)
    );
    // pattern, minItems, enum, minimum: each is reported.
    assert_eq!(
        contract.problems(pointer, &broken).len(),
        4,
        "{:?}",
        contract.problems(pointer, &broken)
    );
    assert_eq!(contract.problems(pointer, &missing).len(), 1);
    // uniqueItems and maxItems, which the schema of `entity=` uses.
    assert!(contract.problems(filter, &json!(["a", "b"])).is_empty());
    assert_eq!(contract.problems(filter, &json!(["a", "a"])).len(), 1);
    assert_eq!(contract.problems(filter, &json!(vec!["x"; 11])).len(), 2);
}

/// The spec's path template and operation for a concrete request path.
fn operation<'a>(spec: &'a Value, method: &str, path: &str) -> Option<(&'a str, &'a Value)> {
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
            fits.then(|| item.get(method).map(|op| (template.as_str(), op)))
                .flatten()
        })
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn every_response_of_a_loaded_server_validates_against_the_spec(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let article: String =
        sqlx::query_scalar("SELECT id::text FROM articles WHERE url LIKE '%news.example.org%'")
            .fetch_one(&pool)
            .await
            .expect("the fixture article");
    let app = app(pool);
    let contract = Contract::load();
    let spec = &contract.spec;
    let post_body = json!({"url": "https://contract.example/1", "title": "Talks", "body": "Diplomats met in Geneva."});
    let requests: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/healthz".into(), None),
        (Method::GET, "/readyz".into(), None),
        (Method::GET, "/v1/articles?limit=2&count=true".into(), None),
        (
            Method::GET,
            "/v1/articles?q=Bulgaria%20budget&fields=id,title,score,headline".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles?entity=bulgaria&type=person&from=2024-01-01&to=2025-01-01".into(),
            None,
        ),
        (Method::GET, "/v1/articles?format=csv&limit=3".into(), None),
        (Method::GET, "/v1/articles?limit=0".into(), None),
        (Method::GET, "/v1/articles?unknown=1".into(), None),
        (
            Method::GET,
            "/v1/articles/export?entity=bulgaria".into(),
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
        (Method::GET, "/v1/entities?q=petkanov".into(), None),
        (
            Method::GET,
            "/v1/entities?type=place&sort=name&limit=5&count=true".into(),
            None,
        ),
        (Method::GET, "/v1/entities/bulgaria".into(), None),
        (Method::GET, "/v1/entities/no-such-entity".into(), None),
        (
            Method::GET,
            "/v1/entities/bulgaria/articles?limit=1".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/bulgaria/related?limit=5".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/bulgaria/related?format=graph&limit=5".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/bulgaria/timeline?interval=week".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles?updated_since=2020-01-01&limit=2&fields=id,updated_at".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/export?updated_since=2020-01-01T00:00:00Z&format=csv".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/timeline?entity=bulgaria&interval=week&tz=Europe/Sofia".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/timeline?q=budget&from=2024-01-01&to=2024-06-01&window=3&threshold=1.5"
                .into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/timeline?updated_since=2020-01-01&interval=month&format=csv".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/timeline?tz=Nowhere/Else&from=2024-03-01&to=2024-04-01".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/timeline?interval=day&from=1000-01-01&to=2024-01-01".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/facets?entity=bulgaria&limit=5".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/facets?type=place&format=csv".into(),
            None,
        ),
        (Method::GET, "/v1/articles/facets?limit=0".into(), None),
        (
            Method::GET,
            "/v1/entities/timeline?id=bulgaria&id=sofia&interval=month&tz=%2B02:00".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/timeline?id=yana-dobreva&id=plovdiv&from=2024-03-01&to=2024-04-01&format=csv"
                .into(),
            None,
        ),
        (Method::GET, "/v1/entities/timeline".into(), None),
        (
            Method::GET,
            "/v1/entities/timeline?id=sofia&id=sofia".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/places?entity=bulgaria".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/places?bbox=20,40,30,45&limit=5&format=csv".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/places?bbox=170,-50,-170,-10".into(),
            None,
        ),
        (Method::GET, "/v1/articles/places?bbox=1,2,3".into(), None),
        (
            Method::GET,
            "/v1/articles/network?entity=bulgaria&nodes=10".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/network?node_type=place&min_weight=1&format=graphml".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/articles/network?entity=bulgaria&format=gexf&interval=week&tz=Europe/Sofia"
                .into(),
            None,
        ),
        (Method::GET, "/v1/articles/network?nodes=0".into(), None),
        (
            Method::GET,
            "/v1/entities?type=place&format=geojson&limit=3&count=true".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/bulgaria?format=geojson".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/entities/yana-dobreva?format=geojson".into(),
            None,
        ),
        (Method::GET, "/v1/entities/bulgaria?format=kml".into(), None),
        (Method::GET, "/v1/sources".into(), None),
        (Method::GET, "/v1/stats".into(), None),
        (Method::GET, "/metrics".into(), None),
        (Method::GET, "/openapi.yaml".into(), None),
        (Method::GET, "/docs".into(), None),
        (Method::GET, "/docs/assets/docs.css".into(), None),
        (
            Method::GET,
            "/docs/assets/swagger-ui-bundle.js".into(),
            None,
        ),
        (Method::GET, "/docs/assets/nothing.js".into(), None),
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
        (
            Method::POST,
            "/v1/entities/sofia/merge".into(),
            Some(json!({"entities": ["plovdiv"], "reason": "contract"})),
        ),
        (
            Method::POST,
            "/v1/entities/sofia/merge".into(),
            Some(json!({"entities": ["plovdiv"]})),
        ),
        (
            Method::POST,
            "/v1/entities/plovdiv/merge".into(),
            Some(json!({"entities": ["sofia"]})),
        ),
        (
            Method::POST,
            "/v1/entities/sofia/merge".into(),
            Some(json!({"entities": ["sofia"]})),
        ),
        (
            Method::PATCH,
            "/v1/entities/yana-dobreva".into(),
            Some(json!({"add_aliases": ["PM Dobreva"], "wikidata_id": null})),
        ),
        (
            Method::POST,
            "/v1/entities/civic-reform-alliance/split".into(),
            Some(json!({"aliases": ["CRA"]})),
        ),
        (
            Method::POST,
            "/v1/suppressions".into(),
            Some(json!({"name": "European Commission", "type": "organization"})),
        ),
        (Method::GET, "/v1/suppressions".into(), None),
        (Method::GET, "/v1/changes?limit=2".into(), None),
        (Method::GET, "/v1/changes?format=csv".into(), None),
        (Method::GET, "/v1/changes/1".into(), None),
        (Method::GET, "/v1/changes/999999".into(), None),
        (Method::GET, "/v1/entities/sofia/history".into(), None),
        (Method::GET, "/v1/entities/plovdiv/history".into(), None),
        (Method::POST, "/v1/changes/1/undo".into(), Some(json!({}))),
        (Method::POST, "/v1/changes/1/undo".into(), Some(json!({}))),
        (
            Method::POST,
            "/v1/changes/999999/undo".into(),
            Some(json!({})),
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
        let method_name = method.as_str().to_lowercase();
        let Some((template, _)) = operation(spec, &method_name, path) else {
            problems.push(format!("{method} {uri}: no operation in the spec"));
            continue;
        };
        let status = response.status.as_str().to_owned();
        let at = format!(
            "/paths/{}/{method_name}/responses/{status}",
            escape(template)
        );
        let Some(documented) = spec.pointer(&at) else {
            problems.push(format!("{method} {uri}: status {status} not documented"));
            continue;
        };
        let (documented, at) = resolve_at(spec, documented, at);
        for (name, header_spec) in documented["headers"].as_object().into_iter().flatten() {
            let (header_spec, header_at) =
                resolve_at(spec, header_spec, format!("{at}/headers/{}", escape(name)));
            match response.headers.get(name.as_str()) {
                Some(value) => {
                    // A header is text; a number schema means text that is the number.
                    let text = value.to_str().unwrap_or_default();
                    let value = match text.parse::<i64>() {
                        Ok(number) => json!(number),
                        Err(_) => json!(text),
                    };
                    for problem in contract.problems(&format!("{header_at}/schema"), &value) {
                        problems.push(format!("{method} {uri} ({status}) header {name} {problem}"));
                    }
                }
                None if header_spec["required"] == true => {
                    problems.push(format!("{method} {uri} ({status}): no {name} header"));
                }
                None => {}
            }
        }
        let content_type = response
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        if documented["content"].get(&content_type).is_none() {
            problems.push(format!(
                "{method} {uri}: content type {content_type:?} not documented for {status}"
            ));
            continue;
        }
        // NDJSON streams are not one JSON document; read.rs checks their lines.
        if content_type.ends_with("json") && content_type != "application/x-ndjson" {
            let value: Value = serde_json::from_slice(&response.body).expect("a JSON body");
            let schema = format!("{at}/content/{}/schema", escape(&content_type));
            for problem in contract.problems(&schema, &value) {
                problems.push(format!("{method} {uri} ({status}): {problem}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
