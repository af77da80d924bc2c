//! What curation writes besides mentions (those are [`super::curation_moves`]'s): entity
//! rows snapshotted and restored, fields set, aliases moved or removed, and the rules later
//! imports read (see [`super::curation_rules`]).

use chrono::{DateTime, Utc};
use newsgraph_extract::EntityKind;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

/// Locks these entities' rows in id order; returns the ids that exist.
pub async fn lock(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM entities WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
        ids,
    )
    .fetch_all(conn)
    .await
}

/// Everything of an entity that an undo needs to bring it back after it was deleted or
/// changed, but its mentions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntitySnapshot {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: EntityKind,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Match key.
    pub match_key: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// GeoNames id.
    pub geonames_id: Option<i64>,
    /// Wikidata id.
    pub wikidata_id: Option<String>,
    /// Fields a curator set.
    pub curated_fields: Vec<String>,
    /// When it was first stored.
    pub created_at: DateTime<Utc>,
    /// Its aliases: (alias, folded).
    #[serde(default)]
    pub aliases: Vec<(String, String)>,
    /// The entities merged into it earlier, which redirect to it: (old id, old slug).
    #[serde(default)]
    pub redirects: Vec<(Uuid, String)>,
}

/// An entity's snapshot, with its aliases and the redirects to it.
pub async fn snapshot(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<EntitySnapshot>> {
    let Some(row) = sqlx::query!(
        r#"
        SELECT id, kind AS "kind: EntityKind", name, slug, match_key, latitude, longitude,
               geonames_id, wikidata_id, curated_fields, created_at
        FROM entities WHERE id = $1
        "#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let aliases = sqlx::query!(
        "SELECT alias, norm FROM entity_aliases WHERE entity_id = $1 ORDER BY alias",
        id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|alias| (alias.alias, alias.norm))
    .collect();
    let redirects = sqlx::query!(
        "SELECT old_id, old_slug FROM entity_redirects WHERE entity_id = $1 ORDER BY old_id",
        id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| (row.old_id, row.old_slug))
    .collect();
    Ok(Some(EntitySnapshot {
        id: row.id,
        kind: row.kind,
        name: row.name,
        slug: row.slug,
        match_key: row.match_key,
        latitude: row.latitude,
        longitude: row.longitude,
        geonames_id: row.geonames_id,
        wikidata_id: row.wikidata_id,
        curated_fields: row.curated_fields,
        created_at: row.created_at,
        aliases,
        redirects,
    }))
}

/// Brings a deleted entity back as its snapshot says (counts zero until recounted): its row,
/// aliases, and the redirects that led to it (pointed back at it, or made again when its
/// deletion took them along); its own redirect goes.
pub async fn restore(conn: &mut PgConnection, entity: &EntitySnapshot) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM entity_redirects WHERE old_id = $1", entity.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        INSERT INTO entities (id, kind, name, slug, match_key, latitude, longitude, geonames_id,
                              wikidata_id, curated_fields, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, clock_timestamp())
        "#,
        entity.id,
        entity.kind as EntityKind,
        entity.name,
        entity.slug,
        entity.match_key,
        entity.latitude,
        entity.longitude,
        entity.geonames_id,
        entity.wikidata_id,
        &entity.curated_fields,
        entity.created_at,
    )
    .execute(&mut *conn)
    .await?;
    let (aliases, norms): (Vec<String>, Vec<String>) = entity.aliases.iter().cloned().unzip();
    add_aliases(conn, entity.id, &aliases, &norms).await?;
    let (old_ids, old_slugs): (Vec<Uuid>, Vec<String>) = entity.redirects.iter().cloned().unzip();
    sqlx::query!(
        r#"
        INSERT INTO entity_redirects (old_id, old_slug, entity_id)
        SELECT *, $1 FROM UNNEST($2::uuid[], $3::text[])
        ON CONFLICT (old_id) DO UPDATE SET entity_id = EXCLUDED.entity_id
        "#,
        entity.id,
        &old_ids,
        &old_slugs,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Who holds the slug, the identity, or a redirect's old slug of an entity an undo must bring
/// back (the redirects of the entity itself aside).
pub async fn holder(
    conn: &mut PgConnection,
    entity: &EntitySnapshot,
) -> sqlx::Result<Option<String>> {
    let (old_ids, old_slugs): (Vec<Uuid>, Vec<String>) = entity.redirects.iter().cloned().unzip();
    sqlx::query_scalar!(
        r#"
        SELECT slug AS "slug!" FROM entities
        WHERE slug = $1 OR (kind = $2 AND match_key = $3)
        UNION ALL
        SELECT e.slug FROM entity_redirects r JOIN entities e ON e.id = r.entity_id
        WHERE (r.old_slug = $1 AND r.old_id <> $4)
           OR (r.old_slug = ANY($6::text[]) AND NOT r.old_id = ANY($5::uuid[]))
        LIMIT 1
        "#,
        entity.slug,
        entity.kind as EntityKind,
        entity.match_key,
        entity.id,
        &old_ids,
        &old_slugs,
    )
    .fetch_optional(conn)
    .await
}

/// The entity a curation rule stores an identity as, when one does: (id, slug).
pub async fn key_rule_target(
    conn: &mut PgConnection,
    kind: EntityKind,
    key: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let row = sqlx::query!(
        r#"
        SELECT e.id, e.slug FROM curation_keys k
        LEFT JOIN entity_redirects r ON r.old_id = k.entity_id
        JOIN entities e ON e.id = COALESCE(r.entity_id, k.entity_id)
        WHERE k.kind = $1 AND k.match_key = $2
        "#,
        kind as EntityKind,
        key,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| (row.id, row.slug)))
}

