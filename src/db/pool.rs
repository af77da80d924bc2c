//! The pools the queries run on besides the main one. Opening and migrating the database is
//! the `database` module's work; this module only derives pools from one already open.

use sqlx::PgPool;

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
