//! Sources: publisher domains and their display names.

use std::collections::HashMap;

use sqlx::PgConnection;

/// Makes sure every domain has a row and returns the ids by domain. A name given by the input
/// replaces a name that was only the domain.
#[tracing::instrument(skip_all, fields(sources = domains.len()))]
pub async fn upsert(
    conn: &mut PgConnection,
    domains: &[String],
    names: &[String],
) -> sqlx::Result<HashMap<String, i32>> {
    sqlx::query!(
        r#"
        INSERT INTO sources (domain, name)
        SELECT * FROM UNNEST($1::text[], $2::text[])
        ON CONFLICT (domain) DO UPDATE SET name = EXCLUDED.name
        WHERE sources.name = sources.domain AND EXCLUDED.name <> EXCLUDED.domain
        "#,
        domains,
        names,
    )
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT id, domain FROM sources WHERE domain = ANY($1::text[])"#,
        domains,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.domain, row.id)).collect())
}

/// A source as the API lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceRow {
    /// The domain.
    pub domain: String,
    /// The display name.
    pub name: String,
    /// Stored articles.
    pub article_count: i64,
    /// Earliest publication date.
    pub first_published: Option<chrono::DateTime<chrono::Utc>>,
    /// Latest publication date.
    pub last_published: Option<chrono::DateTime<chrono::Utc>>,
}

/// A page of sources, by domain.
pub async fn list(
    executor: impl sqlx::PgExecutor<'_>,
    after_domain: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<SourceRow>> {
    sqlx::query_as!(
        SourceRow,
        r#"
        SELECT s.domain, s.name,
               count(a.id) AS "article_count!",
               min(a.published_at) AS first_published,
               max(a.published_at) AS last_published
        FROM sources s LEFT JOIN articles a ON a.source_id = s.id
        WHERE $1::text IS NULL OR s.domain > $1
        GROUP BY s.id
        ORDER BY s.domain
        LIMIT $2
        "#,
        after_domain,
        limit,
    )
    .fetch_all(executor)
    .await
}
