//! Mentions that curation moves between entities or removes, each recorded in
//! `curation_moves` under its change so that an undo puts back exactly those; and the
//! per-article aggregates rebuilt after such moves.

use newsgraph_extract::Field;
use sqlx::PgConnection;
use uuid::Uuid;

/// A mention's place, and its surface.
#[derive(Debug, Clone)]
pub struct MentionAt {
    /// Article.
    pub article_id: Uuid,
    /// Title or body.
    pub field: Field,
    /// Start offset.
    pub start_offset: i32,
    /// Surface text.
    pub surface: String,
}

/// Every mention of an entity.
pub async fn mentions_of(conn: &mut PgConnection, entity: Uuid) -> sqlx::Result<Vec<MentionAt>> {
    // Through article_entities: mentions are indexed by article.
    sqlx::query_as!(
        MentionAt,
        r#"
        SELECT m.article_id, m.field AS "field: Field", m.start_offset, m.surface
        FROM mentions m
        WHERE m.entity_id = $1
          AND m.article_id IN (SELECT article_id FROM article_entities WHERE entity_id = $1)
        "#,
        entity,
    )
    .fetch_all(conn)
    .await
}

/// Records every mention of `from` as moved to `to` by change `change` (before a merge moves
/// them).
pub async fn record_all(
    conn: &mut PgConnection,
    change: i64,
    from: Uuid,
    to: Uuid,
) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        r#"
        INSERT INTO curation_moves (change_id, article_id, field, start_offset, from_entity, to_entity)
        SELECT $1, m.article_id, m.field, m.start_offset, $2, $3
        FROM mentions m
        WHERE m.entity_id = $2
          AND m.article_id IN (SELECT article_id FROM article_entities WHERE entity_id = $2)
        "#,
        change,
        from,
        to,
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}

