//! Entities as the importer writes them: resolving (kind, match key) to ids, creating the
//! new ones with unique slugs, accumulating aliases, writing what the knowledge base knows,
//! and keeping the derived counts in step. What linking reads is [`super::link_candidates`];
//! merging and re-keying [`super::entity_merges`].

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use newsgraph_extract::EntityKind;
use sqlx::PgConnection;
use uuid::Uuid;

/// An entity's identity as stored.
#[derive(Debug, Clone)]
pub struct EntityKey {
    /// Its id.
    pub id: Uuid,
    /// Person, place or organization.
    pub kind: EntityKind,
    /// Its match key.
    pub match_key: String,
}

/// The stored entities among these (kind, key) pairs.
#[tracing::instrument(skip_all, fields(keys = keys.len()))]
pub async fn find_by_keys(
    conn: &mut PgConnection,
    kinds: &[EntityKind],
    keys: &[String],
) -> sqlx::Result<Vec<EntityKey>> {
    sqlx::query_as!(
        EntityKey,
        r#"
        SELECT e.id, e.kind AS "kind: EntityKind", e.match_key
        FROM entities e
        JOIN UNNEST($1::text[], $2::text[]) AS k(kind, match_key)
          ON e.kind = k.kind AND e.match_key = k.match_key
        "#,
        kinds as &[EntityKind],
        keys,
    )
    .fetch_all(conn)
    .await
}

/// Which of these slugs are taken, by an entity or by a redirect.
pub async fn taken_slugs(
    conn: &mut PgConnection,
    candidates: &[String],
) -> sqlx::Result<HashSet<String>> {
    let rows = sqlx::query_scalar!(
        r#"
        SELECT slug AS "slug!" FROM entities WHERE slug = ANY($1::text[])
        UNION
        SELECT old_slug FROM entity_redirects WHERE old_slug = ANY($1::text[])
        "#,
        candidates,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Columns of new entities.
#[derive(Debug, Default)]
pub struct NewEntities {
    /// Ids (UUIDv7).
    pub ids: Vec<Uuid>,
    /// Kinds.
    pub kinds: Vec<EntityKind>,
    /// Canonical names.
    pub names: Vec<String>,
    /// Unique slugs.
    pub slugs: Vec<String>,
    /// Match keys.
    pub keys: Vec<String>,
    /// Latitudes, for places when known.
    pub latitudes: Vec<Option<f64>>,
    /// Longitudes, for places when known.
    pub longitudes: Vec<Option<f64>>,
    /// GeoNames ids, for places when known.
    pub geonames_ids: Vec<Option<i64>>,
    /// Wikidata ids, when known.
    pub wikidata_ids: Vec<Option<String>>,
}

/// Inserts new entities. The caller holds the ingest lock, so (kind, key) and slug are free.
#[tracing::instrument(skip_all, fields(entities = new.ids.len()))]
pub async fn insert(conn: &mut PgConnection, new: &NewEntities) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        r#"
        INSERT INTO entities (id, kind, name, slug, match_key, latitude, longitude, geonames_id,
                              wikidata_id)
        SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::float8[], $7::float8[], $8::bigint[], $9::text[])
        "#,
        &new.ids,
        &new.kinds as &[EntityKind],
        &new.names,
        &new.slugs,
        &new.keys,
        &new.latitudes as &[Option<f64>],
        &new.longitudes as &[Option<f64>],
        &new.geonames_ids as &[Option<i64>],
        &new.wikidata_ids as &[Option<String>],
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}

/// Adds aliases (surface forms and their folded search forms); known ones are left alone.
#[tracing::instrument(skip_all, fields(aliases = entity_ids.len()))]
pub async fn add_aliases(
    conn: &mut PgConnection,
    entity_ids: &[Uuid],
    aliases: &[String],
    norms: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO entity_aliases (entity_id, alias, norm)
        SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[])
        ON CONFLICT (entity_id, alias) DO NOTHING
        "#,
        entity_ids,
        aliases,
        norms,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Per-entity additions to the derived counts, for entities that only gained articles.
