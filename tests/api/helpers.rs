//! Shared test helpers: the router in-process, a raw HTTP client for real sockets, and the
//! `newsgraph` binary as a child process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use newsgraph::http::{HttpConfig, router, state};
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

/// The write token the test router accepts.
pub const TOKEN: &str = "test-token";

/// The router over `pool`, with the default settings and one write token.
pub fn app(pool: PgPool) -> axum::Router {
    app_with(pool, HttpConfig::default())
}

/// The router over `pool` with these settings (plus the test write token).
pub fn app_with(pool: PgPool, mut config: HttpConfig) -> axum::Router {
    config
        .write_tokens
        .push(secrecy::SecretString::from(TOKEN.to_owned()));
    router(state(pool, extractor(), &config), &config)
}

/// Serves `app` on a loopback port of its own until the test ends, with this header read
/// timeout; returns the address.
pub async fn serve_on_loopback(app: axum::Router, header_read: Duration) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(newsgraph::server::serve(
        listener,
        app,
        std::future::pending(),
        newsgraph::server::Timeouts {
            header_read,
            grace: Duration::from_secs(1),
        },
    ));
    addr
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// Sends a GET through the router in-process.
pub async fn get(app: &axum::Router, uri: &str) -> TestResponse {
    let request = Request::get(uri)
        .body(Body::empty())
        .expect("a valid request");
    send(app, request).await
}

/// Sends any request through the router in-process.
pub async fn send(app: &axum::Router, request: Request<Body>) -> TestResponse {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body can be read")
        .to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

/// A GET over a real socket (HTTP/1.1, connection closed after), returning status and body.
pub fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    http_request(addr, "GET", path, &[], "").map(|(status, _, body)| (status, body))
}

/// Any request over a real socket: returns the status, the header block and the body.
pub fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    Ok((status, head.to_ascii_lowercase(), body.to_owned()))
}

/// The `newsgraph` binary, with logs in JSON and no inherited database settings.
pub fn newsgraph() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsgraph"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("NEWSGRAPH_DATA_DIR")
        .env_remove("NEWSGRAPH_ADDR")
        .env("NEWSGRAPH_LOG_FORMAT", "json")
        .env("RUST_LOG", "info");
    command
}

/// A running `newsgraph serve`, killed if the test ends without stopping it.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// Every log line after "listening", read by a thread so the pipe never fills up.
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `newsgraph serve` on a free loopback port with the given extra settings and
    /// waits until it logs that it listens (at most 60 s).
    pub fn start(configure: impl FnOnce(&mut Command)) -> Self {
        Self::start_bare(|command| {
            command.args(["--addr", "127.0.0.1:0"]);
            configure(command);
        })
    }

    /// Starts `newsgraph serve` configured only by `configure` (the address included).
    pub fn start_bare(configure: impl FnOnce(&mut Command)) -> Self {
        let mut command = newsgraph();
        command.arg("serve");
        configure(&mut command);
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("newsgraph starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let addr = wait_for_listening(&mut stderr);
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                sink.lock().expect("the log lock").push(line);
            }
        });
        Self { child, addr, logs }
    }

    /// Sends SIGTERM and waits for the process to exit, returning whether it exited 0.
    pub fn terminate(self) -> bool {
        self.terminate_with_logs().0
    }

    /// Sends SIGTERM, waits for the exit, and returns whether it exited 0 with the log lines
    /// written after "listening".
    pub fn terminate_with_logs(mut self) -> (bool, Vec<String>) {
        send_signal(self.child.id(), "TERM");
        let status = self.child.wait().expect("newsgraph exits");
        // The reader thread sees end-of-file once the process is gone.
        std::thread::sleep(Duration::from_millis(100));
        let logs = self.logs.lock().expect("the log lock").clone();
        (status.success(), logs)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            send_signal(self.child.id(), "TERM");
            self.child.wait().ok();
        }
    }
}

fn wait_for_listening(stderr: &mut BufReader<ChildStderr>) -> SocketAddr {
    let started = Instant::now();
    let mut line = String::new();
    loop {
        line.clear();
        let read = stderr.read_line(&mut line).expect("stderr can be read");
        assert!(read > 0, "newsgraph exited before listening");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "newsgraph did not listen within 60 s"
        );
        let Ok(event) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if event["message"] == "listening" {
            return event["addr"]
                .as_str()
                .and_then(|addr| addr.parse().ok())
                .expect("the listening event has the address");
        }
    }
}

