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
