//! Connecting to the database: the server named by DATABASE_URL, or else the private
//! [`embedded`](crate::embedded) cluster; then the migrations.
//!
//! Connection errors name the host, port and database, never the password.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::config::DatabaseArgs;
use crate::embedded::Cluster;

/// The database newsgraph creates in its private cluster.
const EMBEDDED_DATABASE: &str = "newsgraph";
/// Statements slower than this are logged as warnings.
const SLOW_STATEMENT: Duration = Duration::from_secs(5);
/// How long a request waits for a free pooled connection before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// An open connection pool, and the private cluster behind it when there is one.
#[derive(Debug)]
pub struct Database {
    /// The pool every query goes through.
    pub pool: PgPool,
    cluster: Option<Cluster>,
}

impl Database {
    /// Connects as configured, starting the private cluster when DATABASE_URL is unset.
    /// Fails fast, with the reason, when the database cannot be reached.
    pub async fn connect(args: &DatabaseArgs) -> anyhow::Result<Self> {
        match &args.database_url {
            Some(url) => {
                let options = parse_url(url)?;
                let pool = open_pool(options, args).await?;
                Ok(Self {
                    pool,
                    cluster: None,
                })
            }
            None => {
                let data_dir = args.data_dir.clone();
                let cluster = tokio::task::spawn_blocking(move || Cluster::start(&data_dir))
                    .await
                    .context("the private PostgreSQL start-up task failed")??;
                let admin = parse_url(&cluster.database_url("postgres"))?;
                create_database_if_missing(admin, EMBEDDED_DATABASE).await?;
                let options = parse_url(&cluster.database_url(EMBEDDED_DATABASE))?;
                let pool = open_pool(options, args).await?;
                Ok(Self {
                    pool,
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// Runs the pending migrations. sqlx holds an advisory lock meanwhile, so processes that
    /// start together apply each migration once.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        crate::MIGRATOR
            .run(&self.pool)
            .await
            .context("cannot run the database migrations")
    }

    /// Closes the pool and, when this process started the private cluster and is its last
    /// user, stops the cluster.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(cluster) = self.cluster {
            tokio::task::spawn_blocking(move || cluster.stop())
                .await
                .context("the private PostgreSQL shutdown task failed")??;
        }
        Ok(())
    }
}

fn parse_url(url: &SecretString) -> anyhow::Result<PgConnectOptions> {
    const EXPECTED: &str =
        "DATABASE_URL is not a PostgreSQL URL (postgres://user:password@host:port/database)";
    let url = url.expose_secret();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        anyhow::bail!(EXPECTED);
    }
    // The URL is left out of the message: it may hold a password.
    PgConnectOptions::from_str(url).map_err(|error| anyhow::anyhow!("{EXPECTED}: {error}"))
}

fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("(default database)")
    )
}

async fn open_pool(options: PgConnectOptions, args: &DatabaseArgs) -> anyhow::Result<PgPool> {
    let statement_timeout = format!("{}s", args.statement_timeout().as_secs());
    let options = options
        .application_name("newsgraph")
        .options([
            ("statement_timeout", statement_timeout.as_str()),
            // Timelines bucket days in UTC whatever the server's zone.
            ("TimeZone", "UTC"),
        ])
        // Import batches take a second or two by design; only warn about real outliers.
        .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
    let target = describe(&options);
    // One direct connection first: a pool would retry until its timeout and then report only
    // that it timed out, while this reports why (refused, bad password, no such database).
    let mut probe = PgConnection::connect_with(&options)
        .await
        .map_err(|error| connect_error(&target, &error))?;
    require_utf8(&mut probe, &target).await?;
    probe.close().await.ok();
    let pool = PgPoolOptions::new()
        .max_connections(args.db_max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|error| connect_error(&target, &error))?;
    Ok(pool)
}

/// A second pool over the same database whose sessions always use generic plans
/// (`plan_cache_mode = force_generic_plan`), for the queries whose best plan does not depend
/// on their values: article pages without `q` (one index range whatever the entity or date)
/// and the rows of full-text pages (by id). PostgreSQL would otherwise re-plan them for every
/// value, and planning took longer than running them. A pool of its own saves the two round
/// trips of a `SET LOCAL` transaction per page (measured on `?entity=` pages at 10x: 1,378 to
/// 1,671 req/s -> 1,671 to 1,880 req/s). It has the main pool's settings and connects lazily.
#[derive(Debug, Clone)]
pub struct GenericPlans(pub PgPool);

impl GenericPlans {
    /// The generic-plan pool beside `pool`, with the same pool settings.
    pub fn beside(pool: &PgPool) -> Self {
        let options = pool
            .connect_options()
            .as_ref()
            .clone()
            .options([("plan_cache_mode", "force_generic_plan")]);
        Self(pool.options().clone().connect_lazy_with(options))
    }
}

/// Refuses a database whose encoding is not UTF-8. In `SQL_ASCII` (what initdb picks when no
/// locale is set) PostgreSQL stores bytes unchecked and counts characters as bytes: offsets
/// of mentions would disagree with the text, and their constraints refuse some articles.
async fn require_utf8(connection: &mut PgConnection, target: &str) -> anyhow::Result<()> {
    let encoding: String =
        sqlx::query_scalar!(r#"SELECT current_setting('server_encoding') AS "encoding!""#)
            .fetch_one(&mut *connection)
            .await
            .with_context(|| format!("cannot read the encoding of the database at {target}"))?;
    if encoding != "UTF8" {
        anyhow::bail!(
            "the database at {target} uses the encoding {encoding}; newsgraph needs UTF8. \
             Create one with CREATE DATABASE newsgraph ENCODING 'UTF8' TEMPLATE template0 \
             (or a cluster with initdb --encoding=UTF8) and point DATABASE_URL at it"
        );
    }
    Ok(())
}

/// sqlx's errors repeat their source in their message, so the source is not chained again.
fn connect_error(target: &str, error: &sqlx::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot connect to the database at {target}: {error}")
}

async fn create_database_if_missing(admin: PgConnectOptions, name: &str) -> anyhow::Result<()> {
    let mut connection = PgConnection::connect_with(&admin)
        .await
        .context("cannot connect to the private PostgreSQL")?;
    let exists: bool = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS "exists!""#,
        name
    )
    .fetch_one(&mut connection)
    .await
    .context("cannot list the databases of the private PostgreSQL")?;
    if !exists {
        // CREATE DATABASE takes no parameters; the name is a constant of this module.
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut connection)
            .await
            .with_context(|| format!("cannot create the database {name}"))?;
    }
    connection.close().await.ok();
    Ok(())
}
