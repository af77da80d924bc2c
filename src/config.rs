//! The command line: every option has an environment variable (`NEWSGRAPH_*`, or
//! `DATABASE_URL`) and a documented default, and shows up in `--help`.
//!
//! This module only describes and parses settings; it opens no connection and reads no file.
//!
//! Over 400 lines because every option of every subcommand is here with its `///` doc (what
//! `--help` prints), its variable and its default: one place to read them all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
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

impl Cli {
    /// Parses the command line and the environment, exiting with clap's message on an error.
    ///
    /// A variable set to the empty string (or to spaces) counts as unset: Compose files and
    /// `.env` files write `NAME=` or `${NAME:-}` for "not set", and a setting left empty there
    /// must take its default rather than fail as an invalid value.
    pub fn from_env_and_args() -> Self {
        let command = unset_empty(Self::command(), &|name| std::env::var_os(name));
        let matches = command.get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}

/// `command` with the environment variable of every argument that `lookup` finds empty
/// taken away, in every subcommand.
fn unset_empty(
    command: clap::Command,
    lookup: &dyn Fn(&std::ffi::OsStr) -> Option<std::ffi::OsString>,
) -> clap::Command {
    command
        .mut_args(|arg| {
            let empty = arg
                .get_env()
                .and_then(lookup)
                .is_some_and(|value| value.to_string_lossy().trim().is_empty());
            if empty { arg.env(None) } else { arg }
        })
        .mut_subcommands(|sub| unset_empty(sub, lookup))
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
    /// Import articles from files, directories or standard input, extracting their entities.
    ///
    /// Formats (by extension, else by content): the seed text format (.txt), JSON Lines
    /// (.jsonl, .ndjson), JSON arrays (.json), RSS 2.0 and Atom (.xml, .rss, .atom), and
    /// any of these gzip-compressed (.gz). Importing the same input again changes nothing.
    /// Exit status: 0 when every record was imported, 2 when some failed (each is reported
    /// with its file, line and reason), 130 when interrupted, 1 on a fatal error.
    Import(ImportArgs),
    /// Extract entities again for stored articles whose extractor version differs from the
    /// current model's (after a model upgrade).
    Reextract(ReextractArgs),
    /// Resolve every stored article's entities again with the current engine and rules.
    ///
    /// Extracts every article again, links its entities across articles, and retires the
    /// entities no article names any more: each one's id and slug then answer 301 with the
    /// entity that took most of its mentions, and its names become that entity's aliases.
    /// Run it after an upgrade that changes how entities are resolved. Running it again
    /// changes nothing but the rare articles whose links rest on each other within one page
    /// of the run. Exit status: 0, 2 when some articles failed, 130 when interrupted.
    Resolve(ResolveArgs),
    /// Curate entities by hand: merge, split, edit, suppress, undo, or apply a file of such
    /// changes.
    ///
    /// Every change is one transaction and one row of the change log (GET /v1/changes), and
    /// a rule that later imports, `reextract` and `resolve` apply again. Exit status: 0 when
    /// the change was made (or there was nothing to change), 2 when it was refused (the
    /// message says why), 1 on any other error.
    Entity(EntityArgs),
    /// Extract entities from JSON Lines without a database.
    ///
    /// Input: one {"id": ..., "text": "...", "title": "..."} per line (title optional).
    /// Output: one {"id": ..., "entities": [{"start", "end", "type", "text", "canonical",
    /// "confidence"}]} per input line, offsets in Unicode code points into `text`. `type`
    /// is the type of the name as written and `canonical` what it stands for: a country's
    /// name standing for its national team is a `place` with the team as its canonical
    /// name. A malformed line is reported on stderr with its line number and answered with
    /// an empty entity list and an "error" field; the other lines go through, and the exit
    /// status stays 0.
    Extract(ExtractArgs),
    /// Check that a `newsgraph serve` on this machine is ready (GET /readyz answers 200), for
    /// container health checks: exit 0 when it is, 1 otherwise.
    Healthcheck(HealthcheckArgs),
}

/// Options of `newsgraph entity`.
#[derive(Debug, Clone, Args)]
pub struct EntityArgs {
    /// The change.
    #[command(subcommand)]
    pub change: EntityChange,

    /// Who makes the change, as the change log records it.
    #[arg(long, env = "NEWSGRAPH_ACTOR", default_value = "cli", global = true)]
    pub actor: String,

    /// Why, for the change log.
    #[arg(long, global = true)]
    pub reason: Option<String>,

    /// Extraction threads for the articles an undo resolves again.
    #[arg(long, env = "NEWSGRAPH_JOBS", global = true,
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,

    /// The model an undo resolves articles with.
    #[command(flatten)]
    pub model: ModelArgs,

