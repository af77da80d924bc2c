//! Connecting to the database: the server named by DATABASE_URL, or else the private
//! [`embedded`](crate::embedded) cluster; then the migrations.
//!
//! Least privilege: when an owner is known (NEWSGRAPH_OWNER_DATABASE_URL, or the private
//! cluster's superuser), migrations run as the owner, which then grants the role newsgraph
//! works as (DATABASE_URL's, or `newsgraph_app`) what it needs and no more: to read and
//! write newsgraph's tables. That role is created, with its URL's password, when missing.
//!
//! Connection errors name the host, port and database, never the password.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::config::DatabaseArgs;
use crate::db::SessionSettings;
use crate::embedded::Cluster;
use crate::replicas::{Standby, Target};

/// The database newsgraph creates in its private cluster.
const EMBEDDED_DATABASE: &str = "newsgraph";
/// Statements slower than this are logged as warnings.
const SLOW_STATEMENT: Duration = Duration::from_secs(5);
/// How long a request waits for a free pooled connection before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a read waits for a free connection to a standby before it fails (and is retried
/// on the primary).
const STANDBY_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// An open connection pool, and the private cluster behind it when there is one.
#[derive(Debug)]
pub struct Database {
    /// The pool every query goes through.
    pub pool: PgPool,
    /// The schema's owner, when the pool works as another role.
    owner: Option<PgConnectOptions>,
    cluster: Option<Cluster>,
}

