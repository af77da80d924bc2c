//! The curation change log: one append-only row per change (the table refuses updates and
//! deletes), read as a feed, as one entity's history, and by `undo`.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A change as the API shows it.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    /// Its number. Changes are made one at a time under the ingest lock, so numbers grow in
    /// commit order; there are gaps (a refused change or a dry run uses a number up).
    pub id: i64,
    /// merge, split, edit, suppress or undo.
    pub operation: String,
    /// The entity it is about, when one.
    pub entity_id: Option<Uuid>,
    /// Every entity it touched.
    pub entities: Vec<Uuid>,
    /// The name of the token (or command-line user) that made it.
    pub actor: String,
    /// Why, as its author said.
    pub reason: Option<String>,
    /// What was asked.
    pub request: Value,
    /// The change it undid, for an undo.
    pub undoes: Option<i64>,
    /// The change that undid it, if one did.
    pub undone_by: Option<i64>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A change to write.
#[derive(Debug)]
pub struct NewChange<'a> {
    /// merge, split, edit, suppress or undo.
    pub operation: &'a str,
    /// The entity it is about.
    pub entity_id: Option<Uuid>,
    /// Every entity it touches.
    pub entities: &'a [Uuid],
    /// Who makes it.
    pub actor: &'a str,
    /// Why.
    pub reason: Option<&'a str>,
    /// What was asked.
    pub request: &'a Value,
    /// What an undo needs.
    pub undo: &'a Value,
    /// The change it undoes.
    pub undoes: Option<i64>,
}

/// Appends a change; returns its number and time. The undo record also gets `xact`: this
/// transaction's id and the oldest transaction still running, so that an undo can tell the
/// rows written after the change (by transactions that were running then or began later)
/// from those written before (see `curation_moves::written_since`).
pub async fn insert(
    conn: &mut PgConnection,
    change: &NewChange<'_>,
) -> sqlx::Result<(i64, DateTime<Utc>)> {
    let row = sqlx::query!(
        r#"
        INSERT INTO curation_changes
            (operation, entity_id, entities, actor, reason, request, undo, undoes)
        VALUES ($1, $2, $3, $4, $5, $6,
                $7::jsonb || jsonb_build_object('xact', jsonb_build_object(
                    'snapshot_xmin', pg_snapshot_xmin(pg_current_snapshot())::text,
                    'xid', pg_current_xact_id()::text)),
                $8)
        RETURNING id, created_at
        "#,
        change.operation,
        change.entity_id,
        change.entities,
        change.actor,
        change.reason,
        change.request,
        change.undo,
        change.undoes,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.created_at))
}

/// A change by number.
pub async fn by_id(executor: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<ChangeRow>> {
    sqlx::query_as!(
        ChangeRow,
        r#"
        SELECT c.id, c.operation, c.entity_id, c.entities, c.actor, c.reason, c.request,
               c.undoes, (SELECT u.id FROM curation_changes u WHERE u.undoes = c.id) AS undone_by,
               c.created_at
        FROM curation_changes c WHERE c.id = $1
        "#,
        id,
    )
    .fetch_optional(executor)
    .await
}

/// What `undo` reads of a change.
#[derive(Debug)]
pub struct UndoRecord {
    /// The entity the change was about.
    pub entity_id: Option<Uuid>,
    /// The operation undone.
    pub operation: String,
    /// The entities it touched.
    pub entities: Vec<Uuid>,
    /// What it replaced.
    pub undo: Value,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The undo that already undid it.
    pub undone_by: Option<i64>,
}

/// A change as `undo` needs it.
pub async fn undo_record(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<UndoRecord>> {
    sqlx::query_as!(
        UndoRecord,
        r#"
        SELECT c.entity_id, c.operation, c.entities, c.undo, c.created_at,
               (SELECT u.id FROM curation_changes u WHERE u.undoes = c.id) AS undone_by
        FROM curation_changes c WHERE c.id = $1
        "#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// The first change after `id` that touched any of `entities` and is still in force (not an
/// undo, not undone): an undo of `id` would pull the ground from under it.
pub async fn later_change(
    conn: &mut PgConnection,
    id: i64,
    entities: &[Uuid],
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        SELECT c.id FROM curation_changes c
        WHERE c.id > $1 AND c.entities && $2::uuid[] AND c.operation <> 'undo'
          AND NOT EXISTS (SELECT 1 FROM curation_changes u WHERE u.undoes = c.id)
        ORDER BY c.id LIMIT 1
        "#,
        id,
        entities,
    )
    .fetch_optional(conn)
    .await
}

/// The feed: changes after number `after` (and made at or after `since`), oldest first.
pub async fn feed(
    executor: impl PgExecutor<'_>,
    after: i64,
    since: Option<DateTime<Utc>>,
    limit: i64,
) -> sqlx::Result<Vec<ChangeRow>> {
    sqlx::query_as!(
        ChangeRow,
        r#"
        SELECT c.id, c.operation, c.entity_id, c.entities, c.actor, c.reason, c.request,
               c.undoes, (SELECT u.id FROM curation_changes u WHERE u.undoes = c.id) AS undone_by,
               c.created_at
        FROM curation_changes c
        WHERE c.id > $1 AND ($2::timestamptz IS NULL OR c.created_at >= $2)
        ORDER BY c.id
        LIMIT $3
        "#,
        after,
        since,
        limit,
    )
    .fetch_all(executor)
    .await
}

/// One entity's history: the changes that touched it, newest first, before number `before`.
pub async fn history(
    executor: impl PgExecutor<'_>,
    entity: Uuid,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<ChangeRow>> {
    sqlx::query_as!(
        ChangeRow,
        r#"
        SELECT c.id, c.operation, c.entity_id, c.entities, c.actor, c.reason, c.request,
               c.undoes, (SELECT u.id FROM curation_changes u WHERE u.undoes = c.id) AS undone_by,
               c.created_at
        FROM curation_changes c
        WHERE c.entities @> ARRAY[$1::uuid] AND c.id < $2
        ORDER BY c.id DESC
        LIMIT $3
        "#,
        entity,
        before,
        limit,
    )
    .fetch_all(executor)
    .await
}
