//! The article change feed (`article_changes`): which articles were stored, in commit order,
//! and the notification that tells every `serve` process about it.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// The channel `NOTIFY` announces stored articles on; its payload is the newest `seq`.
pub const CHANNEL: &str = "newsgraph_articles";

/// One entry of the feed.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Change {
    /// Its place in commit order.
    pub seq: i64,
    /// The article.
    pub article_id: Uuid,
}

/// Renumbers `ids` at the end of the feed and notifies listeners when the transaction
/// commits. Must run under the ingest lock, so that numbers follow the order of commits.
#[tracing::instrument(skip_all, fields(articles = ids.len()))]
pub async fn record(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let newest = sqlx::query_scalar!(
        r#"
        WITH written AS (
            INSERT INTO article_changes (article_id, seq, changed_at)
            SELECT id, nextval('article_changes_seq'), clock_timestamp()
            FROM UNNEST($1::uuid[]) WITH ORDINALITY AS w(id, n)
            ORDER BY n
            ON CONFLICT (article_id) DO UPDATE
                SET seq = EXCLUDED.seq, changed_at = EXCLUDED.changed_at
            RETURNING seq
        )
        SELECT max(seq) AS "newest!" FROM written
        "#,
        ids,
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("SELECT pg_notify($1, $2)", CHANNEL, newest.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The entries after `seq`, oldest first, at most `limit`.
pub async fn after(
    executor: impl PgExecutor<'_>,
    seq: i64,
    limit: i64,
) -> sqlx::Result<Vec<Change>> {
    sqlx::query_as!(
        Change,
        r#"SELECT seq, article_id FROM article_changes WHERE seq > $1 ORDER BY seq LIMIT $2"#,
        seq,
        limit,
    )
    .fetch_all(executor)
    .await
}

/// The newest `seq` committed (0 before any).
pub async fn newest(executor: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT COALESCE(max(seq), 0) AS "seq!" FROM article_changes"#)
        .fetch_one(executor)
        .await
}
