//! The rules curation leaves behind, as every later write of extracted entities reads them
//! (imports, `POST /v1/articles`, `reextract`, `resolve`): identities stored as a chosen
//! entity, mentions split off to another, names that are not entities, aliases removed.
//! Rules name entities by id and are followed through `entity_redirects`, so a rule about
//! an entity merged later applies to its survivor. Writing the rules is
//! [`super::curation_ops`]'s.

use newsgraph_extract::{EntityKind, Field};
use sqlx::PgConnection;
use uuid::Uuid;

/// An extracted identity that a curation stores as a chosen entity.
#[derive(Debug, Clone)]
pub struct KeyRule {
    /// The identity's kind.
    pub kind: EntityKind,
    /// Its match key.
    pub match_key: String,
    /// The entity it is stored as (its survivor, when merged since).
    pub entity_id: Uuid,
}

/// Which of these identities a curation stores as a chosen entity, with that entity (only
/// those whose entity exists).
#[tracing::instrument(skip_all, fields(keys = keys.len()))]
pub async fn key_rules(
    conn: &mut PgConnection,
    kinds: &[EntityKind],
    keys: &[String],
) -> sqlx::Result<Vec<KeyRule>> {
    sqlx::query_as!(
        KeyRule,
        r#"
        SELECT k.kind AS "kind: EntityKind", k.match_key, e.id AS entity_id
        FROM UNNEST($1::text[], $2::text[]) AS w(kind, match_key)
        JOIN curation_keys k ON k.kind = w.kind AND k.match_key = w.match_key
        LEFT JOIN entity_redirects r ON r.old_id = k.entity_id
        JOIN entities e ON e.id = COALESCE(r.entity_id, k.entity_id)
        "#,
        kinds as &[EntityKind],
        keys,
    )
    .fetch_all(conn)
    .await
}

/// A split: mentions of `entity_id` go to `target_id`.
#[derive(Debug, Clone)]
pub struct SplitRule {
    /// The entity whose mentions it takes (its survivor, when merged since).
    pub entity_id: Uuid,
    /// Where they go (its survivor, when merged since).
    pub target_id: Uuid,
    /// Every mention whose surface folds to this...
    pub alias_norm: Option<String>,
    /// ...or the one mention in this article...
    pub article_id: Option<Uuid>,
    /// ...in this field...
    pub field: Option<Field>,
    /// ...at this offset.
    pub start_offset: Option<i32>,
}

/// The split rules about these entities, newest last (a later rule wins).
#[tracing::instrument(skip_all, fields(entities = entity_ids.len()))]
pub async fn split_rules(
    conn: &mut PgConnection,
    entity_ids: &[Uuid],
) -> sqlx::Result<Vec<SplitRule>> {
    sqlx::query_as!(
        SplitRule,
        r#"
        SELECT COALESCE(rf.entity_id, s.entity_id) AS "entity_id!",
               t.id AS target_id,
               s.alias_norm, s.article_id, s.field AS "field: Field", s.start_offset
        FROM curation_splits s
        LEFT JOIN entity_redirects rf ON rf.old_id = s.entity_id
        LEFT JOIN entity_redirects rt ON rt.old_id = s.target_id
        JOIN entities t ON t.id = COALESCE(rt.entity_id, s.target_id)
        WHERE COALESCE(rf.entity_id, s.entity_id) = ANY($1::uuid[])
        ORDER BY s.change_id
        "#,
        entity_ids,
    )
    .fetch_all(conn)
    .await
}

/// Every suppressed name: its folded form and the kind it applies to (`None`: every kind).
pub async fn suppressions(
    conn: &mut PgConnection,
) -> sqlx::Result<Vec<(String, Option<EntityKind>)>> {
    let rows = sqlx::query!(
        r#"SELECT norm, kind AS "kind: EntityKind" FROM curation_suppressions ORDER BY norm"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.norm, row.kind)).collect())
}

/// The aliases removed from these entities by a curator: (entity, folded alias).
pub async fn removed_aliases(
    conn: &mut PgConnection,
    entity_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        r#"
        SELECT COALESCE(r.entity_id, a.entity_id) AS "entity_id!", a.norm
        FROM curation_removed_aliases a
        LEFT JOIN entity_redirects r ON r.old_id = a.entity_id
        WHERE COALESCE(r.entity_id, a.entity_id) = ANY($1::uuid[])
        "#,
        entity_ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.entity_id, row.norm))
        .collect())
}

/// A suppressed name as the API lists it.
#[derive(Debug, Clone)]
pub struct SuppressionRow {
    /// The name as the curator wrote it.
    pub name: String,
    /// The kind it applies to (`None`: every kind).
    pub kind: Option<EntityKind>,
    /// The change that suppressed it.
    pub change_id: i64,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The suppressed names after change number `after`, oldest first.
pub async fn suppression_page(
    executor: impl sqlx::PgExecutor<'_>,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<SuppressionRow>> {
    sqlx::query_as!(
        SuppressionRow,
        r#"
        SELECT s.name, s.kind AS "kind: EntityKind", s.change_id, c.actor, c.reason, c.created_at
        FROM curation_suppressions s JOIN curation_changes c ON c.id = s.change_id
        WHERE s.change_id > $1
        ORDER BY s.change_id
        LIMIT $2
        "#,
        after,
        limit,
    )
    .fetch_all(executor)
    .await
}

/// Which of these entities a curator named, typed or made (their `curated_fields` is not
/// empty): automatic merges leave them alone.
pub async fn curated_among(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM entities WHERE id = ANY($1::uuid[]) AND curated_fields <> '{}'",
        ids,
    )
    .fetch_all(conn)
    .await
}
