//! The real binary as a user runs it: the private cluster's lifecycle, an external database,
//! several processes at once, and bad configuration.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use sqlx::{Connection, PgConnection};
use tempfile::TempDir;

use crate::helpers::{Server, http_get, newsgraph, process_ends, process_exists};

/// A scratch directory the `postgres` user can enter (tempfile makes 0700 ones).
fn scratch_dir() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("newsgraph-test-")
        .tempdir_in("/tmp")
        .expect("a temporary directory");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// The URL of the test server (from DATABASE_URL) with another database name.
pub fn server_url_with_database(name: &str) -> String {
    let url = std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must point at a PostgreSQL server (scripts/test sets it)");
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base.to_owned(), format!("?{query}")),
        None => (url.clone(), String::new()),
    };
    let (server, _database) = base.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{name}{query}")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Pid and port of the private cluster's server, from its postmaster.pid.
fn postmaster(data_dir: &Path) -> (u32, u16) {
    let text = fs::read_to_string(data_dir.join("pgdata/postmaster.pid"))
        .expect("the private cluster runs");
    let lines: Vec<&str> = text.lines().collect();
    (
        lines[0].trim().parse().expect("a pid"),
        lines[3].trim().parse().expect("a port"),
    )
}

async fn connect_private(data_dir: &Path) -> PgConnection {
    let (_, port) = postmaster(data_dir);
    let password = fs::read_to_string(data_dir.join("password")).expect("the password file");
    let url = format!(
        "postgres://newsgraph:{}@127.0.0.1:{port}/newsgraph",
        password.trim()
    );
    PgConnection::connect(&url)
        .await
        .expect("the private cluster accepts its password")
}

fn assert_ready(server: &Server) {
    let (status, body) = http_get(server.addr, "/readyz").expect("the server answers");
    assert_eq!(status, 200, "readyz said {body}");
}

#[test]
fn serve_without_database_url_runs_a_private_cluster_that_stops_on_sigterm_and_keeps_data() {
    let scratch = scratch_dir();
    let data_dir = scratch.path().join("data");
    let first = Server::start(|c| {
        c.arg("--data-dir").arg(&data_dir);
    });
    assert_ready(&first);
    let (postgres_pid, _) = postmaster(&data_dir);
    runtime().block_on(async {
        let mut db = connect_private(&data_dir).await;
        sqlx::query("INSERT INTO sources (domain, name) VALUES ('kept.example', 'Kept')")
            .execute(&mut db)
            .await
            .expect("insert");
    });

    let (exited_cleanly, logs) = first.terminate_with_logs();

    assert!(exited_cleanly, "serve exits 0 on SIGTERM");
    assert!(
        logs.iter()
            .any(|line| line.contains("stopping the private PostgreSQL")),
        "{logs:?}"
    );
    assert!(process_ends(postgres_pid), "the private PostgreSQL is gone");
    let second = Server::start(|c| {
        c.arg("--data-dir").arg(&data_dir);
    });
    assert_ready(&second);
    let kept: i64 = runtime().block_on(async {
        let mut db = connect_private(&data_dir).await;
        sqlx::query_scalar("SELECT count(*) FROM sources WHERE domain = 'kept.example'")
            .fetch_one(&mut db)
            .await
            .expect("select")
    });
    assert_eq!(kept, 1, "the data survived the restart");
    assert!(second.terminate());
}

#[test]
fn a_second_command_shares_the_private_cluster_and_the_last_one_stops_it() {
    let scratch = scratch_dir();
    let data_dir = scratch.path().join("data");
    let server = Server::start(|c| {
        c.arg("--data-dir").arg(&data_dir);
    });
    let (postgres_pid, _) = postmaster(&data_dir);

    let migrate = newsgraph()
        .arg("migrate")
        .arg("--data-dir")
        .arg(&data_dir)
        .output()
        .expect("migrate runs");

    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(process_exists(postgres_pid), "serve still uses the cluster");
    assert_ready(&server);
    assert!(server.terminate());
    assert!(
        process_ends(postgres_pid),
        "the last user stopped the cluster"
    );
}