/// Moves these mentions of `from` to `to` (or removes them, with `to` `None`), recording
/// each under `change`. Returns the articles touched.
pub async fn move_mentions(
    conn: &mut PgConnection,
    change: i64,
    from: Uuid,
    to: Option<Uuid>,
    mentions: &[MentionAt],
) -> sqlx::Result<Vec<Uuid>> {
    let articles: Vec<Uuid> = mentions.iter().map(|m| m.article_id).collect();
    let fields: Vec<Field> = mentions.iter().map(|m| m.field).collect();
    let starts: Vec<i32> = mentions.iter().map(|m| m.start_offset).collect();
    sqlx::query!(
        r#"
        INSERT INTO curation_moves
            (change_id, article_id, field, start_offset, from_entity, to_entity,
             end_offset, surface, confidence)
        SELECT $1, m.article_id, m.field, m.start_offset, $2, $3,
               m.end_offset, m.surface, m.confidence
        FROM UNNEST($4::uuid[], $5::text[], $6::int[]) AS w(article_id, field, start_offset)
        JOIN mentions m ON m.article_id = w.article_id AND m.field = w.field
                       AND m.start_offset = w.start_offset AND m.entity_id = $2
        "#,
        change,
        from,
        to,
        &articles,
        &fields as &[Field],
        &starts,
    )
    .execute(&mut *conn)
    .await?;
    let touched = match to {
        Some(to) => {
            sqlx::query_scalar!(
                r#"
                UPDATE mentions m SET entity_id = $2
                FROM curation_moves mv
                WHERE mv.change_id = $1 AND mv.from_entity = $3
                  AND m.article_id = mv.article_id AND m.field = mv.field
                  AND m.start_offset = mv.start_offset AND m.entity_id = $3
                RETURNING m.article_id
                "#,
                change,
                to,
                from,
            )
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_scalar!(
                r#"
                DELETE FROM mentions m
                USING curation_moves mv
                WHERE mv.change_id = $1 AND mv.from_entity = $2 AND mv.to_entity IS NULL
                  AND m.article_id = mv.article_id AND m.field = mv.field
                  AND m.start_offset = mv.start_offset AND m.entity_id = $2
                RETURNING m.article_id
                "#,
                change,
                from,
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(dedup(touched))
}

/// Puts back what change `change` moved or removed, where the text still has those mentions
/// as the change left them. Returns the articles touched.
pub async fn reverse(conn: &mut PgConnection, change: i64) -> sqlx::Result<Vec<Uuid>> {
    let mut touched = sqlx::query_scalar!(
        r#"
        UPDATE mentions m SET entity_id = mv.from_entity
        FROM curation_moves mv
        WHERE mv.change_id = $1 AND mv.to_entity IS NOT NULL
          AND m.article_id = mv.article_id AND m.field = mv.field
          AND m.start_offset = mv.start_offset AND m.entity_id = mv.to_entity
        RETURNING m.article_id
        "#,
        change,
    )
    .fetch_all(&mut *conn)
    .await?;
    touched.extend(
        sqlx::query_scalar!(
            r#"
            INSERT INTO mentions
                (article_id, field, start_offset, end_offset, entity_id, surface, confidence)
            SELECT mv.article_id, mv.field, mv.start_offset, mv.end_offset, mv.from_entity,
                   mv.surface, mv.confidence
            FROM curation_moves mv
            JOIN entities e ON e.id = mv.from_entity
            WHERE mv.change_id = $1 AND mv.to_entity IS NULL
            ON CONFLICT (article_id, field, start_offset) DO NOTHING
            RETURNING article_id
            "#,
            change,
        )
        .fetch_all(&mut *conn)
        .await?,
    );
    Ok(dedup(touched))
}

/// Rebuilds the per-article aggregates of these entities in these articles from their
/// mentions (a pair without mentions loses its row). An article keeps what it said of
/// naming an entity; a pair new to it counts as named.
pub async fn rebuild_aggregates(
    conn: &mut PgConnection,
    articles: &[Uuid],
    entities: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO article_entities (article_id, entity_id, mention_count, published_at, named)
        SELECT m.article_id, m.entity_id, count(*)::int, a.published_at, true
        FROM mentions m JOIN articles a ON a.id = m.article_id
        WHERE m.article_id = ANY($1::uuid[]) AND m.entity_id = ANY($2::uuid[])
        GROUP BY m.article_id, m.entity_id, a.published_at
        ON CONFLICT (article_id, entity_id)
        DO UPDATE SET mention_count = EXCLUDED.mention_count
        "#,
        articles,
        entities,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        DELETE FROM article_entities ae
        WHERE ae.article_id = ANY($1::uuid[]) AND ae.entity_id = ANY($2::uuid[])
          AND NOT EXISTS (
              SELECT 1 FROM mentions m
              WHERE m.article_id = ae.article_id AND m.entity_id = ae.entity_id
          )
        "#,
        articles,
        entities,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The articles whose entities were written by a transaction that was running when change
/// transaction `change_xid` wrote its log row, or began after it (`snapshot_xmin` was the
/// oldest one running then), other than the change's own and this one: those that name any
/// of `entities` now, and, with `name`, those that contain the name (its words in the
/// full-text vector, or its text for a name of stop words only). Transaction ids are compared
/// by age, which holds for 2^31 transactions.
pub async fn written_since(
    conn: &mut PgConnection,
    entities: &[Uuid],
    name: Option<&str>,
    snapshot_xmin: i64,
    change_xid: i64,
) -> sqlx::Result<Vec<Uuid>> {
    let pattern = name.map(|name| {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    sqlx::query_scalar!(
        r#"
        WITH since AS (
            SELECT LEAST(pg_current_xact_id()::text::bigint - $3 + 1, 2147483647)::int AS age,
                   ARRAY[($4::bigint % 4294967296)::text,
                         (pg_current_xact_id()::text::bigint % 4294967296)::text] AS own
        ), query AS (
            SELECT phraseto_tsquery('newsgraph_english'::regconfig, COALESCE($2, '')) AS q
        )
        SELECT ae.article_id AS "id!"
        FROM article_entities ae, since
        WHERE ae.entity_id = ANY($1::uuid[])
          AND age(ae.xmin) <= since.age AND NOT (ae.xmin::text = ANY(since.own))
        UNION
        SELECT a.id
        FROM articles a, since, query
        WHERE $2::text IS NOT NULL
          AND CASE WHEN numnode(query.q) > 0 THEN a.search @@ query.q
                   ELSE a.title ILIKE $5 OR a.body ILIKE $5 END
          AND EXISTS (
              SELECT 1 FROM article_entities ae
              WHERE ae.article_id = a.id
                AND age(ae.xmin) <= since.age AND NOT (ae.xmin::text = ANY(since.own))
          )
        "#,
        entities,
        name,
        snapshot_xmin,
        change_xid,
        pattern,
    )
    .fetch_all(conn)
    .await
    .map(dedup)
}

fn dedup(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort_unstable();
    ids.dedup();
    ids
}
