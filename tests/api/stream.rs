//! The live stream (`GET /v1/articles/stream`): matching articles arrive as they are
//! committed, by this process or any other, in feed order; a reconnect with `Last-Event-ID`
//! gets what it missed; shutdown ends streams.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::cluster::Cluster;
use crate::helpers::{Server, TOKEN, app, fixture_path, newsgraph, send, serve_on_loopback};
use crate::process::{fresh_database, server_url_with_database};

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    id: String,
    event: String,
    data: Value,
}

/// A client reading a stream over a real socket.
struct Subscriber {
    reader: BufReader<TcpStream>,
}

impl Subscriber {
    /// Opens `path` with these extra headers and reads the response head (status 200).
    fn open(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Self {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .expect("a read timeout");
        let mut request =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).expect("a status line");
        assert!(status.contains(" 200 "), "{status}");
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a header");
            if line == "\r\n" {
                break;
            }
            head.push_str(&line.to_ascii_lowercase());
        }
        assert!(head.contains("content-type: text/event-stream"), "{head}");
        Self { reader }
    }

    /// The next event (keep-alive comments and chunk sizes skipped); panics after 15 s.
    fn next(&mut self) -> Sse {
        let mut fields: Vec<(String, String)> = Vec::new();
        loop {
            let mut line = String::new();
            let read = self
                .reader
                .read_line(&mut line)
                .expect("the stream goes on");
            assert!(read > 0, "the stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some((name, value)) = line.split_once(": ")
                && ["id", "event", "data"].contains(&name)
            {
                fields.push((name.to_owned(), value.to_owned()));
                continue;
            }
            // A blank line ends an event; a chunk size line or a comment is skipped.
            if line.is_empty() && fields.iter().any(|(name, _)| name == "data") {
                let get = |wanted: &str| {
                    fields
                        .iter()
                        .find(|(name, _)| name == wanted)
                        .map(|(_, value)| value.clone())
                        .unwrap_or_default()
                };
                return Sse {
                    id: get("id"),
                    event: get("event"),
                    data: serde_json::from_str(&get("data")).expect("JSON data"),
                };
            }
        }
    }
}

async fn post(app: &axum::Router, url: &str, title: &str, body: &str) {
    let article =
        json!({"url": url, "title": title, "body": body, "published_at": "2024-05-01T09:00:00Z"});
    let request = Request::post("/v1/articles")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(article.to_string()))
        .expect("a request");
    let response = send(app, request).await;
    assert!(response.status.is_success(), "{:?}", response.json());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_stream_sends_each_matching_article_once_in_commit_order_and_resumes_after_an_event_id(
    pool: PgPool,
) {
    let app = app(pool.clone());
    let addr = serve_on_loopback(app.clone(), Duration::from_secs(30)).await;
    // Stored before the stream opens: sent only to a stream resuming from before it.
    post(
        &app,
        "https://live.example/0",
        "Volcano watch",
        "Scientists watch a volcano in Iceland.",
    )
    .await;
    let matching = tokio::task::spawn_blocking(move || {
        let mut subscriber =
            Subscriber::open(addr, "/v1/articles/stream?q=volcano&entity=iceland", &[]);
        [subscriber.next(), subscriber.next(), subscriber.next()]
    });
    // The subscriber is listening once the server counts its stream.
    wait_for_streams(&app, 1).await;

    post(
        &app,
        "https://live.example/1",
        "Volcano erupts",
        "A volcano erupted in Iceland on Monday.",
    )
    .await;
    post(
        &app,
        "https://live.example/2",
        "Markets calm",
        "Markets in Iceland were calm on Monday.",
    )
    .await;
    post(
        &app,
        "https://live.example/3",
        "Volcano quiet",
        "The volcano in Iceland was quiet on Tuesday.",
    )
    .await;
    post(
        &app,
        "https://live.example/4",
        "Volcano report",
        "A report on the volcano in Iceland.",
    )
    .await;
    let [first, second, third] = matching.await.expect("the subscriber");
    let resumed = tokio::task::spawn_blocking(move || {
        let mut subscriber = Subscriber::open(
            addr,
            "/v1/articles/stream?q=volcano",
            &[("Last-Event-ID", "0")],
        );
        [subscriber.next(), subscriber.next(), subscriber.next()]
    })
    .await
    .expect("the resumed subscriber");

    assert_eq!(first.event, "article");
    assert_eq!(first.data["url"], "https://live.example/1");
    assert_eq!(second.data["url"], "https://live.example/3");
    // The next event is the next match: nothing was sent twice.
    assert_eq!(third.data["url"], "https://live.example/4");
    assert!(first.data.get("body").is_none(), "no body unless asked for");
    let (a, b): (i64, i64) = (
        first.id.parse().expect("a number"),
        second.id.parse().expect("a number"),
    );
    assert!(a < b, "feed order");
    assert_eq!(resumed[0].data["url"], "https://live.example/0");
    assert_eq!(resumed[1..], [first, second]);
}

