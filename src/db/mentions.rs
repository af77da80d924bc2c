//! Mentions and the per-article, per-entity aggregate: replaced as a whole for each article
//! that is imported, updated or re-extracted.

use chrono::{DateTime, Utc};
use newsgraph_extract::Field;
use sqlx::PgConnection;
use uuid::Uuid;

/// Deletes the mentions and aggregates of these articles and returns the entities they
/// pointed at (their counts need recomputing).
#[tracing::instrument(skip_all, fields(articles = article_ids.len()))]
pub async fn delete_for_articles(
    conn: &mut PgConnection,
    article_ids: &[Uuid],
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query!(
        r#"DELETE FROM mentions WHERE article_id = ANY($1::uuid[])"#,
        article_ids,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar!(
        r#"DELETE FROM article_entities WHERE article_id = ANY($1::uuid[]) RETURNING entity_id"#,
        article_ids,
    )
    .fetch_all(&mut *conn)
    .await
}

/// Columns of mentions to insert.
#[derive(Debug, Default)]
pub struct MentionColumns {
    /// Articles.
    pub article_ids: Vec<Uuid>,
    /// Title or body.
    pub fields: Vec<Field>,
    /// Start offsets in code points.
    pub starts: Vec<i32>,
    /// End offsets in code points.
    pub ends: Vec<i32>,
    /// Entities.
    pub entity_ids: Vec<Uuid>,
    /// Surface texts.
    pub surfaces: Vec<String>,
    /// Confidences.
    pub confidences: Vec<f32>,
}

/// Inserts mentions with COPY: the largest table, loaded several times faster than with
/// INSERT ... SELECT FROM UNNEST.
#[tracing::instrument(skip_all, fields(mentions = columns.article_ids.len()))]
pub async fn insert(conn: &mut PgConnection, columns: &MentionColumns) -> sqlx::Result<()> {
    /// Bytes sent per COPY message.
    const CHUNK: usize = 1 << 20;
    if columns.article_ids.is_empty() {
        return Ok(());
    }
    let mut copy = conn
        .copy_in_raw(
            "COPY mentions (article_id, field, start_offset, end_offset, entity_id, surface, confidence) FROM STDIN",
        )
        .await?;
    let mut buffer = String::with_capacity(CHUNK + 4096);
    for i in 0..columns.article_ids.len() {
        use std::fmt::Write as _;
        let _ = write!(
            buffer,
            "{}\t{}\t{}\t{}\t{}\t",
            columns.article_ids[i],
            columns.fields[i],
            columns.starts[i],
            columns.ends[i],
            columns.entity_ids[i]
        );
        push_copy_text(&mut buffer, &columns.surfaces[i]);
        let _ = writeln!(buffer, "\t{}", columns.confidences[i]);
        if buffer.len() >= CHUNK {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.into_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// Appends `text` escaped for COPY's text format.
fn push_copy_text(buffer: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => buffer.push_str("\\\\"),
            '\t' => buffer.push_str("\\t"),
            '\n' => buffer.push_str("\\n"),
            '\r' => buffer.push_str("\\r"),
            other => buffer.push(other),
        }
    }
}

/// Columns of per-article, per-entity aggregates to insert.
#[derive(Debug, Default)]
pub struct AggregateColumns {
    /// Articles.
    pub article_ids: Vec<Uuid>,
    /// Entities.
    pub entity_ids: Vec<Uuid>,
    /// Mentions of the entity in the article.
    pub mention_counts: Vec<i32>,
    /// The article's publication date.
    pub published_at: Vec<Option<DateTime<Utc>>>,
    /// Whether the article names the entity itself (not only by a linked short form).
    pub named: Vec<bool>,
}

/// Inserts aggregates.
#[tracing::instrument(skip_all, fields(rows = columns.article_ids.len()))]
pub async fn insert_aggregates(
    conn: &mut PgConnection,
    columns: &AggregateColumns,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO article_entities (article_id, entity_id, mention_count, published_at, named)
        SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int[], $4::timestamptz[], $5::bool[])
        "#,
        &columns.article_ids,
        &columns.entity_ids,
        &columns.mention_counts,
        &columns.published_at as &[Option<DateTime<Utc>>],
        &columns.named,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Where an article's mentions are and which entity each names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The article.
    pub article_id: Uuid,
    /// `title` or `body`.
    pub field: String,
    /// Start offset in code points.
    pub start_offset: i32,
    /// The entity named there.
    pub entity_id: Uuid,
}

/// The mention positions of these articles and their entities.
#[tracing::instrument(skip_all, fields(articles = article_ids.len()))]
pub async fn positions(
    conn: &mut PgConnection,
    article_ids: &[Uuid],
) -> sqlx::Result<Vec<Position>> {
    sqlx::query_as!(
        Position,
        r#"
        SELECT article_id, field, start_offset, entity_id FROM mentions
        WHERE article_id = ANY($1::uuid[])
        "#,
        article_ids,
    )
    .fetch_all(conn)
    .await
}

/// Serializes writers: importer batches and API posts take this lock for their transaction,
/// so counts and slugs are computed on committed data only.
pub async fn lock_for_ingest(conn: &mut PgConnection) -> sqlx::Result<()> {
    // An arbitrary constant naming the ingest lock.
    const INGEST_LOCK: i64 = 0x6e65_7773_6772_6170;
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", INGEST_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_its_separators() {
        let mut buffer = String::new();

        push_copy_text(&mut buffer, "a\tb\nc\\d\re");

        assert_eq!(buffer, "a\\tb\\nc\\\\d\\re");
    }
}