/// The entity holding an identity, if one does.
pub async fn key_holder(
    conn: &mut PgConnection,
    kind: EntityKind,
    key: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let row = sqlx::query!(
        "SELECT id, slug FROM entities WHERE kind = $1 AND match_key = $2",
        kind as EntityKind,
        key,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| (row.id, row.slug)))
}

/// Sets an entity's curated fields (name, kind, Wikidata id, and which of them a curator set).
pub async fn set_fields(conn: &mut PgConnection, entity: &EntitySnapshot) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE entities SET name = $2, kind = $3, match_key = $4, wikidata_id = $5,
                            curated_fields = $6, updated_at = clock_timestamp()
        WHERE id = $1
        "#,
        entity.id,
        entity.name,
        entity.kind as EntityKind,
        entity.match_key,
        entity.wikidata_id,
        &entity.curated_fields,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks fields of an entity as set by a curator.
pub async fn set_curated(conn: &mut PgConnection, id: Uuid, fields: &[&str]) -> sqlx::Result<()> {
    let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    sqlx::query!(
        "UPDATE entities SET curated_fields = $2 WHERE id = $1",
        id,
        &fields
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether any article mentions the entity.
pub async fn has_mentions(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM article_entities WHERE entity_id = $1) AS "exists!""#,
        id
    )
    .fetch_one(conn)
    .await
}

/// Adds aliases to an entity (known ones are left alone).
pub async fn add_aliases(
    conn: &mut PgConnection,
    entity: Uuid,
    aliases: &[String],
    norms: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO entity_aliases (entity_id, alias, norm)
        SELECT $1, * FROM UNNEST($2::text[], $3::text[])
        ON CONFLICT (entity_id, alias) DO NOTHING
        "#,
        entity,
        aliases,
        norms,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes an entity's aliases by folded form; returns those removed: (alias, folded).
pub async fn remove_aliases(
    conn: &mut PgConnection,
    entity: Uuid,
    norms: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        r#"
        DELETE FROM entity_aliases WHERE entity_id = $1 AND norm = ANY($2::text[])
        RETURNING alias, norm
        "#,
        entity,
        norms,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.alias, row.norm)).collect())
}

/// Removes exactly these aliases (by surface) from an entity.
pub async fn remove_exact_aliases(
    conn: &mut PgConnection,
    entity: Uuid,
    aliases: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM entity_aliases WHERE entity_id = $1 AND alias = ANY($2::text[])",
        entity,
        aliases,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes an entity (its aliases and the redirects to it go with it).
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM entities WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes an entity, leaving its id and slug to redirect to `to`.
pub async fn retire_into(conn: &mut PgConnection, id: Uuid, to: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO entity_redirects (old_id, old_slug, entity_id)
        SELECT id, slug, $2 FROM entities WHERE id = $1
        "#,
        id,
        to,
    )
    .execute(&mut *conn)
    .await?;
    delete(conn, id).await
}