#[derive(Debug, Default)]
pub struct CountDeltas {
    /// Entities.
    pub ids: Vec<Uuid>,
    /// Articles gained.
    pub articles: Vec<i32>,
    /// Mentions gained.
    pub mentions: Vec<i32>,
    /// Earliest publication date among the gained articles.
    pub first_seen: Vec<Option<DateTime<Utc>>>,
    /// Latest publication date among the gained articles.
    pub last_seen: Vec<Option<DateTime<Utc>>>,
}

/// Adds to the derived counts of entities that gained articles and lost none: cheaper than
/// [`recount`] for entities named in thousands of articles.
#[tracing::instrument(skip_all, fields(entities = deltas.ids.len()))]
pub async fn add_counts(conn: &mut PgConnection, deltas: &CountDeltas) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE entities e SET
            article_count = e.article_count + d.articles,
            mention_count = e.mention_count + d.mentions,
            first_seen = LEAST(e.first_seen, d.first_seen),
            last_seen = GREATEST(e.last_seen, d.last_seen),
            updated_at = clock_timestamp()
        FROM UNNEST($1::uuid[], $2::int[], $3::int[], $4::timestamptz[], $5::timestamptz[])
            AS d(id, articles, mentions, first_seen, last_seen)
        WHERE e.id = d.id
        "#,
        &deltas.ids,
        &deltas.articles,
        &deltas.mentions,
        &deltas.first_seen as &[Option<DateTime<Utc>>],
        &deltas.last_seen as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Recomputes article and mention counts and first/last seen of these entities from
/// article_entities (an index-only scan per entity).
#[tracing::instrument(skip_all, fields(entities = ids.len()))]
pub async fn recount(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE entities e SET
            article_count = s.articles,
            mention_count = s.mentions,
            first_seen = s.first_seen,
            last_seen = s.last_seen,
            updated_at = clock_timestamp()
        FROM (
            SELECT ids.id,
                   count(ae.article_id)::int AS articles,
                   COALESCE(sum(ae.mention_count), 0)::int AS mentions,
                   min(ae.published_at) AS first_seen,
                   max(ae.published_at) AS last_seen
            FROM UNNEST($1::uuid[]) AS ids(id)
            LEFT JOIN article_entities ae ON ae.entity_id = ids.id
            GROUP BY ids.id
        ) s
        WHERE e.id = s.id
        "#,
        ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What the knowledge base knows of stored entities, to write where it differs.
#[derive(Debug, Default)]
pub struct KnownColumns {
    /// Entities.
    pub ids: Vec<Uuid>,
    /// Wikidata ids.
    pub wikidata_ids: Vec<Option<String>>,
    /// GeoNames ids.
    pub geonames_ids: Vec<Option<i64>>,
    /// Latitudes.
    pub latitudes: Vec<Option<f64>>,
    /// Longitudes.
    pub longitudes: Vec<Option<f64>>,
}

/// Writes the knowledge base's ids and coordinates onto stored entities that lack them or
/// carry others (entities stored before the knowledge base knew them), but never over a
/// Wikidata id a curator set.
#[tracing::instrument(skip_all, fields(entities = known.ids.len()))]
pub async fn set_known(conn: &mut PgConnection, known: &KnownColumns) -> sqlx::Result<u64> {
    if known.ids.is_empty() {
        return Ok(0);
    }
    let result = sqlx::query!(
        r#"
        UPDATE entities e SET
            wikidata_id = CASE WHEN 'wikidata_id' = ANY(e.curated_fields) THEN e.wikidata_id
                               ELSE k.wikidata_id END,
            geonames_id = k.geonames_id,
            latitude = k.latitude,
            longitude = k.longitude,
            updated_at = clock_timestamp()
        FROM UNNEST($1::uuid[], $2::text[], $3::bigint[], $4::float8[], $5::float8[])
            AS k(id, wikidata_id, geonames_id, latitude, longitude)
        WHERE e.id = k.id
          AND ((e.wikidata_id IS DISTINCT FROM k.wikidata_id
                AND NOT 'wikidata_id' = ANY(e.curated_fields))
               OR e.geonames_id IS DISTINCT FROM k.geonames_id
               OR e.latitude IS DISTINCT FROM k.latitude
               OR e.longitude IS DISTINCT FROM k.longitude)
        "#,
        &known.ids,
        &known.wikidata_ids as &[Option<String>],
        &known.geonames_ids as &[Option<i64>],
        &known.latitudes as &[Option<f64>],
        &known.longitudes as &[Option<f64>],
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}
