//! How newsgraph's pools set up their sessions, and the pools derived from one already open.
//! Opening and migrating the database is the `database` module's work.
//!
//! Session settings are sent as `SET` statements once a connection is open, not as the
//! startup packet's `options`: a connection pooler such as PgBouncer accepts only the few
//! startup parameters it tracks and refuses a connection that sends others (for the same
//! reason `database` sends no `extra_float_digits`).

use std::time::Duration;

use sqlx::Executor;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// The settings every session of newsgraph's pools gets.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// Longest a statement may run before the server cancels it.
    pub statement_timeout: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            statement_timeout: Duration::from_secs(30),
        }
    }
}

impl SessionSettings {
    /// Pool options whose connections get these settings as soon as they open, and
    /// generic plans when `generic`.
    pub fn pool_options(self, generic: bool) -> PgPoolOptions {
        // sqlx's startup packet already asks for UTC (a parameter poolers track); said again
        // here so that no server or pooler default can change how days are bucketed.
        let mut statements = format!(
            "SET statement_timeout = '{}ms'; SET TimeZone = 'UTC'",
            self.statement_timeout.as_millis()
        );
        if generic {
            statements.push_str("; SET plan_cache_mode = force_generic_plan");
        }
        PgPoolOptions::new().after_connect(move |connection, _| {
            let statements = statements.clone();
            Box::pin(async move {
                connection.execute(statements.as_str()).await?;
                Ok(())
            })
        })
    }
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
    /// The generic-plan pool beside `pool`, with the same pool settings and `session`.
    pub fn beside(pool: &PgPool, session: SessionSettings) -> Self {
        let main = pool.options();
        let options = session
            .pool_options(true)
            .max_connections(main.get_max_connections())
            .acquire_timeout(main.get_acquire_timeout());
        Self(options.connect_lazy_with(pool.connect_options().as_ref().clone()))
    }
}