    /// Where the data lives.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// One curation change. Entities are named by id, slug or Wikidata id.
#[derive(Debug, Clone, Subcommand)]
pub enum EntityChange {
    /// Merge entities into one: their mentions, aliases and counts move to it, their ids and
    /// slugs redirect to it, and later imports store them as it.
    Merge {
        /// The entity that stays.
        #[arg(long, value_name = "ENTITY")]
        into: String,
        /// The entities merged into it.
        #[arg(required = true, value_name = "ENTITY")]
        entities: Vec<String>,
    },
    /// Send the mentions of an entity with these aliases (or at these places) to another
    /// entity: an existing one (--into) or a new one (--name, --type).
    Split {
        /// The entity split.
        entity: String,
        /// An alias whose mentions go (repeatable).
        #[arg(long = "alias", value_name = "ALIAS")]
        aliases: Vec<String>,
        /// One mention that goes, as ARTICLE_ID:FIELD:START (repeatable), e.g.
        /// 0192…:body:120.
        #[arg(long = "mention", value_name = "ARTICLE:FIELD:START")]
        mentions: Vec<String>,
        /// The existing entity they go to.
        #[arg(long, value_name = "ENTITY")]
        into: Option<String>,
        /// The new entity's name (default: the first alias).
        #[arg(long)]
        name: Option<String>,
        /// The new entity's type (default: the split entity's).
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
    },
    /// Change an entity's name, type, Wikidata id or aliases.
    Edit {
        /// The entity.
        entity: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new type: person, place or organization.
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
        /// A new Wikidata id, or `none` to remove it.
        #[arg(long, value_name = "QID")]
        wikidata_id: Option<String>,
        /// An alias to add (repeatable).
        #[arg(long = "add-alias", value_name = "ALIAS")]
        add_aliases: Vec<String>,
        /// An alias to remove and keep out (repeatable).
        #[arg(long = "remove-alias", value_name = "ALIAS")]
        remove_aliases: Vec<String>,
    },
    /// Declare a name not an entity (of one type, or of any): its mentions go, and imports
    /// do not create it again.
    Suppress {
        /// The name.
        name: String,
        /// Only for this type: person, place or organization.
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
    },
    /// Undo a change by its number.
    Undo {
        /// The change number (GET /v1/changes).
        change: i64,
    },
    /// Apply a CSV file of changes, one per row, in one transaction: all or none. A bad row
    /// is reported with its line and nothing changes. Rows already in effect change nothing,
    /// so the same file can be applied again. Columns (header row first; # starts a comment
    /// line): operation (merge, split, edit, suppress, undo), entity (merge: the entities
    /// merged, separated by |), into, name, type, aliases (split, |-separated),
    /// add_aliases, remove_aliases, wikidata_id (`none` removes), change (undo), reason.
    Apply {
        /// The CSV file.
        file: PathBuf,
        /// Check every row and report what would change, then change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Options of `newsgraph healthcheck`.
#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The address `serve` listens on; 0.0.0.0 and [::] are reached on loopback.
    #[arg(long, env = "NEWSGRAPH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout: u64,
}

/// How a run's report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A summary for people, on stderr.
    Text,
    /// One JSON object on stdout, for scripts.
    Json,
}

/// Which extraction model to use.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Directory holding a model (ner.crf, clusters.tsv, gazetteer.tsv) to use instead of
    /// the one built into the binary.
    #[arg(long, env = "NEWSGRAPH_MODEL_DIR")]
    pub model_dir: Option<PathBuf>,
}

/// How the importer batches and extracts.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// Articles written per database transaction.
    #[arg(long, env = "NEWSGRAPH_BATCH_SIZE", default_value_t = 500,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: u64,

    /// Extraction threads (default: one per core).
    #[arg(long, env = "NEWSGRAPH_JOBS", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,

    /// Which model.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Options of `newsgraph import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Files, directories (walked recursively), or - for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Report format.
    #[arg(long, env = "NEWSGRAPH_REPORT", value_enum, default_value_t = ReportFormat::Text)]
    pub report: ReportFormat,

    /// Batching and extraction.
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Where the data lives.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `newsgraph reextract`.
#[derive(Debug, Clone, Args)]
pub struct ReextractArgs {
    /// Re-extract every article, not only those extracted by another model version.
    #[arg(long)]
    pub all: bool,

    /// Report format.
    #[arg(long, env = "NEWSGRAPH_REPORT", value_enum, default_value_t = ReportFormat::Text)]
    pub report: ReportFormat,

    /// Batching and extraction.
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Where the data lives.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `newsgraph resolve`.
#[derive(Debug, Clone, Args)]
pub struct ResolveArgs {
    /// Report format.
    #[arg(long, env = "NEWSGRAPH_REPORT", value_enum, default_value_t = ReportFormat::Text)]
    pub report: ReportFormat,