/// Sends a signal by name (TERM, INT, KILL) to a process.
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Whether a live (not zombie) process with this pid exists.
pub fn process_exists(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesized command name.
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// Waits up to five seconds for a process to end; returns whether it did. (pg_ctl stop returns
/// when the server has removed its pid file, a moment before the process ends.)
pub fn process_ends(pid: u32) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if !process_exists(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The built-in extraction model, loaded once per test process.
pub fn extractor() -> Arc<newsgraph_extract::Extractor> {
    static EXTRACTOR: std::sync::OnceLock<Arc<newsgraph_extract::Extractor>> =
        std::sync::OnceLock::new();
    Arc::clone(EXTRACTOR.get_or_init(|| {
        Arc::new(newsgraph_extract::Extractor::load_default().expect("the built-in model loads"))
    }))
}

/// The file `relative` under ../shared, the development data set that sits beside the
/// repository and is never committed (research-only news text: ../shared/README.md). When it
/// is not there, this prints `skipped: ../shared/<relative> is not there` and answers `None`,
/// and the test returns without checking anything; with `NEWSGRAPH_REQUIRE_SHARED` set (CI,
/// which has ../shared) a missing file fails the test instead.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("NEWSGRAPH_REQUIRE_SHARED").is_none(),
        "{} is missing and NEWSGRAPH_REQUIRE_SHARED is set: this test reads it from ../shared",
        path.display()
    );
    println!("skipped: ../shared/{relative} is not there");
    None
}

/// The seed article (../shared), or `None` when the test is skipped ([`shared_file`]).
pub fn seed_path() -> Option<PathBuf> {
    shared_file(SEED)
}

/// The seed article's path under ../shared.
pub const SEED: &str = "corpus/seed/000_a288471b0e0d1077.txt";

/// The news article written for the tests (tests/fixtures): always there, so the questions
/// the seed article answers are also asked of it on a clone with nothing beside it.
pub fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/001_budget_vote.txt")
}

/// The bundled sample (data/sample, 43 Wikinews articles).
pub fn sample_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// Asserts that every entity's derived counts agree with the aggregate table and the
/// aggregates with the mentions.
pub async fn assert_counts_consistent(pool: &PgPool) {
    let wrong_entities: Vec<String> = sqlx::query_scalar(
        "SELECT e.slug FROM entities e
         LEFT JOIN (SELECT entity_id, count(*) AS articles, sum(mention_count) AS mentions,
                           min(published_at) AS first_seen, max(published_at) AS last_seen
                    FROM article_entities GROUP BY entity_id) s ON s.entity_id = e.id
         WHERE e.article_count <> COALESCE(s.articles, 0)
            OR e.mention_count <> COALESCE(s.mentions, 0)
            OR e.first_seen IS DISTINCT FROM s.first_seen
            OR e.last_seen IS DISTINCT FROM s.last_seen",
    )
    .fetch_all(pool)
    .await
    .expect("entity counts");
    assert_eq!(
        wrong_entities,
        Vec::<String>::new(),
        "entities with wrong counts"
    );
    let wrong_aggregates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
            SELECT article_id, entity_id, count(*) AS n FROM mentions GROUP BY 1, 2
         ) m FULL JOIN article_entities ae USING (article_id, entity_id)
         WHERE m.n IS DISTINCT FROM ae.mention_count::bigint",
    )
    .fetch_one(pool)
    .await
    .expect("aggregates");
    assert_eq!(wrong_aggregates, 0, "aggregates disagree with mentions");
}

/// Imports these files and directories with the built-in model; fails if a record fails.
pub async fn load(pool: &PgPool, paths: Vec<PathBuf>) {
    let options = newsgraph::ingest::ImportOptions {
        batch_size: 100,
        jobs: 2,
    };
    let report = newsgraph::ingest::import(
        pool,
        extractor(),
        newsgraph::ingest::formats::expand(&paths),
        &options,
        Arc::new(std::sync::atomic::AtomicBool::new(false)),
    )
    .await
    .expect("the import runs");
    assert_eq!(report.failed, 0, "{report:?}");
}

/// Imports the bundled sample and the fixture article: 44 articles from two sources.
pub async fn load_sample_and_fixture(pool: &PgPool) {
    load(pool, vec![sample_path(), fixture_path()]).await;
}