#[test]
fn serve_with_database_url_starts_no_private_cluster() {
    let scratch = scratch_dir();
    let data_dir: PathBuf = scratch.path().join("data");
    let url = server_url_with_database(&fresh_database());

    let server = Server::start(|c| {
        c.env("DATABASE_URL", &url).arg("--data-dir").arg(&data_dir);
    });

    assert_ready(&server);
    assert!(!data_dir.exists(), "no private cluster was created");
    assert!(server.terminate());
}

/// Creates an empty database on the test server and returns its name.
pub fn fresh_database() -> String {
    let name = format!("newsgraph_process_{}", uuid::Uuid::new_v4().simple());
    runtime().block_on(async {
        let mut admin = PgConnection::connect(&server_url_with_database("postgres"))
            .await
            .expect("the test server");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
    });
    name
}

#[test]
fn two_serve_processes_on_one_new_database_both_come_up() {
    let url = server_url_with_database(&fresh_database());

    let first = Server::start(|c| {
        c.env("DATABASE_URL", &url);
    });
    let second = Server::start(|c| {
        c.env("DATABASE_URL", &url);
    });

    assert_ready(&first);
    assert_ready(&second);
    assert!(first.terminate());
    assert!(second.terminate());
}

/// Runs newsgraph with the arguments and asserts it fails with a one-line reason containing
/// `expected`, and no panic.
fn assert_fails_with_one_line(args: &[&str], env: &[(&str, &str)], expected: &str) {
    let mut command = newsgraph();
    command.args(args).stdout(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }

    let output = command.output().expect("newsgraph runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} should fail");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    let reasons: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("newsgraph: error:") || line.starts_with("error:"))
        .collect();
    assert_eq!(reasons.len(), 1, "one reason for {args:?}: {stderr}");
    assert!(reasons[0].contains(expected), "{args:?}: {stderr}");
}

#[test]
fn an_unreachable_database_url_fails_with_one_line_naming_it() {
    assert_fails_with_one_line(
        &["serve", "--addr", "127.0.0.1:0"],
        &[("DATABASE_URL", "postgres://u:hunter2@127.0.0.1:1/db")],
        "cannot connect to the database at 127.0.0.1:1/db",
    );
}

#[test]
fn an_unreachable_database_url_never_shows_its_password() {
    for format in ["json", "human"] {
        let output = newsgraph()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("DATABASE_URL", "postgres://u:hunter2@127.0.0.1:1/db")
            .env("NEWSGRAPH_LOG_FORMAT", format)
            .env("RUST_LOG", "debug")
            .output()
            .expect("newsgraph runs");

        // The failure is reported, naming the database without its password: silence would
        // also contain no password.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{format}: {stderr}");
        assert!(
            stderr.contains("cannot connect to the database at 127.0.0.1:1/db"),
            "{format}: {stderr}"
        );
        assert!(!stderr.contains("hunter2"), "{format}: {stderr}");
        assert!(!stdout.contains("hunter2"), "{format}: {stdout}");
    }
}

#[test]
fn a_port_in_use_fails_with_one_line_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();

    assert_fails_with_one_line(
        &["serve", "--addr", &addr],
        &[],
        &format!("cannot listen on {addr}"),
    );
}

#[test]
fn a_data_dir_that_cannot_be_written_fails_with_one_line_naming_it() {
    let scratch = scratch_dir();
    let file = scratch.path().join("a-file");
    fs::write(&file, "not a directory").expect("write");
    let data_dir = file.join("data");
    let data_dir = data_dir.to_str().expect("UTF-8 path");

    assert_fails_with_one_line(
        &["serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir],
        &[],
        "data dir",
    );
}

#[test]
fn an_invalid_addr_fails_with_one_line_naming_it() {
    assert_fails_with_one_line(&["serve", "--addr", "nonsense"], &[], "--addr");
}
