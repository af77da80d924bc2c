//! newsgraph imports news articles, extracts the people, places and organizations they
//! mention, and serves articles and entities as a JSON API.
//!
//! # Layout
//!
//! - [`config`]: the command line and its environment variables (clap).
//! - [`telemetry`]: tracing setup, human-readable or JSON.
//! - [`commands`]: one module per subcommand; `main.rs` only parses and dispatches.
//! - [`database`]: connects to `DATABASE_URL`, or to the [`embedded`] cluster when it is unset,
//!   and runs the migrations.
//! - [`embedded`]: a private PostgreSQL cluster started from the server binaries installed on
//!   the machine.
//! - [`domain`]: the typed values the layers share (entity kinds, fields, named choices).
//! - [`db`]: all SQL, one module per aggregate.
//! - [`directory`]: the entities held in memory by `serve` for lookups and name search.
//! - [`textindex`]: the articles' lexemes and entities held in memory by `serve` for
//!   newest-first full text and the dashboard answers.
//! - [`answers`]: timelines, facets, maps and co-mention networks of any article filter,
//!   counted over the snapshot or over rows read from the database.
//! - [`feed`]: stored articles announced to every `serve` (LISTEN/NOTIFY), for live streams.
//! - [`http`]: the axum router, the problem+json error type, one module per resource.
//! - [`ingest`]: input formats, normalization, and the batched idempotent importer.
//! - [`curation`]: merging, splitting, editing and suppressing entities by hand, with a change
//!   log, undo, and rules every later import applies.
//! - [`names`]: name folding for search and slugs.
//! - [`refresher`]: a snapshot of the database kept fresh in memory, for [`directory`] and
//!   [`textindex`].
//! - [`replicas`]: the read/write split: which streaming standby (or the primary) a read
//!   goes to, with their lag and health checked in the background.
//! - [`server`]: binds, serves, and shuts down gracefully.
//! - [`shutdown`]: SIGINT/SIGTERM as a future.
//!
//! The extraction engine is the separate crate `newsgraph-extract` (crates/extract): it knows
//! nothing of PostgreSQL or HTTP.

pub mod answers;
pub mod commands;
pub mod config;
pub mod curation;
pub mod database;
pub mod db;
pub mod directory;
pub mod domain;
pub mod embedded;
pub mod feed;
pub mod http;
pub mod ingest;
pub mod names;
pub mod refresher;
pub mod replicas;
pub mod server;
pub mod shutdown;
pub mod telemetry;
pub mod textindex;

/// The schema migrations, embedded in the binary. They run at start-up under PostgreSQL's
/// advisory lock (sqlx takes it), so several processes starting together are safe.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
