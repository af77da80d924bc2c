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

/// The `api` service's environment exactly as docker-compose.yml writes it, each
/// `${NAME:-default}` taken as Compose takes it when `.env` holds `values` (default: the
/// value after `:-`), then the database and a free port.
fn compose_environment(command: &mut Command, url: &str, values: &[(&str, &str)]) {
    let compose: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml"))
            .expect("docker-compose.yml"),
    )
    .expect("YAML");
    let environment = compose["services"]["api"]["environment"]
        .as_mapping()
        .expect("the api service has an environment");
    let mut variables: Vec<(String, String)> = Vec::new();
    for (name, value) in environment {
        let name = name.as_str().expect("a name");
        if name == "<<" {
            for (inner, value) in value.as_mapping().expect("the shared environment") {
                variables.push((
                    inner.as_str().expect("a name").to_owned(),
                    interpolate(value, values),
                ));
            }
        } else {
            variables.push((name.to_owned(), interpolate(value, values)));
        }
    }
    assert!(
        variables
            .iter()
            .any(|(name, _)| name == "NEWSGRAPH_WRITE_TOKENS"),
        "the compose file passes the write tokens through"
    );
    for (name, value) in variables {
        command.env(name, value);
    }
    command
        .env("DATABASE_URL", url)
        .env("NEWSGRAPH_ADDR", "0.0.0.0:0");
}

/// `${NAME:-default}` as Compose expands it, with `values` as `.env`.
fn interpolate(value: &serde_norway::Value, values: &[(&str, &str)]) -> String {
    let text = match value {
        serde_norway::Value::String(text) => text.clone(),
        other => serde_norway::to_string(other)
            .expect("a scalar")
            .trim()
            .to_owned(),
    };
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("a closing brace") + start;
        let inner = &rest[start + 2..end];
        let (name, default) = inner.split_once(":-").unwrap_or((inner, ""));
        let given = values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        out.push_str(given.filter(|v| !v.is_empty()).unwrap_or(default));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The settings of an operator's `.env`.
const OPERATOR_ENV: &[(&str, &str)] = &[
    ("NEWSGRAPH_WRITE_TOKENS", "compose-token"),
    ("NEWSGRAPH_CORS_ORIGINS", "https://dash.example"),
    ("NEWSGRAPH_RATE_LIMIT", "1000"),
    ("NEWSGRAPH_MAX_BODY_BYTES", "65536"),
    ("NEWSGRAPH_DB_MAX_CONNECTIONS", "8"),
];

fn container_environment(command: &mut Command, url: &str) {
    compose_environment(command, url, OPERATOR_ENV);
}

#[test]
fn serve_starts_with_the_compose_defaults_and_no_env_file() {
    let url = server_url_with_database(&fresh_database());
    // .env.example's values: empty tokens and origins, as an operator copies it.
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example"))
        .expect(".env.example");
    let example: Vec<(&str, &str)> = example
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .filter(|(name, _)| name.starts_with("NEWSGRAPH_"))
        .collect();

    for values in [&[][..], &example[..]] {
        let server = Server::start_bare(|c| compose_environment(c, &url, values));
        let local = std::net::SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
        let (stats, _, _) = http_request(
            local,
            "GET",
            "/v1/stats",
            &[("Origin", "https://dash.example")],
            "",
        )
        .expect("an answer");
        let (_, head, _) = http_request(local, "GET", "/healthz", &[("Origin", "https://x")], "")
            .expect("an answer");
        let article = r#"{"url":"https://c.example/1","title":"T","body":"Talks in Vienna."}"#;
        let (refused, _, _) = http_request(
            local,
            "POST",
            "/v1/articles",
            &[
                ("Authorization", "Bearer guess"),
                ("Content-Type", "application/json"),
            ],
            article,
        )
        .expect("an answer");

        assert_eq!(stats, 200, "{values:?}");
        assert_eq!(refused, 403, "no write tokens: writes are refused");
        assert!(!head.contains("access-control"), "no CORS headers: {head}");
        assert!(server.terminate());
    }
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
