//! The command line: every option has an environment variable (`NEWSGRAPH_*`, or
//! `DATABASE_URL`) and a documented default, and shows up in `--help`.
//!
//! This module only describes and parses settings; it opens no connection and reads no file.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

/// newsgraph: news articles in, people, places and organizations out, as a JSON API.
///
/// Without DATABASE_URL every command that needs a database starts a private PostgreSQL
/// cluster in --data-dir from the PostgreSQL server binaries installed on this machine.
#[derive(Debug, Parser)]
#[command(name = "newsgraph", version, max_term_width = 100)]
pub struct Cli {
    /// Log format: human-readable lines or one JSON object per line.
    #[arg(long, env = "NEWSGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written (to stderr). The level is set with RUST_LOG (default `info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the JSON API (runs pending migrations first).
    Serve(ServeArgs),
    /// Run pending database migrations and exit.
    Migrate(DatabaseArgs),
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL, e.g. postgres://user:password@host:5432/newsgraph. When unset,
    /// newsgraph starts (and stops) a private cluster in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = parse_secret)]
    pub database_url: Option<SecretString>,

    /// Directory of the private PostgreSQL cluster, used only when DATABASE_URL is unset. It is
    /// created on first use and keeps its data across runs.
    #[arg(long, env = "NEWSGRAPH_DATA_DIR", default_value = ".newsgraph")]
    pub data_dir: PathBuf,

    /// Maximum number of database connections this process opens.
    #[arg(long, env = "NEWSGRAPH_DB_MAX_CONNECTIONS", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,

    /// Longest a single SQL statement may run, in seconds; longer ones are cancelled by the
    /// server.
    #[arg(long, env = "NEWSGRAPH_DB_STATEMENT_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub db_statement_timeout: u64,
}

impl DatabaseArgs {
    /// The statement timeout as a duration.
    pub fn statement_timeout(&self) -> Duration {
        Duration::from_secs(self.db_statement_timeout)
    }
}

/// Options of `newsgraph serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Use 0.0.0.0:8080 to accept connections from other hosts
    /// (as in the container image).
    #[arg(long, env = "NEWSGRAPH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Longest a request may take, in seconds, before it is answered 503.
    #[arg(long, env = "NEWSGRAPH_REQUEST_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,

    /// Where the data lives.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl ServeArgs {
    /// The request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout)
    }
}

fn parse_secret(value: &str) -> Result<SecretString, String> {
    if value.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    Ok(SecretString::from(value.to_owned()))
}
