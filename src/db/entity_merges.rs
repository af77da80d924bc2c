//! Merging and re-keying stored entities (the `resolve` command and linking): one entity
//! folded into another with redirects, entities no article names any more, and every
//! entity's identity for re-keying.

use newsgraph_extract::EntityKind;
use sqlx::PgConnection;
use uuid::Uuid;

/// Merges entity `from` into `into`: its mentions, aggregates and aliases move over, its id
/// and slug become redirects, and it is deleted. The caller recounts `into`.
#[tracing::instrument(skip_all, fields(entity.from = %from, entity.into = %into))]
pub async fn merge_into(conn: &mut PgConnection, from: Uuid, into: Uuid) -> sqlx::Result<()> {
    // Through article_entities: mentions are indexed by article only.
    sqlx::query!(
        r#"
        UPDATE mentions SET entity_id = $2
        WHERE entity_id = $1
          AND article_id IN (SELECT article_id FROM article_entities WHERE entity_id = $1)
        "#,
        from,
        into,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        INSERT INTO article_entities (article_id, entity_id, mention_count, published_at, named)
        SELECT article_id, $2, mention_count, published_at, named
        FROM article_entities WHERE entity_id = $1
        ON CONFLICT (article_id, entity_id)
        DO UPDATE SET mention_count = article_entities.mention_count + EXCLUDED.mention_count,
                      named = article_entities.named OR EXCLUDED.named
        "#,
        from,
        into,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM article_entities WHERE entity_id = $1", from)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        INSERT INTO entity_aliases (entity_id, alias, norm)
        SELECT $2, alias, norm FROM entity_aliases WHERE entity_id = $1
        ON CONFLICT (entity_id, alias) DO NOTHING
        "#,
        from,
        into,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE entity_redirects SET entity_id = $2 WHERE entity_id = $1",
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        INSERT INTO entity_redirects (old_id, old_slug, entity_id)
        SELECT id, slug, $2 FROM entities WHERE id = $1
        "#,
        from,
        into,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM entities WHERE id = $1", from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Which of these entities no article names any more, with their names.
pub async fn unnamed(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        r#"
        SELECT e.id, e.name FROM entities e
        WHERE e.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM article_entities ae WHERE ae.entity_id = e.id)
        "#,
        ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

/// Deletes entities no article names and nothing took over (their mentions were dropped as
/// junk), with the redirects that led to them.
pub async fn delete_unnamed(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        r#"
        DELETE FROM entities e
        WHERE e.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM article_entities ae WHERE ae.entity_id = e.id)
        "#,
        ids,
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}

/// A stored entity's identity and weight, for re-keying.
#[derive(Debug, Clone)]
pub struct StoredIdentity {
    /// Its id.
    pub id: Uuid,
    /// Person, place or organization.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Its match key.
    pub match_key: String,
    /// Articles naming it.
    pub article_count: i32,
    /// Whether a curator set its name or type (then its key and name are not changed).
    pub curated: bool,
}

/// Every stored entity's identity.
pub async fn all_identities(conn: &mut PgConnection) -> sqlx::Result<Vec<StoredIdentity>> {
    sqlx::query_as!(
        StoredIdentity,
        r#"
        SELECT id, kind AS "kind: EntityKind", name, match_key, article_count,
               curated_fields && ARRAY['name', 'type'] AS "curated!"
        FROM entities ORDER BY id
        "#
    )
    .fetch_all(conn)
    .await
}

/// Gives an entity a new match key and name (the caller made sure the key is free).
pub async fn set_key(conn: &mut PgConnection, id: Uuid, key: &str, name: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE entities SET match_key = $2, name = $3, updated_at = clock_timestamp() WHERE id = $1",
        id,
        key,
        name,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Which of these entities an article other than `excluded` names itself (not only by a
/// linked short form).
pub async fn named_elsewhere(
    conn: &mut PgConnection,
    ids: &[Uuid],
    excluded: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_scalar!(
        r#"
        SELECT c.id AS "id!" FROM UNNEST($1::uuid[]) AS c(id)
        WHERE EXISTS (
            SELECT 1 FROM article_entities ae
            WHERE ae.entity_id = c.id AND ae.named AND ae.article_id <> ALL($2::uuid[])
        )
        "#,
        ids,
        excluded,
    )
    .fetch_all(conn)
    .await
}
