//! What linking entities across articles reads (see `ingest::linking`): stored persons
//! by surname, organizations by acronym or by the start of their key, the entities named
//! alongside a candidate, and how many articles name each.

use sqlx::PgConnection;
use uuid::Uuid;

/// A stored person whose match key ends in a given surname.
#[derive(Debug, Clone)]
pub struct SurnameCandidate {
    /// Its id.
    pub id: Uuid,
    /// Its match key ("person:aleksandar vucic", or "person:vucic" for a lone surname).
    pub match_key: String,
    /// The last word of the key.
    pub surname: String,
    /// Articles naming it.
    pub article_count: i32,
}

/// Stored persons whose name ends in one of these (folded) surnames.
#[tracing::instrument(skip_all, fields(surnames = surnames.len()))]
pub async fn persons_by_surname(
    conn: &mut PgConnection,
    surnames: &[String],
) -> sqlx::Result<Vec<SurnameCandidate>> {
    sqlx::query_as!(
        SurnameCandidate,
        r#"
        SELECT id, match_key,
               split_part(split_part(match_key, ':', 2), ' ', -1) AS "surname!",
               article_count
        FROM entities
        WHERE kind = 'person'
          AND split_part(split_part(match_key, ':', 2), ' ', -1) = ANY($1::text[])
        "#,
        surnames,
    )
    .fetch_all(conn)
    .await
}

/// A stored organization seen under an acronym.
#[derive(Debug, Clone)]
pub struct AcronymCandidate {
    /// Its id.
    pub id: Uuid,
    /// Its match key.
    pub match_key: String,
    /// The acronym, folded ("un" for "U.N.").
    pub alias: String,
}

/// Stored organizations having one of these folded acronyms as an alias.
#[tracing::instrument(skip_all, fields(acronyms = acronyms.len()))]
pub async fn organizations_by_alias(
    conn: &mut PgConnection,
    acronyms: &[String],
) -> sqlx::Result<Vec<AcronymCandidate>> {
    if acronyms.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        AcronymCandidate,
        r#"
        SELECT e.id, e.match_key, a.norm AS alias
        FROM entity_aliases a
        JOIN entities e ON e.id = a.entity_id
        WHERE a.norm = ANY($1::text[]) AND e.kind = 'organization'
        "#,
        acronyms,
    )
    .fetch_all(conn)
    .await
}

/// How often a candidate entity appears with a context entity.
#[derive(Debug, Clone)]
pub struct CoMention {
    /// The candidate.
    pub candidate: Uuid,
    /// The entity it appears with.
    pub context: Uuid,
    /// Articles naming both, among the candidate's newest `per_candidate`.
    pub articles: i64,
}

/// For each candidate, the context entities that appear with it in its newest
/// `per_candidate` articles that name it (not only by a linked short form), other than
/// `excluded` (the articles being written), and in how many of them. Contexts count where
/// those articles name them too, so that evidence never rests on earlier links.
#[tracing::instrument(skip_all, fields(candidates = candidates.len(), contexts = contexts.len()))]
pub async fn co_mentions(
    conn: &mut PgConnection,
    candidates: &[Uuid],
    contexts: &[Uuid],
    excluded: &[Uuid],
    per_candidate: i64,
) -> sqlx::Result<Vec<CoMention>> {
    if candidates.is_empty() || contexts.is_empty() {
        return Ok(Vec::new());
    }
    // Both steps are bounded by the candidates and the limit, whatever the table's size: the
    // newest-first walk is an index-only scan of article_entities_entity_recent_idx that stops
    // at the limit, and each of those articles' rows is read by primary key and joined to the
    // contexts as a hashed relation (`OFFSET 0` keeps that a per-article read: flattened into
    // a join, PostgreSQL may instead read every row of each context entity, which for a common
    // one grows with the corpus; testing the contexts inside the probe, with = ANY, costs an
    // index descent per context and article, and tripled the import's time).
    sqlx::query_as!(
        CoMention,
        r#"
        SELECT c.id AS "candidate!", ae.entity_id AS "context!", count(*) AS "articles!"
        FROM UNNEST($1::uuid[]) AS c(id)
        CROSS JOIN LATERAL (
            SELECT article_id FROM article_entities
            WHERE entity_id = c.id AND named AND article_id <> ALL($3::uuid[])
            ORDER BY COALESCE(published_at, '-infinity'::timestamptz) DESC, article_id DESC
            LIMIT $4
        ) recent
        CROSS JOIN LATERAL (
            SELECT entity_id FROM article_entities
            WHERE article_id = recent.article_id AND named
            OFFSET 0
        ) ae
        JOIN (SELECT DISTINCT x FROM UNNEST($2::uuid[]) AS x) ctx ON ctx.x = ae.entity_id
        WHERE ae.entity_id <> c.id
        GROUP BY c.id, ae.entity_id
        "#,
        candidates,
        contexts,
        excluded,
        per_candidate,
    )
    .fetch_all(conn)
    .await
}

/// The article counts of these entities.
pub async fn article_counts(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"SELECT id, article_count::bigint AS "articles!" FROM entities WHERE id = ANY($1::uuid[])"#,
        ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.articles)).collect())
}

/// A stored organization and its match key.
#[derive(Debug, Clone)]
pub struct OrganizationKey {
    /// Its id.
    pub id: Uuid,
    /// Its match key.
    pub match_key: String,
}

/// Stored organizations whose name (match key without the kind) begins or ends with one of
/// these folded short forms, followed or preceded by more words.
#[tracing::instrument(skip_all, fields(forms = forms.len()))]
pub async fn organizations_extending(
    conn: &mut PgConnection,
    forms: &[String],
) -> sqlx::Result<Vec<OrganizationKey>> {
    if forms.is_empty() {
        return Ok(Vec::new());
    }
    // Ranges over the text_pattern_ops indexes: ' ' (0x20) is followed by '!' (0x21).
    sqlx::query_as!(
        OrganizationKey,
        r#"
        SELECT e.id AS "id!", e.match_key AS "match_key!"
        FROM UNNEST($1::text[]) AS s(form)
        CROSS JOIN LATERAL (
            SELECT id, match_key FROM entities
            WHERE kind = 'organization'
              AND match_key ~>=~ ('organization:' || s.form || ' ')
              AND match_key ~<~ ('organization:' || s.form || '!')
            UNION ALL
            SELECT id, match_key FROM entities
            WHERE kind = 'organization'
              AND reverse(match_key) ~>=~ (reverse(s.form) || ' ')
              AND reverse(match_key) ~<~ (reverse(s.form) || '!')
        ) e
        "#,
        forms,
    )
    .fetch_all(conn)
    .await
}