    /// Batching and extraction.
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Where the data lives.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `newsgraph extract`.
#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// JSON Lines input file, or - for standard input.
    #[arg(default_value = "-", value_name = "FILE")]
    pub input: PathBuf,

    /// Which model.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL, e.g. postgres://user:password@host:5432/newsgraph. When unset,
    /// newsgraph starts (and stops) a private cluster in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = parse_secret)]
    pub database_url: Option<SecretString>,

    /// URL of the role that owns newsgraph's schema (e.g. the database's owner), when
    /// DATABASE_URL names a role with fewer rights: migrations then run as the owner, which
    /// grants DATABASE_URL's role the reading and writing of newsgraph's tables, and creates
    /// that role (with its URL's password) when it does not exist. Unset: DATABASE_URL's role
    /// runs the migrations itself.
    #[arg(long, env = "NEWSGRAPH_OWNER_DATABASE_URL", hide_env_values = true,
          value_parser = parse_secret)]
    pub owner_database_url: Option<SecretString>,

    /// Directory of the private PostgreSQL cluster, used only when DATABASE_URL is unset. It is
    /// created on first use and keeps its data across runs.
    #[arg(long, env = "NEWSGRAPH_DATA_DIR", default_value = ".newsgraph")]
    pub data_dir: PathBuf,

    /// Maximum number of connections in each database pool (`serve` keeps two: one whose
    /// sessions always use generic plans, for article pages, and one for the rest). The
    /// default is two per CPU core, at least 4: more connections than the database can run at
    /// once only add contention (measured on 2 cores: 16 connections gave a p99 of 58 ms for
    /// 20-article pages, 4 gave 31 ms). Raise it when PostgreSQL runs on a bigger machine.
    #[arg(long, env = "NEWSGRAPH_DB_MAX_CONNECTIONS", default_value_t = default_pool_size(),
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,

    /// Longest a single SQL statement may run, in seconds; longer ones are cancelled by the
    /// server. `serve` keeps it below --request-timeout (at most 90% of it), so that the
    /// query of a request answered 503 does not run on.
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

    /// Longest an export (GET /v1/articles/export) may stream, in seconds; then it stops and
    /// the transfer is left incomplete, as clients report (narrow it with from and to).
    #[arg(long, env = "NEWSGRAPH_EXPORT_TIMEOUT", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub export_timeout: u64,

    /// Longest a client may take to send a request's line and headers, in seconds, counted
    /// from the moment it connects or its previous response is written (so also how long an
    /// idle keep-alive connection stays open); then the connection is closed.
    #[arg(long, env = "NEWSGRAPH_HEADER_READ_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout: u64,

    /// Largest request body accepted, in bytes (POST /v1/articles); larger ones get 413.
    #[arg(long, env = "NEWSGRAPH_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=1024 * 1024 * 1024))]
    pub max_body_bytes: u64,

