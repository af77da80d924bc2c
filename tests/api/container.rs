//! The runtime contract of the container image, tested without Docker: the binary honours
//! the environment the Dockerfile and docker-compose.yml set, binds 0.0.0.0 when told to,
//! exits cleanly and quickly on SIGTERM, reports readiness by the database's state, and
//! `newsgraph healthcheck` (the image's HEALTHCHECK) says so too.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::{Server, http_get, http_request, newsgraph, send_signal};
use crate::process::{fresh_database, server_url_with_database};

/// A PostgreSQL cluster of the test's own, which it can stop and start again.
struct Database {
    dir: String,
    bindir: String,
    url: String,
}

impl Database {
    fn start() -> Self {
        let output = Command::new("bash")
            .arg("-c")
            .arg("source scripts/lib/throwaway-pg.sh && throwaway_pg_start && trap - EXIT && echo \"$THROWAWAY_PG_DIR|$THROWAWAY_PG_BINDIR|$DATABASE_URL\"")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = String::from_utf8(output.stdout).expect("UTF-8");
        let parts: Vec<&str> = line.trim().split('|').collect();
        Self {
            dir: parts[0].to_owned(),
            bindir: parts[1].to_owned(),
            url: parts[2].to_owned(),
        }
    }

    fn run(&self, function: &str) {
        let status = Command::new("bash")
            .arg("-c")
            .arg(format!("source scripts/lib/throwaway-pg.sh && {function}"))
            .env("THROWAWAY_PG_DIR", &self.dir)
            .env("THROWAWAY_PG_BINDIR", &self.bindir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("bash runs");
        assert!(status.success(), "{function} failed");
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        self.run("throwaway_pg_stop");
    }
}

/// The image's environment (Dockerfile ENV plus the compose file's), on a free port.
fn container_environment(command: &mut Command, url: &str) {
    command
        .env("DATABASE_URL", url)
        .env("NEWSGRAPH_ADDR", "0.0.0.0:0")
        .env("NEWSGRAPH_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("NEWSGRAPH_DB_MAX_CONNECTIONS", "8")
        .env("NEWSGRAPH_REQUEST_TIMEOUT", "30")
        .env("NEWSGRAPH_WRITE_TOKENS", "compose-token")
        .env("NEWSGRAPH_CORS_ORIGINS", "https://dash.example")
        .env("NEWSGRAPH_RATE_LIMIT", "1000")
        .env("NEWSGRAPH_MAX_BODY_BYTES", "65536");
}

#[test]
fn serve_honours_the_container_environment_and_binds_every_interface() {
    let url = server_url_with_database(&fresh_database());

    let server = Server::start_bare(|c| container_environment(c, &url));

    assert!(
        server.addr.ip().is_unspecified(),
        "listens on {}",
        server.addr
    );
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let (status, head, _) = http_request(
        local,
        "GET",
        "/v1/stats",
        &[("Origin", "https://dash.example")],
        "",
    )
    .expect("an answer");
    assert_eq!(status, 200);
    assert!(
        head.contains("access-control-allow-origin: https://dash.example"),
        "{head}"
    );
    assert!(
        head.contains("ratelimit-policy: \"per-client\";q=1000;w=60"),
        "{head}"
    );
    let article = r#"{"url":"https://c.example/1","title":"T","body":"Talks in Vienna."}"#;
    let headers = [
        ("Authorization", "Bearer compose-token"),
        ("Content-Type", "application/json"),
    ];
    let (created, _, _) =
        http_request(local, "POST", "/v1/articles", &headers, article).expect("an answer");
    assert_eq!(created, 201);
    let big = format!(
        r#"{{"url":"https://c.example/2","body":"{}"}}"#,
        "x".repeat(70_000)
    );
    let (too_large, _, _) =
        http_request(local, "POST", "/v1/articles", &headers, &big).expect("an answer");
    assert_eq!(too_large, 413);
    assert!(server.terminate());
}

#[test]
fn sigterm_ends_serve_cleanly_within_the_stop_grace_period() {
    let url = server_url_with_database(&fresh_database());
    let mut server = Server::start_bare(|c| container_environment(c, &url));
    let started = Instant::now();

    send_signal(server.child.id(), "TERM");
    let status = server.child.wait().expect("exits");

    assert!(status.success(), "{status}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn readyz_and_healthcheck_follow_the_database_down_and_back_up() {
    let database = Database::start();
    let server = Server::start(|c| {
        c.env("DATABASE_URL", &database.url);
    });
    let healthcheck = |addr: std::net::SocketAddr| {
        newsgraph()
            .args(["healthcheck", "--addr", &addr.to_string()])
            .output()
            .expect("healthcheck runs")
    };
    assert_eq!(http_get(server.addr, "/readyz").expect("an answer").0, 200);
    assert!(healthcheck(server.addr).status.success());

    database.run("throwaway_pg_pause");
    let (down, body) = http_get(server.addr, "/readyz").expect("an answer");
    let unhealthy = healthcheck(server.addr);
    database.run("throwaway_pg_resume");
    let back = wait_for_status(server.addr, 200);

    assert_eq!(down, 503, "{body}");
    assert!(body.contains("database_unavailable"));
    assert!(!unhealthy.status.success());
    assert!(String::from_utf8_lossy(&unhealthy.stderr).contains("503"));
    assert!(back, "readyz is 200 again once the database is back");
    assert!(healthcheck(server.addr).status.success());
    assert_eq!(http_get(server.addr, "/healthz").expect("an answer").0, 200);
    assert!(server.terminate());
}

fn wait_for_status(addr: std::net::SocketAddr, wanted: u16) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if http_get(addr, "/readyz").is_ok_and(|(status, _)| status == wanted) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}