/// Waits until `/metrics` counts `open` live streams.
async fn wait_for_streams(app: &axum::Router, open: usize) {
    let wanted = format!("newsgraph_streams_open {open}\n");
    let started = Instant::now();
    loop {
        let metrics = crate::helpers::get(app, "/metrics").await;
        if String::from_utf8_lossy(&metrics.body).contains(&wanted) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no stream opened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads events until one carries `url`, within the subscriber's timeout.
fn wait_for(subscriber: &mut Subscriber, url: &str) -> Sse {
    loop {
        let event = subscriber.next();
        if event.data["url"] == url {
            return event;
        }
    }
}

#[test]
fn an_import_by_another_process_reaches_the_streams_of_two_serve_processes() {
    let url = server_url_with_database(&fresh_database());
    let first = Server::start(|c| {
        c.env("DATABASE_URL", &url);
    });
    let second = Server::start(|c| {
        c.env("DATABASE_URL", &url);
    });
    let mut streams: Vec<Subscriber> = [first.addr, second.addr]
        .into_iter()
        .map(|addr| Subscriber::open(addr, "/v1/articles/stream?q=budget", &[]))
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let started = Instant::now();
    let imported = newsgraph()
        .arg("import")
        .arg(fixture_path())
        .env("DATABASE_URL", &url)
        .status()
        .expect("the import runs");
    let events: Vec<Sse> = streams
        .iter_mut()
        .map(|stream| {
            wait_for(
                stream,
                "https://news.example.org/2024/03/14/bulgaria-budget-vote",
            )
        })
        .collect();

    assert!(imported.success());
    assert_eq!(events[0], events[1]);
    assert!(started.elapsed() < Duration::from_secs(15));
    let terminated = Instant::now();
    assert!(
        first.terminate(),
        "a server with an open stream shuts down cleanly"
    );
    assert!(
        terminated.elapsed() < Duration::from_secs(5),
        "open streams end at shutdown"
    );
    assert!(second.terminate());
}

#[test]
fn a_serve_on_a_streaming_standby_streams_what_an_import_on_the_primary_stores() {
    let cluster = Cluster::start(&[""]);
    let (primary, standby) = (cluster.url(0), cluster.url(1));
    let import = |path: &Path| {
        let status = newsgraph()
            .arg("import")
            .arg(path)
            .env("DATABASE_URL", &primary)
            .status()
            .expect("the import runs");
        assert!(status.success());
    };
    import(&fixture_path());
    let server = Server::start(|c| {
        c.env("DATABASE_URL", &standby);
    });
    let mut stream = Subscriber::open(server.addr, "/v1/articles/stream", &[]);
    // Shorter than the keep-alive interval: a stream that never delivers fails the test
    // instead of idling on its comments.
    stream
        .reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(12)))
        .expect("a read timeout");
    let file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("a file");
    std::fs::write(
        file.path(),
        r#"{"url": "https://replica.example/1", "title": "Talks in Geneva", "body": "Diplomats from Canada met in Geneva."}"#,
    )
    .expect("written");

    let started = Instant::now();
    import(file.path());
    let event = wait_for(&mut stream, "https://replica.example/1");

    // A standby refuses LISTEN: the feed is read every few seconds instead.
    assert_eq!(event.event, "article");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "delivered after {:?}",
        started.elapsed()
    );
    let (stopped, logs) = server.terminate_with_logs();
    assert!(stopped);
    let refused = logs
        .iter()
        .filter(|line| line.contains("cannot listen for stored articles"))
        .count();
    assert_eq!(refused, 1, "the refusal is logged once, not per retry");
}
