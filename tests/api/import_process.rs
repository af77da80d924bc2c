//! `newsgraph import` as a user runs it: exit statuses, reports, standard input, and
//! interruptions (Ctrl-C, kill -9) followed by a re-run that completes the job.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{Connection, PgConnection};

use crate::helpers::{assert_counts_consistent, newsgraph, send_signal, shared_file};
use crate::process::{fresh_database, runtime, server_url_with_database};

fn import_command(url: &str) -> Command {
    let mut command = newsgraph();
    command.env("DATABASE_URL", url).arg("import");
    command
}

fn json_report(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).expect("--report json writes one JSON object")
}

async fn count(url: &str, sql: &str) -> i64 {
    let mut db = PgConnection::connect(url).await.expect("connect");
    sqlx::query_scalar(sql)
        .fetch_one(&mut db)
        .await
        .expect("count")
}

/// The first `n` articles of the Reuters benchmark corpus, as a JSON Lines file; `None` when
/// ../shared lacks the corpus and the test is skipped.
fn reuters_subset(dir: &Path, n: usize) -> Option<std::path::PathBuf> {
    let corpus =
        fs::read_to_string(shared_file("corpus/bench/reuters21578_1987.jsonl")?).expect("read");
    let path = dir.join("reuters.jsonl");
    let lines: Vec<&str> = corpus.lines().take(n).collect();
    fs::write(&path, lines.join("\n")).expect("write");
    Some(path)
}

#[test]
fn import_exits_0_when_all_records_are_imported_and_2_when_some_fail() {
    let url = server_url_with_database(&fresh_database());
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.jsonl");
    fs::write(
        &good,
        r#"{"url":"https://p.example/1","title":"T","body":"A story about Lagos."}"#,
    )
    .expect("write");
    let mixed = dir.path().join("mixed.jsonl");
    fs::write(
        &mixed,
        "{\"url\":\"https://p.example/2\",\"body\":\"About Accra.\"}\n{broken\n",
    )
    .expect("write");

    let ok = import_command(&url)
        .arg(&good)
        .args(["--report", "json"])
        .output()
        .expect("runs");
    let partial = import_command(&url)
        .arg(&mixed)
        .args(["--report", "json"])
        .output()
        .expect("runs");

    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(json_report(&ok.stdout)["new"], 1);
    assert_eq!(partial.status.code(), Some(2));
    let report = json_report(&partial.stdout);
    assert_eq!(report["new"], 1);
    assert_eq!(report["failed"], 1);
    assert_eq!(report["failures"][0]["line"], 2);
    assert!(String::from_utf8_lossy(&partial.stderr).contains("mixed.jsonl:2: invalid JSON"));
}

#[test]
fn import_reads_standard_input_and_tells_the_format_by_content() {
    let url = server_url_with_database(&fresh_database());
    let mut child = import_command(&url)
        .args(["-", "--report", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            b"date 2024-05-01 https://stdin.example/1\n\nFrom stdin\n\nA story filed in Manila.\n",
        )
        .expect("write stdin");

    let output = child.wait_with_output().expect("exits");

    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json_report(&output.stdout)["new"], 1);
}

#[test]
fn an_import_stopped_by_ctrl_c_commits_whole_batches_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(input) = reuters_subset(dir.path(), 1500) else {
        return;
    };
    let url = server_url_with_database(&fresh_database());
    let mut child = import_command(&url)
        .arg(&input)
        .args(["--batch-size", "50", "--report", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    wait_for_articles(&url, &mut child);

    send_signal(child.id(), "INT");
    let interrupted = child.wait_with_output().expect("exits");

    assert_eq!(interrupted.status.code(), Some(130));
    let report = json_report(&interrupted.stdout);
    assert_eq!(report["interrupted"], true);
    let stored = runtime().block_on(count(&url, "SELECT count(*) FROM articles"));
    assert!(
        stored < 1500 && stored % 50 == 0,
        "whole batches only: {stored}"
    );
    assert_resumes(&url, &input, stored);
}

#[test]
fn an_import_killed_mid_run_leaves_the_database_consistent_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(input) = reuters_subset(dir.path(), 1500) else {
        return;
    };
    let url = server_url_with_database(&fresh_database());
    let mut child = import_command(&url)
        .arg(&input)
        .args(["--batch-size", "50"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    wait_for_articles(&url, &mut child);

    send_signal(child.id(), "KILL");
    child.wait().expect("exits");

    let stored = runtime().block_on(count(&url, "SELECT count(*) FROM articles"));
    assert!(stored < 1500, "killed before the end: {stored}");
    assert_resumes(&url, &input, stored);
}

fn wait_for_articles(url: &str, child: &mut std::process::Child) {
    let started = Instant::now();
    loop {
        let stored = runtime().block_on(async {
            match PgConnection::connect(url).await {
                Ok(mut db) => sqlx::query_scalar::<_, i64>("SELECT count(*) FROM articles")
                    .fetch_one(&mut db)
                    .await
                    .unwrap_or(0),
                Err(_) => 0,
            }
        });
        if stored > 0 {
            return;
        }
        assert!(
            child.try_wait().expect("status").is_none(),
            "the import ended before the test could stop it"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no batch committed in 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Re-runs the import and checks that it completes the job without duplicating anything.
fn assert_resumes(url: &str, input: &Path, stored_before: i64) {
    let rerun = import_command(url)
        .arg(input)
        .args(["--report", "json"])
        .output()
        .expect("runs");

    assert_eq!(
        rerun.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let report = json_report(&rerun.stdout);
    assert_eq!(report["unchanged"].as_i64(), Some(stored_before));
    assert_eq!(report["new"].as_i64(), Some(1500 - stored_before));
    runtime().block_on(async {
        assert_eq!(count(url, "SELECT count(*) FROM articles").await, 1500);
        assert_eq!(
            count(url, "SELECT count(DISTINCT url) FROM articles").await,
            1500
        );
        let pool = sqlx::PgPool::connect(url).await.expect("pool");
        assert_counts_consistent(&pool).await;
    });
}
