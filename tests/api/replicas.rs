//! The read/write split with real streaming standbys: `newsgraph serve` with
//! `--read-database-url`, a primary and two standbys made by `pg_basebackup -R`, and
//! standbys delayed, stopped, restarted and promoted while clients read and write.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::helpers::{Server, TOKEN, fixture_path, http_get, http_request, newsgraph};

/// Imports the test fixture into the primary with `newsgraph import`.
fn import_fixture(cluster: &Cluster) {
    let status = newsgraph()
        .arg("import")
        .arg(fixture_path())
        .env("DATABASE_URL", cluster.url(0))
        .status()
        .expect("the import runs");
    assert!(status.success());
}

/// A primary and a standby per entry of `standbys` (extra settings each), the fixture
/// imported into the primary, and `serve` reading from every standby, all in rotation.
fn split(standbys: &[&str], max_lag: u64) -> (Cluster, Server) {
    let cluster = Cluster::start(standbys);
    import_fixture(&cluster);
    let server = split_server(&cluster, standbys.len(), max_lag);
    assert!(
        wait_for_standbys(server.addr, Duration::from_secs(10), all_in_rotation),
        "{:?}",
        self::standbys(server.addr)
    );
    (cluster, server)
}

/// `serve` on the primary, reading from every standby of `cluster`.
fn split_server(cluster: &Cluster, standbys: usize, max_lag: u64) -> Server {
    Server::start(|command| {
        command
            .env("DATABASE_URL", cluster.url(0))
            .env("NEWSGRAPH_WRITE_TOKENS", format!("test:{TOKEN}"))
            .args(["--read-max-lag", &max_lag.to_string()]);
        for server in 1..=standbys {
            command.args(["--read-database-url", &cluster.url(server)]);
        }
    })
}