impl Database {
    /// Connects as configured, starting the private cluster when DATABASE_URL is unset.
    /// Fails fast, with the reason, when the database cannot be reached.
    pub async fn connect(args: &DatabaseArgs) -> anyhow::Result<Self> {
        match &args.database_url {
            Some(url) => {
                let options = parse_url(url)?;
                let owner = match &args.owner_database_url {
                    Some(owner_url) => {
                        let owner = parse_url(owner_url)?;
                        ensure_role(&owner, options.get_username(), &url_password(url)).await?;
                        Some(owner)
                    }
                    None => None,
                };
                let pool = open_pool(options, args).await?;
                Ok(Self {
                    pool,
                    owner,
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
                let owner = parse_url(&cluster.database_url(EMBEDDED_DATABASE))?;
                let app_url = cluster.app_database_url(EMBEDDED_DATABASE);
                ensure_role(&owner, crate::embedded::APP_ROLE, &url_password(&app_url)).await?;
                let pool = open_pool(parse_url(&app_url)?, args).await?;
                Ok(Self {
                    pool,
                    owner: Some(owner),
                    cluster: Some(cluster),
                })
            }
        }
    }

    /// Runs the pending migrations: as the owner, who then grants the pool's role its
    /// rights, when there is one; else as the pool's role, and only when some are pending
    /// (a role that may not change the schema works on a migrated database). sqlx holds an
    /// advisory lock meanwhile, so processes that start together apply each migration once.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let Some(owner) = &self.owner else {
            if up_to_date(&self.pool).await {
                return Ok(());
            }
            return crate::MIGRATOR.run(&self.pool).await.context(
                "cannot run the database migrations (if DATABASE_URL's role may not change \
                 the schema, set NEWSGRAPH_OWNER_DATABASE_URL to the owner's URL, or run \
                 `newsgraph migrate` with it as DATABASE_URL)",
            );
        };
        let target = describe(owner);
        let mut connection = PgConnection::connect_with(owner)
            .await
            .map_err(|error| connect_error(&target, &error))?;
        crate::MIGRATOR
            .run(&mut connection)
            .await
            .context("cannot run the database migrations as the owner")?;
        let role = self.pool.connect_options().get_username().to_owned();
        grant(&mut connection, &role)
            .await
            .with_context(|| format!("cannot grant {role} the use of newsgraph's tables"))?;
        connection.close().await.ok();
        Ok(())
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

/// Pools for the streaming standbys `serve` reads from, with the primary's session settings.
/// They connect lazily: a standby down at start-up stays out of rotation until it answers
/// ([`crate::replicas`]). A read waits at most [`STANDBY_ACQUIRE_TIMEOUT`] for one of their
/// connections, so that a standby that went down costs a read little before it is retried on
/// the primary.
pub fn standbys(urls: &[SecretString], args: &DatabaseArgs) -> anyhow::Result<Vec<Standby>> {
    urls.iter()
        .map(|url| {
            let options = session_options(
                parse_url(url).context("a --read-database-url is not a PostgreSQL URL")?,
            );
            let address = describe(&options);
            let pool = session(args)
                .pool_options(false)
                .max_connections(args.db_max_connections)
                .acquire_timeout(STANDBY_ACQUIRE_TIMEOUT)
                .connect_lazy_with(options);
            Ok(Standby {
                address,
                target: Target::of(pool, session(args)),
            })
        })
        .collect()
}

/// The settings every session of newsgraph's pools gets (see [`SessionSettings`]).
pub fn session(args: &DatabaseArgs) -> SessionSettings {
    SessionSettings {
        statement_timeout: args.statement_timeout(),
    }
}

/// The connection options every pool of newsgraph's uses. No `extra_float_digits` in the
/// startup packet: a pooler such as PgBouncer refuses parameters it does not track (and every
/// value travels in binary anyway); the session settings are `SET` once connected
/// ([`SessionSettings`]).
fn session_options(options: PgConnectOptions) -> PgConnectOptions {
    options
        .extra_float_digits(None)
        .application_name("newsgraph")
        // Import batches take a second or two by design; only warn about real outliers.
        .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT)
}

async fn open_pool(options: PgConnectOptions, args: &DatabaseArgs) -> anyhow::Result<PgPool> {
    let options = session_options(options);
    let target = describe(&options);
    // One direct connection first: a pool would retry until its timeout and then report only
    // that it timed out, while this reports why (refused, bad password, no such database).
    let mut probe = PgConnection::connect_with(&options)
        .await
        .map_err(|error| connect_error(&target, &error))?;
    require_utf8(&mut probe, &target).await?;
    probe.close().await.ok();
    let pool = session(args)
        .pool_options(false)
        .max_connections(args.db_max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|error| connect_error(&target, &error))?;
    Ok(pool)
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

/// The password a URL holds, percent-decoded (empty when none).
fn url_password(url: &SecretString) -> SecretString {
    let password = url::Url::parse(url.expose_secret())
        .ok()
        .and_then(|url| {
            url.password().map(|password| {
                percent_encoding::percent_decode_str(password)
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
        .unwrap_or_default();
    SecretString::from(password)
}

/// Creates `role` (able to log in, with `password`), or sets its password when it exists,
/// unless it is the owner: the URL newsgraph works with is the one source of the password.
async fn ensure_role(
    owner: &PgConnectOptions,
    role: &str,
    password: &SecretString,
) -> anyhow::Result<()> {
    if role == owner.get_username() {
        return Ok(());
    }
    let target = describe(owner);
    let mut connection = PgConnection::connect_with(owner)
        .await
        .map_err(|error| connect_error(&target, &error))?;
    let exists: bool = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "exists!""#,
        role
    )
    .fetch_one(&mut connection)
    .await
    .context("cannot list the database's roles")?;
    // Role names and passwords cannot be bound parameters: format() quotes them.
    let template = if exists {
        "ALTER ROLE %I LOGIN PASSWORD %L"
    } else {
        "CREATE ROLE %I LOGIN PASSWORD %L"
    };
    let statement: String = sqlx::query_scalar!(
        r#"SELECT format($1::text, $2::text, $3::text) AS "statement!""#,
        template,
        role,
        password.expose_secret(),
    )
    .fetch_one(&mut connection)
    .await
    .context("cannot quote a role")?;
    match sqlx::raw_sql(&statement).execute(&mut connection).await {
        Ok(_) if !exists => tracing::info!(role, "created the role newsgraph works as"),
        Ok(_) => {}
        // An owner without CREATEROLE cannot set the password of an existing role; the
        // role then logs in with the password it has.
        Err(error) if exists => {
            tracing::warn!(role, error = %error, "cannot set the password of the role newsgraph works as");
        }
        Err(error) => {
            return Err(error).with_context(|| {
                format!("cannot create the role {role} as the owner at {target}")
            });
        }
    }
    connection.close().await.ok();
    Ok(())
}

/// What the role newsgraph works as may do: read and write the rows of newsgraph's tables
/// (the migrations' own table only read), now and in tables later migrations create. Not
/// create, alter, drop or truncate anything.
const GRANTS: [&str; 7] = [
    "GRANT CONNECT ON DATABASE %1$I TO %2$I",
    "GRANT USAGE ON SCHEMA public TO %2$I",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %2$I",
    "REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM %2$I",
    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %2$I",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %2$I",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %2$I",
];

/// Grants `role` the [`GRANTS`], unless it is the connection's own role (the owner).
async fn grant(connection: &mut PgConnection, role: &str) -> anyhow::Result<()> {
    let me: String = sqlx::query_scalar!(r#"SELECT current_user AS "me!""#)
        .fetch_one(&mut *connection)
        .await?;
    if me == role {
        return Ok(());
    }
    for template in GRANTS {
        let statement: String = sqlx::query_scalar!(
            r#"SELECT format($1::text, current_database(), $2::text) AS "statement!""#,
            template,
            role,
        )
        .fetch_one(&mut *connection)
        .await?;
        sqlx::raw_sql(&statement).execute(&mut *connection).await?;
    }
    Ok(())
}

/// Whether every migration this build knows is applied, as the pool's role sees it (false
/// when it cannot tell).
async fn up_to_date(pool: &PgPool) -> bool {
    // sqlx's own table, which exists only once a migration ran: not checked at build time.
    let applied: Vec<(i64, Vec<u8>)> =
        match sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows,
            Err(_) => return false,
        };
    crate::MIGRATOR
        .iter()
        .filter(|migration| migration.migration_type.is_up_migration())
        .all(|migration| {
            applied.iter().any(|(version, checksum)| {
                *version == migration.version && checksum[..] == migration.checksum[..]
            })
        })
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