    /// Bearer tokens accepted by write endpoints (POST /v1/articles, curation), comma-separated.
    /// NAME:SECRET names a token (clients send SECRET, or the whole entry): the curation
    /// change log records NAME, never the secret.
    /// Without one, writes are refused with 403.
    #[arg(long, env = "NEWSGRAPH_WRITE_TOKENS", hide_env_values = true, value_delimiter = ',',
          value_parser = parse_secret)]
    pub write_tokens: Vec<SecretString>,

    /// Bearer tokens that reads of /v1 need, comma-separated (write tokens are accepted too).
    /// Without one, reads are open.
    #[arg(long, env = "NEWSGRAPH_READ_TOKENS", hide_env_values = true, value_delimiter = ',',
          value_parser = parse_secret)]
    pub read_tokens: Vec<SecretString>,

    /// Origins allowed to call the API from browsers (CORS), comma-separated, or * for any.
    /// Empty: no CORS headers.
    #[arg(long, env = "NEWSGRAPH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Requests per minute allowed per client address; 0 turns rate limiting off.
    #[arg(long, env = "NEWSGRAPH_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit: u32,

    /// Take the client address for rate limiting from X-Forwarded-For (only behind a proxy
    /// that sets it).
    #[arg(long, env = "NEWSGRAPH_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Hold every entity and alias in memory (about 1.3 KiB an entity) so that lookups and
    /// name search skip the database. Changes made by other processes show within a few
    /// seconds. `false` answers every request from the database.
    #[arg(
        long,
        env = "NEWSGRAPH_ENTITY_DIRECTORY",
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_name = "BOOL"
    )]
    pub entity_directory: bool,

    /// Hold every article's lexemes in memory (about 4 bytes per distinct word of each
    /// article) so that `GET /v1/articles?q=` pages newest or oldest first, and one word's
    /// pages by relevance, walk posting lists instead of the database. The database still
    /// answers while the index is rebuilt after a change (within seconds), several words by
    /// relevance, and entity filters. `false` answers every full-text query from the database.
    #[arg(
        long,
        env = "NEWSGRAPH_TEXT_INDEX",
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_name = "BOOL"
    )]
    pub text_index: bool,

    /// Most live streams (`GET /v1/articles/stream`) open at once; one more is answered 503.
    /// Each holds a connection, a task and the batches it has not sent yet.
    #[arg(long, env = "NEWSGRAPH_MAX_STREAMS", default_value_t = 2000)]
    pub max_streams: usize,

    /// Do not serve the dashboard at `/` (the API and /docs are served either way).
    #[arg(long, env = "NEWSGRAPH_NO_UI")]
    pub no_ui: bool,

    /// Timelines and facets of one entity or one word alone (no other filter) that matches
    /// at least this many articles are counted once per in-memory index build and kept with
    /// it (at most 64 MiB), so that asking again costs what the answer's size does rather
    /// than the number of matches. 0 rolls up every such answer.
    #[arg(long, env = "NEWSGRAPH_ROLLUP_MIN_ARTICLES", default_value_t = 1000)]
    pub rollup_min_articles: usize,

    /// URL of a streaming standby of DATABASE_URL's server (repeat the option for several; in
    /// the environment, separate them with commas). GET requests read from a standby that is
    /// up, still replaying the primary and at most --read-max-lag behind, and has replayed
    /// every write this process made; otherwise from the primary. Writes, migrations and
    /// live streams always use the primary. See docs/scaling.md.
    #[arg(long = "read-database-url", env = "NEWSGRAPH_READ_DATABASE_URLS",
          value_delimiter = ',', hide_env_values = true, value_parser = parse_secret,
          value_name = "URL")]
    pub read_database_urls: Vec<SecretString>,

    /// How far behind the primary a standby may be, in seconds, and still serve reads; one
    /// further behind is taken out until it catches up.
    #[arg(long, env = "NEWSGRAPH_READ_MAX_LAG", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub read_max_lag: u64,

    /// Files or directories to import before serving (idempotent: on later starts only new
    /// or changed articles are written). Repeat the flag or separate paths with commas.
    #[arg(
        long,
        env = "NEWSGRAPH_IMPORT",
        value_delimiter = ',',
        value_name = "PATH"
    )]
    pub import: Vec<PathBuf>,

    /// Batching and extraction, for --import and POST /v1/articles.
    #[command(flatten)]
    pub pipeline: PipelineArgs,

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

/// Two connections per CPU core this process may use, at least 4.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    u32::try_from(cores.saturating_mul(2))
        .unwrap_or(u32::MAX)
        .clamp(4, 1000)
}

#[cfg(test)]
mod tests {
    use std::ffi::{OsStr, OsString};

    use super::*;

    /// The environment variable each argument of `serve` reads, by argument id.
    fn serve_envs(command: &clap::Command) -> Vec<(String, Option<String>)> {
        command
            .find_subcommand("serve")
            .expect("serve")
            .get_arguments()
            .map(|arg| {
                (
                    arg.get_id().to_string(),
                    arg.get_env().map(|env| env.to_string_lossy().into_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn an_empty_variable_is_not_read_and_the_others_are() {
        let lookup = |name: &OsStr| -> Option<OsString> {
            match name.to_str() {
                Some("NEWSGRAPH_WRITE_TOKENS" | "NEWSGRAPH_DB_MAX_CONNECTIONS") => Some("".into()),
                Some("NEWSGRAPH_RATE_LIMIT") => Some("  ".into()),
                Some("NEWSGRAPH_CORS_ORIGINS") => Some("*".into()),
                _ => None,
            }
        };

        let envs = serve_envs(&unset_empty(Cli::command(), &lookup));
        let env_of = |id: &str| {
            envs.iter()
                .find(|(arg, _)| arg == id)
                .unwrap_or_else(|| panic!("no argument {id}"))
                .1
                .clone()
        };

        assert_eq!(env_of("write_tokens"), None);
        assert_eq!(env_of("rate_limit"), None);
        assert_eq!(
            env_of("db_max_connections"),
            None,
            "in flattened groups too"
        );
        assert_eq!(
            env_of("cors_origins").as_deref(),
            Some("NEWSGRAPH_CORS_ORIGINS")
        );
        assert_eq!(
            env_of("read_tokens").as_deref(),
            Some("NEWSGRAPH_READ_TOKENS")
        );
    }
}