fn get_json(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (status, body) = http_get(addr, path).expect("an answer");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// The standbys `/readyz` lists.
fn standbys(addr: SocketAddr) -> Vec<Value> {
    let (status, body) = get_json(addr, "/readyz");
    assert_eq!(status, 200, "{body}");
    body["standbys"].as_array().expect("standbys").clone()
}

/// Waits (at most `within`) until `check` holds for the standbys `/readyz` lists.
fn wait_for_standbys(addr: SocketAddr, within: Duration, check: impl Fn(&[Value]) -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if check(&standbys(addr)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn all_in_rotation(standbys: &[Value]) -> bool {
    standbys
        .iter()
        .all(|standby| standby["in_rotation"] == true)
}

/// A metric's value in `/metrics`, by its full name with labels.
fn metric(addr: SocketAddr, series: &str) -> f64 {
    let (status, text) = http_get(addr, "/metrics").expect("an answer");
    assert_eq!(status, 200);
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("{series} in /metrics"))
}

/// POSTs one article whose title holds `word`, returning its id.
fn post_article(addr: SocketAddr, number: usize, word: &str) -> String {
    let article = json!({
        "url": format!("https://split.example/{number}"),
        "title": format!("Talks on the {word} accord"),
        "body": format!("Diplomats from Canada met in Geneva to discuss the {word} accord."),
    });
    let (status, _, body) = http_request(
        addr,
        "POST",
        "/v1/articles",
        &[
            ("Authorization", &format!("Bearer {TOKEN}")),
            ("Content-Type", "application/json"),
        ],
        &article.to_string(),
    )
    .expect("an answer");
    assert_eq!(status, 201, "{body}");
    let stored: Value = serde_json::from_str(&body).expect("JSON");
    stored["id"].as_str().expect("an id").to_owned()
}

/// A made-up word per number, one the sample never holds ("split" + letters for digits).
fn word(number: usize) -> String {
    let letters: String = number
        .to_string()
        .bytes()
        .map(|digit| char::from(b'a' + (digit - b'0')))
        .collect();
    format!("splitword{letters}")
}

#[test]
fn reads_go_to_the_standbys_and_a_client_reads_its_own_writes_at_once() {
    // The second standby applies every commit two seconds late: a read that went to it right
    // after a write would miss the write.
    let (_cluster, server) = split(&["", "recovery_min_apply_delay = '2s'"], 30);

    let mut missed = Vec::new();
    for number in 0..12 {
        let word = word(number);
        let id = post_article(server.addr, number, &word);
        let (article, _) = get_json(server.addr, &format!("/v1/articles/{id}"));
        let (entities, _) = get_json(server.addr, &format!("/v1/articles/{id}/entities"));
        let (_, search) = get_json(server.addr, &format!("/v1/articles?q={word}"));
        let found = search["data"]
            .as_array()
            .is_some_and(|data| data.iter().any(|row| row["id"] == id.as_str()));
        if article != 200 || entities != 200 || !found {
            missed.push((number, article, entities, found));
        }
    }
    std::thread::sleep(Duration::from_secs(3));
    for _ in 0..40 {
        assert_eq!(get_json(server.addr, "/v1/articles?limit=5").0, 200);
    }

    assert!(
        missed.is_empty(),
        "reads missed their own writes: {missed:?}"
    );
    for target in ["replica-1", "replica-2"] {
        let reads = metric(
            server.addr,
            &format!("newsgraph_reads_total{{target=\"{target}\"}}"),
        );
        assert!(reads >= 10.0, "{target} served {reads} reads");
    }
    assert!(server.terminate());
}

#[test]
fn a_standby_further_behind_than_the_allowed_lag_is_taken_out_and_comes_back() {
    let (_cluster, server) = split(&["", "recovery_min_apply_delay = '3s'"], 1);

    post_article(server.addr, 1, &word(1));
    let behind = wait_for_standbys(server.addr, Duration::from_secs(5), |standbys| {
        standbys[1]["out_because"] == "behind" && standbys[0]["in_rotation"] == true
    });
    let back = wait_for_standbys(server.addr, Duration::from_secs(10), all_in_rotation);

    assert!(behind, "{:?}", standbys(server.addr));
    assert!(back, "{:?}", standbys(server.addr));
    assert!(server.terminate());
}

/// Paths a dashboard and an analyst read, in turn.
const READS: [&str; 8] = [
    "/v1/articles?limit=5",
    "/v1/articles?q=minister",
    "/v1/entities?q=canada",
    "/v1/entities?limit=5&sort=-article_count",
    "/v1/articles/timeline?interval=month",
    "/v1/articles/facets?limit=3",
    "/v1/stats",
    "/v1/sources",
];

#[test]
fn no_read_fails_while_a_standby_is_stopped_and_restarted_and_another_is_promoted() {
    let (cluster, server) = split(&["", ""], 5);
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..4)
        .map(|reader| {
            let (stop, answered) = (Arc::clone(&stop), Arc::clone(&answered));
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                let mut turn = reader;
                while !stop.load(Ordering::Relaxed) {
                    let path = READS[turn % READS.len()];
                    turn += 1;
                    match http_get(addr, path) {
                        Ok((200, _)) => {
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((status, body)) => failures.push(format!("{path}: {status} {body}")),
                        Err(error) => failures.push(format!("{path}: {error}")),
                    }
                }
                failures
            })
        })
        .collect();

    std::thread::sleep(Duration::from_secs(1));
    cluster.stop_server(1);
    let out = wait_for_standbys(addr, Duration::from_secs(5), |standbys| {
        standbys[0]["out_because"] == "unreachable"
    });
    std::thread::sleep(Duration::from_secs(1));
    cluster.start_server(1);
    let back = wait_for_standbys(addr, Duration::from_secs(15), |standbys| {
        standbys[0]["in_rotation"] == true
    });
    cluster.promote(2);
    let promoted = wait_for_standbys(addr, Duration::from_secs(10), |standbys| {
        standbys[1]["out_because"] == "not a standby"
    });
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let failures: Vec<String> = readers
        .into_iter()
        .flat_map(|reader| reader.join().expect("the reader ends"))
        .collect();

    assert!(
        failures.is_empty(),
        "{} failed, the first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(out && back && promoted, "{:?}", standbys(addr));
    assert!(answered.load(Ordering::Relaxed) > 100);
    let replica_reads = metric(addr, "newsgraph_reads_total{target=\"replica-1\"}")
        + metric(addr, "newsgraph_reads_total{target=\"replica-2\"}");
    assert!(
        replica_reads > 50.0,
        "{replica_reads} reads on the standbys"
    );
    assert!(server.terminate());
}

#[test]
fn a_write_sent_to_a_server_on_a_standby_is_refused_with_a_clear_503() {
    let cluster = Cluster::start(&[""]);
    import_fixture(&cluster);
    let server = Server::start(|command| {
        command
            .env("DATABASE_URL", cluster.url(1))
            .env("NEWSGRAPH_WRITE_TOKENS", format!("test:{TOKEN}"));
    });

    let (status, _, body) = http_request(
        server.addr,
        "POST",
        "/v1/articles",
        &[
            ("Authorization", &format!("Bearer {TOKEN}")),
            ("Content-Type", "application/json"),
        ],
        r#"{"url":"https://standby.example/1","title":"T","body":"Talks in Vienna."}"#,
    )
    .expect("an answer");

    assert_eq!(status, 503, "{body}");
    let problem: Value = serde_json::from_str(&body).expect("a problem document");
    assert_eq!(problem["code"], "database_read_only");
    assert!(server.terminate());
}

#[test]
fn reads_go_on_from_the_standby_while_the_primary_is_down() {
    let (cluster, server) = split(&[""], 5);
    for path in READS {
        assert_eq!(get_json(server.addr, path).0, 200, "{path}");
    }

    cluster.stop_server(0);
    std::thread::sleep(Duration::from_secs(1));
    let answers: Vec<(&str, u16)> = READS
        .iter()
        .map(|path| (*path, get_json(server.addr, path).0))
        .collect();
    let (ready, _) = get_json(server.addr, "/readyz");

    assert!(
        answers.iter().all(|(_, status)| *status == 200),
        "{answers:?}"
    );
    assert_eq!(ready, 503, "not ready for writes without the primary");
    assert!(server.terminate());
}