/// The entities one of whose aliases folds to `norm` (of `kind`, when given), with their
/// names and kinds.
pub async fn named(
    conn: &mut PgConnection,
    norm: &str,
    kind: Option<EntityKind>,
) -> sqlx::Result<Vec<(Uuid, String, EntityKind)>> {
    let rows = sqlx::query!(
        r#"
        SELECT DISTINCT e.id, e.name, e.kind AS "kind: EntityKind"
        FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
        WHERE a.norm = $1 AND ($2::text IS NULL OR e.kind = $2)
        ORDER BY e.id
        "#,
        norm,
        kind as Option<EntityKind>,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name, r.kind)).collect())
}

/// Stores an identity as a chosen entity (a rule of change `change`); an identity already
/// ruled keeps its rule.
pub async fn add_key_rule(
    conn: &mut PgConnection,
    change: i64,
    kind: EntityKind,
    key: &str,
    entity: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO curation_keys (kind, match_key, entity_id, change_id)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (kind, match_key) DO NOTHING
        "#,
        kind as EntityKind,
        key,
        entity,
        change,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a split rule of change `change`: mentions of `entity` folding to `alias_norm`, or the
/// one at `position`, go to `target`.
pub async fn add_split_rule(
    conn: &mut PgConnection,
    change: i64,
    entity: Uuid,
    target: Uuid,
    alias_norm: Option<&str>,
    position: Option<(Uuid, newsgraph_extract::Field, i32)>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO curation_splits
            (change_id, entity_id, target_id, alias_norm, article_id, field, start_offset)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        "#,
        change,
        entity,
        target,
        alias_norm,
        position.map(|p| p.0),
        position.map(|p| p.1) as Option<newsgraph_extract::Field>,
        position.map(|p| p.2),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Suppresses a name (for `kind`, or every kind); false when it already is.
pub async fn add_suppression(
    conn: &mut PgConnection,
    change: i64,
    name: &str,
    norm: &str,
    kind: Option<EntityKind>,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        r#"
        INSERT INTO curation_suppressions (change_id, name, norm, kind)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (norm, kind) DO NOTHING
        "#,
        change,
        name,
        norm,
        kind as Option<EntityKind>,
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Whether a name is suppressed (for `kind`, or every kind).
pub async fn is_suppressed(
    conn: &mut PgConnection,
    norm: &str,
    kind: Option<EntityKind>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"
        SELECT EXISTS (SELECT 1 FROM curation_suppressions
                       WHERE norm = $1 AND kind IS NOT DISTINCT FROM $2) AS "exists!"
        "#,
        norm,
        kind as Option<EntityKind>,
    )
    .fetch_one(conn)
    .await
}

/// Keeps an alias removed from an entity (a rule of change `change`).
pub async fn add_removed_alias(
    conn: &mut PgConnection,
    change: i64,
    entity: Uuid,
    norm: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO curation_removed_aliases (entity_id, norm, change_id) VALUES ($1, $2, $3)
        ON CONFLICT (entity_id, norm) DO NOTHING
        "#,
        entity,
        norm,
        change,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Lets a removed alias of an entity back in (an edit that adds it again).
pub async fn forget_removed_alias(
    conn: &mut PgConnection,
    entity: Uuid,
    norm: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        DELETE FROM curation_removed_aliases WHERE entity_id = $1 AND norm = $2
        RETURNING change_id
        "#,
        entity,
        norm,
    )
    .fetch_optional(conn)
    .await
}

/// Drops every rule change `change` left.
pub async fn drop_rules(conn: &mut PgConnection, change: i64) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM curation_keys WHERE change_id = $1", change)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM curation_splits WHERE change_id = $1", change)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "DELETE FROM curation_suppressions WHERE change_id = $1",
        change
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM curation_removed_aliases WHERE change_id = $1",
        change
    )
    .execute(conn)
    .await?;
    Ok(())
}
