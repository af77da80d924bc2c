//! What a careless or hostile client can do, bounded: slow and idle connections, requests
//! that would make the server buffer or work without limit, labels that would grow the
//! metrics without end, values outside what the database stores. Threats on the wire are
//! tried over real sockets.
//!
//! Over 400 lines: one test per threat, each with its own socket
//! or data set, kept together so the suite reads as the list of what is bounded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use newsgraph::http::{HttpConfig, router, state};
use sqlx::PgPool;

use crate::helpers::{TOKEN, app, app_with, extractor, get, send};

/// Serves the router with `config` on a real socket, with a one-second header timeout.
async fn listen(pool: PgPool, mut config: HttpConfig) -> SocketAddr {
    config
        .write_tokens
        .push(secrecy::SecretString::from(TOKEN.to_owned()));
    let app = router(state(pool, extractor(), &config), &config);
    crate::helpers::serve_on_loopback(app, Duration::from_secs(1)).await
}

/// Writes `sent` and reads until the server closes the connection (or 20 s pass): what came
/// back, and after how long.
fn talk(addr: SocketAddr, sent: &[u8]) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a read timeout");
    stream.write_all(sent).expect("write");
    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_client_that_never_finishes_its_headers_is_disconnected(pool: PgPool) {
    let addr = listen(pool, HttpConfig::default()).await;

    let (answer, after) =
        tokio::task::spawn_blocking(move || talk(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"))
            .await
            .expect("join");

    assert!(after < Duration::from_secs(5), "closed after {after:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_idle_keep_alive_connection_is_closed(pool: PgPool) {
    let addr = listen(pool, HttpConfig::default()).await;

    let (answer, after) = tokio::task::spawn_blocking(move || {
        talk(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    })
    .await
    .expect("join");

    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(after < Duration::from_secs(5), "closed after {after:?}");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_write_without_a_token_is_refused_before_its_body_is_read(pool: PgPool) {
    let addr = listen(pool, HttpConfig::default()).await;

    // Ten megabytes announced, none sent: the answer must not wait for them.
    let (answer, after) = tokio::task::spawn_blocking(move || {
        talk(
            addr,
            b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 10000000\r\nConnection: close\r\n\r\n[",
        )
    })
    .await
    .expect("join");

    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(after < Duration::from_secs(5), "answered after {after:?}");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_body_over_the_limit_is_refused_by_its_declared_length(pool: PgPool) {
    let config = HttpConfig {
        max_body_bytes: 4096,
        ..HttpConfig::default()
    };
    let addr = listen(pool, config).await;

    let (answer, after) = tokio::task::spawn_blocking(move || {
        talk(
            addr,
            format!(
                "POST /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
                 Content-Type: application/json\r\nContent-Length: 10000000\r\n\
                 Connection: close\r\n\r\n["
            )
            .as_bytes(),
        )
    })
    .await
    .expect("join");

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(after < Duration::from_secs(5), "answered after {after:?}");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn repeated_and_excessive_entity_filters_are_refused_with_the_limit(pool: PgPool) {
    crate::helpers::load_sample_and_fixture(&pool).await;
    let app = app(pool);
    let flood = vec!["entity=bulgaria"; 4000].join("&");
    let eleven: Vec<String> = (0..11).map(|i| format!("entity=e{i}")).collect();

    let flooded = get(&app, &format!("/v1/articles?count=true&{flood}")).await;
    let twice = get(&app, "/v1/articles?entity=bulgaria&entity=bulgaria").await;
    let too_many = get(&app, &format!("/v1/articles?{}", eleven.join("&"))).await;
    let export = get(&app, &format!("/v1/articles/export?{}", eleven.join("&"))).await;
    let two = get(
        &app,
        "/v1/articles?entity=bulgaria&entity=radoslav-petkanov",
    )
    .await;

    assert_eq!(flooded.status, StatusCode::BAD_REQUEST);
    assert!(
        flooded.json()["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("32 parameters")),
        "{}",
        flooded.json()
    );
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert!(
        twice.json()["detail"]
            .to_string()
            .contains("more than once")
    );
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(too_many.json()["detail"].to_string().contains("at most 10"));
    assert_eq!(export.status, StatusCode::BAD_REQUEST);
    assert_eq!(two.status, StatusCode::OK, "{}", two.json());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn dates_beyond_what_the_database_stores_are_a_400_not_a_500(pool: PgPool) {
    let app = app(pool);

    for uri in [
        "/v1/articles?from=-200000-01-01",
        "/v1/articles?to=%2B275760-09-13T00:00:00Z",
        "/v1/articles/export?from=0000-01-01",
        "/v1/entities/kosovo/timeline?from=-4713-01-01",
    ] {
        let response = get(&app, uri).await;

        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(response.json()["code"], "invalid_parameter", "{uri}");
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn invented_methods_do_not_add_metric_series(pool: PgPool) {
    let app = app(pool);
    let invent = |range: std::ops::Range<u32>| {
        let app = app.clone();
        async move {
            for i in range {
                let method = Method::from_bytes(format!("M{i}").as_bytes()).expect("a token");
                let request = Request::builder()
                    .method(method)
                    .uri("/healthz")
                    .body(Body::empty())
                    .expect("a request");
                send(&app, request).await;
            }
            String::from_utf8_lossy(&get(&app, "/metrics").await.body).into_owned()
        }
    };
    let lines = |text: &str| text.lines().filter(|line| line.contains("method=")).count();

    get(&app, "/metrics").await;
    let first = invent(0..10).await;
    let second = invent(10..30).await;

    assert!(second.contains("method=\"OTHER\""), "{second}");
    assert!(!second.contains("method=\"M1"), "{second}");
    assert_eq!(
        lines(&first),
        lines(&second),
        "no series added by new names"
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn metrics_need_a_read_token_when_reads_do(pool: PgPool) {
    let config = HttpConfig {
        read_tokens: vec![secrecy::SecretString::from("reader".to_owned())],
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let anonymous = get(&app, "/metrics").await;
    let reader = send(
        &app,
        Request::get("/metrics")
            .header("authorization", "Bearer reader")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    let probe = get(&app, "/readyz").await;

    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reader.status, StatusCode::OK);
    assert_eq!(probe.status, StatusCode::OK);
}

/// `members` gzip members of `chunk` each, concatenated: a small file that decompresses to
/// `members * chunk.len()` bytes.
fn gzip_bomb(chunk: &[u8], members: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(chunk).expect("gzip");
    let member = encoder.finish().expect("gzip");
    member.repeat(members)
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_gzip_bomb_read_whole_is_refused_with_its_size_and_the_other_files_go_in(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    // 520 MiB of spaces inside a JSON array that never closes: read whole, it would be held
    // in memory entire.
    let mut bomb = gzip_bomb(b"[", 1);
    bomb.extend(gzip_bomb(&vec![b' '; 1 << 20], 520));
    let bomb_path = dir.path().join("bomb.json.gz");
    std::fs::write(&bomb_path, &bomb).expect("write");
    let good = dir.path().join("good.jsonl");
    std::fs::write(
        &good,
        r#"{"url":"https://ok.example/1","title":"Fine","body":"Talks in Vienna."}"#,
    )
    .expect("write");

    let report = crate::import::import(&pool, &[bomb_path.clone(), good]).await;

    assert!(
        bomb.len() < 2 << 20,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    assert_eq!(report.new, 1, "{report:?}");
    assert_eq!(report.failed, 1);
    let failure = &report.failures[0];
    assert_eq!(failure.file, bomb_path.display().to_string());
    assert!(
        failure.reason.contains("larger than 512 MiB uncompressed"),
        "{failure:?}"
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_endless_json_line_is_reported_and_skipped_without_being_held(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    // Line 1: 40 MiB without a newline, gzip-compressed; line 2: a good record.
    let mut file = gzip_bomb(b"{\"url\":\"https://x.example/1\",\"body\":\"", 1);
    file.extend(gzip_bomb(&vec![b'a'; 1 << 20], 40));
    file.extend(gzip_bomb(
        b"\"}\n{\"url\":\"https://ok.example/2\",\"title\":\"Fine\",\"body\":\"Talks in Vienna.\"}\n",
        1,
    ));
    let path = dir.path().join("long.jsonl.gz");
    std::fs::write(&path, &file).expect("write");

    let report = crate::import::import(&pool, std::slice::from_ref(&path)).await;

    assert_eq!(report.new, 1, "{report:?}");
    assert_eq!(report.failed, 1);
    assert_eq!(report.failures[0].line, Some(1));
    assert!(
        report.failures[0]
            .reason
            .contains("line longer than 17 MiB"),
        "{:?}",
        report.failures[0]
    );
}

#[test]
fn a_database_that_is_not_utf8_is_refused_at_start_with_what_to_do() {
    let name = format!("newsgraph_ascii_{}", uuid::Uuid::new_v4().simple());
    crate::process::runtime().block_on(async {
        use sqlx::Connection as _;
        let mut admin = sqlx::PgConnection::connect(&crate::process::server_url_with_database(
            "postgres",
        ))
        .await
        .expect("the test server");
        sqlx::query(&format!(
            "CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        ))
        .execute(&mut admin)
        .await
        .expect("create database");
    });

    let output = crate::helpers::newsgraph()
        .arg("migrate")
        .env(
            "DATABASE_URL",
            crate::process::server_url_with_database(&name),
        )
        .output()
        .expect("newsgraph runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("uses the encoding SQL_ASCII"), "{stderr}");
    assert!(stderr.contains("ENCODING 'UTF8'"), "{stderr}");
}

#[test]
fn the_private_data_dir_and_its_lock_files_are_closed_to_other_users() {
    use std::os::unix::fs::PermissionsExt as _;
    let scratch = tempfile::Builder::new()
        .prefix("newsgraph-perms")
        .tempdir_in("/tmp")
        .expect("a scratch dir");
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let data_dir = scratch.path().join("data");
    // As an older version left it: world-readable, a lock file anyone could open.
    std::fs::create_dir(&data_dir).expect("mkdir");
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(data_dir.join("start.lock"), "").expect("a lock file");
    std::fs::set_permissions(
        data_dir.join("start.lock"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");

    let output = crate::helpers::newsgraph()
        .arg("migrate")
        .arg("--data-dir")
        .arg(&data_dir)
        .output()
        .expect("newsgraph runs");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mode = |name: &str| {
        std::fs::metadata(data_dir.join(name))
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    let dir = mode("");
    assert_eq!(dir & 0o066, 0, "nobody else lists or writes it: {dir:o}");
    for name in ["start.lock", "users.lock", "password", "log"] {
        let mode = mode(name);
        assert_eq!(mode & 0o077, 0, "{name} is {mode:o}");
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn concurrent_writes_of_the_same_urls_in_opposite_orders_both_succeed(pool: PgPool) {
    let app = app(pool);
    let article = |i: usize, round: usize| {
        serde_json::json!({
            "url": format!("https://race.example/{i}"),
            "title": format!("Round {round}"),
            "body": format!("Talks in Vienna, round {round}, item {i}."),
        })
    };
    let post = |items: Vec<serde_json::Value>| {
        let app = app.clone();
        async move {
            let request = Request::post("/v1/articles")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .body(Body::from(serde_json::Value::Array(items).to_string()))
                .expect("a request");
            send(&app, request).await
        }
    };

    for round in 0..5 {
        let forward: Vec<_> = (0..40).map(|i| article(i, round)).collect();
        let backward: Vec<_> = (0..40).rev().map(|i| article(i, round + 100)).collect();

        let (a, b) = tokio::join!(post(forward), post(backward));

        assert!(
            a.status.is_success(),
            "round {round}: {} {:?}",
            a.status,
            a.json()
        );
        assert!(
            b.status.is_success(),
            "round {round}: {} {:?}",
            b.status,
            b.json()
        );
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_page_of_long_bodies_ends_at_its_size_budget_and_goes_on_after(pool: PgPool) {
    four_long_articles(&pool).await;
    let app = app(pool);

    let first = get(&app, "/v1/articles?limit=10&fields=id,body").await;
    let page = first.json();
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = get(
        &app,
        &format!("/v1/articles?limit=10&fields=id,body&cursor={cursor}"),
    )
    .await
    .json();
    let export = get(&app, "/v1/articles/export?fields=id,body").await;

    assert_eq!(page["data"].as_array().expect("data").len(), 3);
    assert!(first.body.len() < 20 << 20, "{} bytes", first.body.len());
    assert_eq!(second["data"].as_array().expect("data").len(), 1);
    assert!(second["next_cursor"].is_null());
    assert_eq!(export.status, StatusCode::OK);
    let exported: Vec<&[u8]> = export
        .body
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(exported.len(), 4, "the export walks every page");
}

/// Four articles of 6 MiB each, written directly: a page of all four would hold 24 MiB.
async fn four_long_articles(pool: &PgPool) {
    sqlx::query("INSERT INTO sources (domain, name) VALUES ('long.example', 'Long')")
        .execute(pool)
        .await
        .expect("a source");
    sqlx::query(
        "INSERT INTO articles (id, url, title, body, published_at, source_id, content_hash, \
         extractor_version) \
         SELECT gen_random_uuid(), 'https://long.example/' || i, 'Long ' || i, \
                repeat('words of a long report ', 6 * 1024 * 1024 / 23), \
                '2024-01-01'::timestamptz + i * interval '1 day', \
                (SELECT id FROM sources WHERE domain = 'long.example'), \
                sha256(i::text::bytea), 'test' \
         FROM generate_series(1, 4) i",
    )
    .execute(pool)
    .await
    .expect("long articles");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_export_past_its_time_limit_ends_incomplete(pool: PgPool) {
    use tower::ServiceExt as _;
    four_long_articles(&pool).await;
    let config = HttpConfig {
        export_timeout: Duration::ZERO,
        ..HttpConfig::default()
    };
    let app = app_with(pool, config);

    let response = app
        .oneshot(
            Request::get("/v1/articles/export?fields=id,body")
                .body(Body::empty())
                .expect("a request"),
        )
        .await
        .expect("an answer");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;

    assert_eq!(
        status,
        StatusCode::OK,
        "the headers went out before the limit"
    );
    assert!(body.is_err(), "the body is cut off, not ended cleanly");
}

/// `GET /metrics` over the socket: the value of the series `name` (labels included).
fn metric(addr: SocketAddr, name: &str) -> Option<u64> {
    let (answer, _) = talk(
        addr,
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    answer.lines().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|value| value.trim().parse().ok())
    })
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_export_whose_client_goes_away_reads_no_further_page(pool: PgPool) {
    four_long_articles(&pool).await;
    let addr = listen(pool, HttpConfig::default()).await;
    let request = b"GET /v1/articles/export?fields=id,body HTTP/1.1\r\nHost: x\r\n\
                    Connection: close\r\n\r\n";

    // One export read to its end, then one whose client reads a little and hangs up while
    // the server still has pages to read (the first page holds three of the four articles).
    let whole = tokio::task::spawn_blocking(move || talk(addr, request))
        .await
        .expect("the whole export");
    let abandoned = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(request).expect("write");
        let mut start = [0_u8; 4096];
        stream
            .read_exact(&mut start)
            .expect("the start of the export");
        drop(stream);
        start
    })
    .await
    .expect("the abandoned export");
    let ended = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        loop {
            let abandoned = metric(addr, r#"newsgraph_exports_total{end="abandoned"}"#);
            if abandoned == Some(1) || started.elapsed() > Duration::from_secs(10) {
                return (
                    abandoned,
                    metric(addr, r#"newsgraph_exports_total{end="complete"}"#),
                    metric(addr, "newsgraph_exports_running"),
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .expect("the metrics");

    assert!(whole.0.starts_with("HTTP/1.1 200"), "{}", &whole.0[..200]);
    assert_eq!(
        whole.0.matches("\"id\"").count(),
        4,
        "every article went out"
    );
    assert!(abandoned.starts_with(b"HTTP/1.1 200"));
    assert_eq!(
        ended,
        (Some(1), Some(1), Some(0)),
        "(abandoned, complete, running)"
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn costly_routes_past_their_turns_are_shed_while_lookups_by_id_still_answer(pool: PgPool) {
    four_long_articles(&pool).await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM articles LIMIT 1")
        .fetch_one(&pool)
        .await
        .expect("an article");
    // A pool of one connection: costly routes get one turn, which an export keeps while its
    // client is slow to read (the server is blocked writing the first 18 MiB).
    let one = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*pool.connect_options()).clone())
        .await
        .expect("a pool of one");
    let addr = listen(one, HttpConfig::default()).await;
    let slow_reader = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .write_all(b"GET /v1/articles/export?fields=id,body HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("write");
        let mut start = [0_u8; 1024];
        stream
            .read_exact(&mut start)
            .expect("the start of the export");
        stream
    })
    .await
    .expect("the export started");
    let close = b"Host: x\r\nConnection: close\r\n\r\n";
    let lookup = format!("GET /v1/articles/{id} HTTP/1.1\r\n");
    let (shed, by_id) = tokio::task::spawn_blocking(move || {
        let shed = talk(
            addr,
            &[b"GET /v1/stats HTTP/1.1\r\n".as_slice(), close].concat(),
        );
        let by_id = talk(addr, &[lookup.as_bytes(), close].concat());
        (shed, by_id)
    })
    .await
    .expect("the requests");
    drop(slow_reader);
    let after = tokio::task::spawn_blocking(move || {
        talk(
            addr,
            &[b"GET /v1/stats HTTP/1.1\r\n".as_slice(), close].concat(),
        )
    })
    .await
    .expect("the stats after");

    assert!(shed.0.starts_with("HTTP/1.1 503"), "{}", shed.0);
    assert!(
        shed.0.to_ascii_lowercase().contains("retry-after: "),
        "{}",
        shed.0
    );
    assert!(shed.0.contains("\"overloaded\""), "{}", shed.0);
    assert!(
        shed.1 < Duration::from_secs(5),
        "refused after its bounded wait, not queued: {:?}",
        shed.1
    );
    assert!(by_id.0.starts_with("HTTP/1.1 200"), "{}", &by_id.0[..200]);
    assert!(after.0.starts_with("HTTP/1.1 200"), "{}", after.0);
}

#[test]
fn empty_variables_take_their_defaults_in_every_command() {
    // Before, each of these was "invalid value '' for ..." and exit 2.
    let mut command = crate::helpers::newsgraph();
    command
        .arg("extract")
        .env("NEWSGRAPH_LOG_FORMAT", "")
        .env("NEWSGRAPH_MODEL_DIR", "")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("newsgraph runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\"id\": 1, \"text\": \"Talks in Vienna.\"}\n")
        .expect("write");
    let output = child.wait_with_output().expect("it ends");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Vienna"));
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_article_the_database_refuses_does_not_stop_reextract(pool: PgPool) {
    crate::helpers::load_sample_and_fixture(&pool).await;
    // The database refuses the mentions of one article, whatever they are.
    let refused: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM articles ORDER BY id OFFSET 5 LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("an article");
    sqlx::query(&format!(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.article_id = '{refused}' THEN RAISE EXCEPTION 'refused for the test'; END IF; \
         RETURN NEW; END $$"
    ))
    .execute(&pool)
    .await
    .expect("a function");
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON mentions FOR EACH ROW EXECUTE FUNCTION refuse()",
    )
    .execute(&pool)
    .await
    .expect("a trigger");
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&pool)
        .await
        .expect("count");
    let options = newsgraph::ingest::ImportOptions {
        batch_size: 10,
        jobs: 2,
    };
    let run = || {
        newsgraph::ingest::reextract::reextract(
            &pool,
            extractor(),
            true,
            &options,
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        )
    };

    let first = run().await.expect("reextract goes on past the article");
    let second = run().await.expect("and so does the next run");

    for report in [&first, &second] {
        assert_eq!(report.failed, 1, "{report:?}");
        assert_eq!(report.reextracted as i64, total - 1, "{report:?}");
        assert!(report.failures[0].reason.contains("refused"), "{report:?}");
    }
    crate::helpers::assert_counts_consistent(&pool).await;
}

/// What `role` at `url` may do: (select, insert, create table, drop a table, truncate,
/// delete migration records), each true when it succeeded. Changes are rolled back.
async fn rights(url: &str) -> [bool; 6] {
    use sqlx::Connection as _;
    let mut connection = sqlx::PgConnection::connect(url)
        .await
        .expect("the role logs in");
    let mut tries = Vec::new();
    for statement in [
        "SELECT count(*) FROM articles",
        "INSERT INTO sources (domain, name) VALUES ('rights.example', 'x')",
        "CREATE TABLE intruder (x int)",
        "DROP TABLE mentions",
        "TRUNCATE articles CASCADE",
        "DELETE FROM _sqlx_migrations",
    ] {
        let mut tx = connection.begin().await.expect("a transaction");
        tries.push(sqlx::raw_sql(statement).execute(&mut *tx).await.is_ok());
        tx.rollback().await.expect("rollback");
    }
    tries.try_into().expect("six tries")
}

#[test]
fn the_private_database_is_served_by_a_role_that_only_reads_and_writes_rows() {
    let scratch = tempfile::Builder::new()
        .prefix("newsgraph-roles")
        .tempdir_in("/tmp")
        .expect("a scratch dir");
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let data_dir = scratch.path().join("data");
    let server = crate::helpers::Server::start(|c| {
        c.arg("--data-dir").arg(&data_dir);
    });
    let pid_file =
        std::fs::read_to_string(data_dir.join("pgdata/postmaster.pid")).expect("the cluster runs");
    let port: u16 = pid_file
        .lines()
        .nth(3)
        .expect("a port")
        .trim()
        .parse()
        .expect("a port");
    let password = |file: &str| {
        std::fs::read_to_string(data_dir.join(file))
            .expect("a password file")
            .trim()
            .to_owned()
    };
    let app = format!(
        "postgres://newsgraph_app:{}@127.0.0.1:{port}/newsgraph",
        password("app-password")
    );
    let owner = format!(
        "postgres://newsgraph:{}@127.0.0.1:{port}/newsgraph",
        password("password")
    );

    let (app_rights, owner_rights, served_as) = crate::process::runtime().block_on(async {
        use sqlx::Connection as _;
        let mut connection = sqlx::PgConnection::connect(&owner).await.expect("owner");
        let served_as: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT usename::text FROM pg_stat_activity WHERE application_name = 'newsgraph'",
        )
        .fetch_all(&mut connection)
        .await
        .expect("sessions");
        (rights(&app).await, rights(&owner).await, served_as)
    });
    let (stats, _) = crate::helpers::http_get(server.addr, "/v1/stats").expect("an answer");

    assert_eq!(stats, 200);
    assert_eq!(served_as, ["newsgraph_app"], "the server's sessions");
    assert_eq!(app_rights, [true, true, false, false, false, false]);
    assert_eq!(
        owner_rights,
        [true, true, true, true, true, true],
        "the test can tell"
    );
    assert!(server.terminate());
}

#[test]
fn with_an_owner_url_migrations_run_as_the_owner_and_the_service_role_is_made_for_rows() {
    let name = crate::process::fresh_database();
    let owner = crate::process::server_url_with_database(&name);
    let role = format!("app_{}", uuid::Uuid::new_v4().simple());
    // DATABASE_URL names a role that does not exist yet.
    let mut app = url::Url::parse(&owner).expect("a URL");
    app.set_username(&role).expect("a user");
    app.set_password(Some("s3cret pass")).expect("a password");
    let app = app.to_string();

    let migrate = crate::helpers::newsgraph()
        .arg("migrate")
        .env("DATABASE_URL", &app)
        .env("NEWSGRAPH_OWNER_DATABASE_URL", &owner)
        .output()
        .expect("newsgraph runs");
    // Then the service works with DATABASE_URL alone, on the migrated database.
    let import = crate::helpers::newsgraph()
        .arg("import")
        .arg(crate::helpers::fixture_path())
        .env("DATABASE_URL", &app)
        .output()
        .expect("newsgraph runs");
    let app_rights = crate::process::runtime().block_on(rights(&app));

    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert_eq!(app_rights, [true, true, false, false, false, false]);
}
