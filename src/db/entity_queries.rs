//! One entity as the API shows it ([`EntityRow`]): by id, slug or Wikidata id, where a
//! merged entity's id or slug now points, and every entity at once for the in-memory
//! directory. The list with name search is [`super::entity_search`]; co-mentions
//! [`super::related`]; the timeline [`super::timeline`].

use chrono::{DateTime, Utc};
use newsgraph_extract::EntityKind;
use sqlx::PgExecutor;

use crate::domain::EntityId;
/// An entity as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntityRow {
    /// Id.
    pub id: EntityId,
    /// Person, place or organization.
    pub kind: EntityKind,
    /// Canonical name.
    pub name: String,
    /// Readable unique address.
    pub slug: String,
    /// Articles naming it.
    pub article_count: i32,
    /// Mentions of it.
    pub mention_count: i32,
    /// Earliest publication date among its articles.
    pub first_seen: Option<DateTime<Utc>>,
    /// Latest publication date among its articles.
    pub last_seen: Option<DateTime<Utc>>,
    /// Latitude, for places when known.
    pub latitude: Option<f64>,
    /// Longitude, for places when known.
    pub longitude: Option<f64>,
    /// GeoNames id, for places when known.
    pub geonames_id: Option<i64>,
    /// Wikidata id, when known.
    pub wikidata_id: Option<String>,
    /// Every surface form seen.
    pub aliases: Vec<String>,
    /// Search score, with `q`.
    pub score: Option<f64>,
}

/// The entity's own columns, without its aliases.
macro_rules! entity_fields {
    () => {
        "e.id, e.kind, e.name, e.slug, e.article_count, e.mention_count, e.first_seen, \
         e.last_seen, e.latitude, e.longitude, e.geonames_id, e.wikidata_id"
    };
}

/// The columns of an [`EntityRow`] but its score, for `SELECT`.
pub(super) const ENTITY_COLUMNS: &str = concat!(
    entity_fields!(),
    ", ARRAY(SELECT ea.alias FROM entity_aliases ea WHERE ea.entity_id = e.id ORDER BY ea.alias) AS aliases"
);

/// An entity by id.
pub async fn by_id(executor: impl PgExecutor<'_>, id: EntityId) -> sqlx::Result<Option<EntityRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await
}

/// An entity by slug.
pub async fn by_slug(executor: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<EntityRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e WHERE e.slug = $1"
    ))
    .bind(slug)
    .fetch_optional(executor)
    .await
}

/// The most named entity carrying a Wikidata id.
pub async fn by_wikidata(
    executor: impl PgExecutor<'_>,
    qid: &str,
) -> sqlx::Result<Option<EntityRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e \
         WHERE e.wikidata_id = $1 ORDER BY e.article_count DESC, e.id LIMIT 1"
    ))
    .bind(qid)
    .fetch_optional(executor)
    .await
}

/// Where a merged entity's id or slug now points: the surviving entity's id and slug.
pub async fn redirect(
    executor: impl PgExecutor<'_>,
    id: Option<EntityId>,
    slug: Option<&str>,
) -> sqlx::Result<Option<(EntityId, String)>> {
    let row = sqlx::query!(
        r#"
        SELECT e.id, e.slug FROM entity_redirects r JOIN entities e ON e.id = r.entity_id
        WHERE r.old_id = $1 OR r.old_slug = $2
        LIMIT 1
        "#,
        id.map(EntityId::uuid),
        slug,
    )
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|row| (row.id.into(), row.slug)))
}

/// Every entity, without aliases (see [`all_aliases`]), for the in-memory directory.
pub async fn all(executor: impl PgExecutor<'_>) -> sqlx::Result<Vec<EntityRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        entity_fields!(),
        ", ARRAY[]::text[] AS aliases, NULL::float8 AS score FROM entities e"
    ))
    .fetch_all(executor)
    .await
}

/// Every alias: entity, surface form, folded form.
pub async fn all_aliases(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(EntityId, String, String)>> {
    sqlx::query_as("SELECT entity_id, alias, norm FROM entity_aliases ORDER BY entity_id, alias")
        .fetch_all(executor)
        .await
}

/// Every redirect: old id, old slug, surviving entity.
pub async fn all_redirects(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(EntityId, String, EntityId)>> {
    sqlx::query_as("SELECT old_id, old_slug, entity_id FROM entity_redirects")
        .fetch_all(executor)
        .await
}

/// What changes when entities do: the latest `updated_at` (set with the clock at write
/// time, under the ingest lock, so it grows in commit order) and how many there are.
pub async fn change_marker(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<(Option<DateTime<Utc>>, i64)> {
    sqlx::query_as("SELECT (SELECT max(updated_at) FROM entities), (SELECT count(*) FROM entities)")
        .fetch_one(executor)
        .await
}
