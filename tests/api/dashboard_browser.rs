//! The dashboard at `/` in a real browser: tests/ui/check_dashboard.py drives Debian's
//! headless Chromium with Playwright against a `newsgraph serve` process over a database
//! that `newsgraph import` filled with the bundled sample and the seed article. It checks each view, the first view's
//! budgets, and a live update, and saves screenshots under target/screenshots/dashboard/.
//! Needs `chromium` and Playwright (tests/ui/requirements.txt); .ci/run installs both and
//! sets NEWSGRAPH_REQUIRE_BROWSER=1, so there the test fails rather than skips without them.
//! It runs alone (.config/nextest.toml), so the budgets are not measured against other tests.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use newsgraph::http::HttpConfig;
use sqlx::PgPool;

use crate::helpers::{Server, TOKEN, app_with, http_get, newsgraph, sample_path, seed_path};
use crate::process::{fresh_database, server_url_with_database};

fn playwright_available() -> bool {
    Command::new("python3")
        .args(["-c", "import playwright.sync_api"])
        .output()
        .is_ok_and(|output| output.status.success())
        && Path::new(&chromium()).exists()
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

#[test]
fn the_dashboard_answers_the_seed_questions_in_a_browser_within_its_budgets() {
    if !playwright_available() {
        assert!(
            std::env::var_os("NEWSGRAPH_REQUIRE_BROWSER").is_none(),
            "chromium or Playwright is missing (pip install -r tests/ui/requirements.txt)"
        );
        println!("skipped: chromium or Playwright is missing");
        return;
    }
    let Some(seed) = seed_path() else { return };
    // As a user runs it: `newsgraph import`, then `newsgraph serve`, whose in-memory index is
    // built before the first page is measured.
    let url = server_url_with_database(&fresh_database());
    let imported = newsgraph()
        .arg("import")
        .arg(sample_path())
        .arg(seed)
        .env("DATABASE_URL", &url)
        .output()
        .expect("the import runs");
    assert!(imported.status.success(), "{imported:?}");
    let server = Server::start(|c| {
        c.env("DATABASE_URL", &url)
            .env("NEWSGRAPH_WRITE_TOKENS", format!("browser:{TOKEN}"));
    });
    wait_for_index(server.addr);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let screenshots = root.join("target/screenshots/dashboard");

    let output = Command::new("python3")
        .arg(root.join("tests/ui/check_dashboard.py"))
        .args(["--url", &format!("http://{}", server.addr)])
        .args(["--token", &format!("browser:{TOKEN}")])
        .arg("--screenshots")
        .arg(&screenshots)
        .args(["--chromium", &chromium()])
        .output()
        .expect("python3 runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("dashboard figures: {}", stdout.trim());
    assert!(
        output.status.success(),
        "the dashboard check failed:\n{stderr}\n{stdout}"
    );
    for view in ["overview", "search", "entity", "article", "compare", "live"] {
        assert!(
            screenshots.join(format!("{view}.png")).exists(),
            "no screenshot of the {view} view"
        );
    }
    assert!(server.terminate());
}

/// Waits until `serve` at `addr` reports a built in-memory index (at most 60 s).
fn wait_for_index(addr: std::net::SocketAddr) {
    let started = Instant::now();
    loop {
        let indexed = http_get(addr, "/metrics").ok().is_some_and(|(_, body)| {
            body.lines().any(|line| {
                line.strip_prefix("newsgraph_text_index_articles ")
                    .is_some_and(|n| n != "0")
            })
        });
        if indexed {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no in-memory index"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_dashboard_is_not_served_with_no_ui_and_the_api_still_is(pool: PgPool) {
    let config = HttpConfig {
        ui: false,
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let page = crate::helpers::get(&app, "/").await;
    let script = crate::helpers::get(&app, "/ui/app.js").await;
    let docs = crate::helpers::get(&app, "/docs").await;

    assert_eq!(page.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(script.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(docs.status, axum::http::StatusCode::OK);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_dashboard_loads_nothing_from_elsewhere_and_calls_only_documented_routes(pool: PgPool) {
    let app = app_with(pool, HttpConfig::default());
    let routes = newsgraph::http::served_routes(&HttpConfig::default());

    let page = crate::helpers::get(&app, "/").await;
    let mut sources = String::from_utf8(page.body.clone()).expect("utf-8");
    for file in ["app.js", "dom.js", "charts.js", "app.css", "world.js"] {
        let asset = crate::helpers::get(&app, &format!("/ui/{file}")).await;
        assert_eq!(asset.status, axum::http::StatusCode::OK, "/ui/{file}");
        sources.push_str(&String::from_utf8(asset.body).expect("utf-8"));
    }

    assert_eq!(page.status, axum::http::StatusCode::OK);
    // The SVG namespace is a name, not an address the browser loads.
    let addresses = sources.replace("http://www.w3.org/2000/svg", "");
    assert!(
        !addresses.contains("http://") && !addresses.contains("https://"),
        "the dashboard names another host"
    );
    // Every API path the script asks for, with its `${…}` parts as path parameters, is a
    // route the server registers (and the contract test holds against openapi.yaml).
    let mut called = 0;
    for (start, _) in sources.match_indices("/v1/") {
        let path: String = sources[start..]
            .chars()
            .take_while(|c| {
                !matches!(c, '?' | '"' | '`' | '\'' | '&' | ')' | ';' | ',') && !c.is_whitespace()
            })
            .collect();
        let template = path
            .split('/')
            .map(|segment| {
                if segment.starts_with("${") {
                    "{id}"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        called += 1;
        assert!(
            routes.iter().any(|route| route.path == template),
            "the dashboard calls {path}, which is no documented route"
        );
    }
    assert!(called >= 8, "only {called} API paths found in the script");
}
