//! The /docs page in a real browser: headless Chromium loads it from a real socket with no
//! other network, and Swagger UI (served from the binary) renders every /v1 operation.
//! Needs Debian's `chromium`; .ci/run installs it and sets NEWSGRAPH_REQUIRE_BROWSER=1, so
//! there the test fails rather than skips when it is missing.

use std::process::Command;
use std::time::Duration;

use newsgraph::http::{HttpConfig, router, served_routes, state};
use sqlx::PgPool;

use crate::helpers::extractor;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_docs_page_renders_every_operation_offline_in_a_browser(pool: PgPool) {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("NEWSGRAPH_REQUIRE_BROWSER").is_none(),
            "chromium is not installed"
        );
        eprintln!("skipped: chromium is not installed");
        return;
    };
    let config = HttpConfig::default();
    let routes = served_routes(&config);
    let app = router(state(pool, extractor(), &config), &config);
    let addr = crate::helpers::serve_on_loopback(app, Duration::from_secs(10)).await;
    let profile = tempfile::tempdir().expect("a profile directory");
    let url = format!("http://{addr}/docs");
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=20000", "--dump-dom", &url]);

    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("chromium runs");

    let dom = String::from_utf8_lossy(&output.stdout);
    for path in routes
        .iter()
        .map(|route| route.path)
        .filter(|path| path.starts_with("/v1"))
    {
        assert!(
            dom.contains(&format!("data-path=\"{path}\"")),
            "{path} is not rendered; page: {}",
            &dom[..dom.len().min(2000)]
        );
    }
    assert!(
        dom.contains("id=\"problem-not_found\""),
        "the problem codes section is on the page"
    );
}
