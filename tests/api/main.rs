//! Integration tests: one binary, one module per area. Every test talks to a real PostgreSQL:
//! `#[sqlx::test]` gives each test its own migrated database on the server DATABASE_URL
//! points at (scripts/test starts a throwaway one when it is unset), and the process tests
//! start the real binary, which runs its own private cluster.

mod cluster;
mod helpers;
mod schema;
mod stories;
mod stream;

mod answers;
mod container;
mod contract;
mod curation;
mod dashboard_browser;
mod docs_browser;
mod extract_cli;
mod fulltext;
mod hardening;
mod health;
mod http;
mod import;
mod import_process;
mod process;
mod read;
mod replicas;
mod resolution;
mod write;
