//! Entities: resolving (kind, match key) to ids, creating the new ones with unique slugs,
//! accumulating aliases, and keeping the derived counts in step.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use newsgraph_extract::EntityKind;
use sqlx::PgConnection;
use uuid::Uuid;

/// An entity's identity as stored.
#[derive(Debug, Clone)]
pub struct EntityKey {
    /// Its id.
    pub id: Uuid,
    /// Person, place or organization.
    pub kind: EntityKind,
    /// Its match key.
    pub match_key: String,
}

/// The stored entities among these (kind, key) pairs.
#[tracing::instrument(skip_all, fields(keys = keys.len()))]
pub async fn find_by_keys(
    conn: &mut PgConnection,
    kinds: &[EntityKind],
    keys: &[String],
) -> sqlx::Result<Vec<EntityKey>> {
    sqlx::query_as!(
        EntityKey,
        r#"
        SELECT e.id, e.kind AS "kind: EntityKind", e.match_key
        FROM entities e
        JOIN UNNEST($1::text[], $2::text[]) AS k(kind, match_key)
          ON e.kind = k.kind AND e.match_key = k.match_key
        "#,
        kinds as &[EntityKind],
        keys,
    )
    .fetch_all(conn)
    .await
}

/// Which of these slugs are taken, by an entity or by a redirect.
pub async fn taken_slugs(
    conn: &mut PgConnection,
    candidates: &[String],
) -> sqlx::Result<HashSet<String>> {
    let rows = sqlx::query_scalar!(
        r#"
        SELECT slug AS "slug!" FROM entities WHERE slug = ANY($1::text[])
        UNION
        SELECT old_slug FROM entity_redirects WHERE old_slug = ANY($1::text[])
        "#,
        candidates,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Columns of new entities.
#[derive(Debug, Default)]
pub struct NewEntities {
    /// Ids (UUIDv7).
    pub ids: Vec<Uuid>,
    /// Kinds.
    pub kinds: Vec<EntityKind>,
    /// Canonical names.
    pub names: Vec<String>,
    /// Unique slugs.
    pub slugs: Vec<String>,
    /// Match keys.
    pub keys: Vec<String>,
    /// Latitudes, for places when known.
    pub latitudes: Vec<Option<f64>>,
    /// Longitudes, for places when known.
    pub longitudes: Vec<Option<f64>>,
    /// GeoNames ids, for places when known.
    pub geonames_ids: Vec<Option<i64>>,
    /// Wikidata ids, when known.
    pub wikidata_ids: Vec<Option<String>>,
}

/// Inserts new entities. The caller holds the ingest lock, so (kind, key) and slug are free.
#[tracing::instrument(skip_all, fields(entities = new.ids.len()))]
pub async fn insert(conn: &mut PgConnection, new: &NewEntities) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        r#"
        INSERT INTO entities (id, kind, name, slug, match_key, latitude, longitude, geonames_id,
                              wikidata_id)
        SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                             $6::float8[], $7::float8[], $8::bigint[], $9::text[])
        "#,
        &new.ids,
        &new.kinds as &[EntityKind],
        &new.names,
        &new.slugs,
        &new.keys,
        &new.latitudes as &[Option<f64>],
        &new.longitudes as &[Option<f64>],
        &new.geonames_ids as &[Option<i64>],
        &new.wikidata_ids as &[Option<String>],
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}

/// Adds aliases (surface forms and their folded search forms); known ones are left alone.
#[tracing::instrument(skip_all, fields(aliases = entity_ids.len()))]
pub async fn add_aliases(
    conn: &mut PgConnection,
    entity_ids: &[Uuid],
    aliases: &[String],
    norms: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO entity_aliases (entity_id, alias, norm)
        SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[])
        ON CONFLICT (entity_id, alias) DO NOTHING
        "#,
        entity_ids,
        aliases,
        norms,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Per-entity additions to the derived counts, for entities that only gained articles.
#[derive(Debug, Default)]
pub struct CountDeltas {
    /// Entities.
    pub ids: Vec<Uuid>,
    /// Articles gained.
    pub articles: Vec<i32>,
    /// Mentions gained.
    pub mentions: Vec<i32>,
    /// Earliest publication date among the gained articles.
    pub first_seen: Vec<Option<DateTime<Utc>>>,
    /// Latest publication date among the gained articles.
    pub last_seen: Vec<Option<DateTime<Utc>>>,
}

/// Adds to the derived counts of entities that gained articles and lost none: cheaper than
/// [`recount`] for entities named in thousands of articles.
#[tracing::instrument(skip_all, fields(entities = deltas.ids.len()))]
pub async fn add_counts(conn: &mut PgConnection, deltas: &CountDeltas) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE entities e SET
            article_count = e.article_count + d.articles,
            mention_count = e.mention_count + d.mentions,
            first_seen = LEAST(e.first_seen, d.first_seen),
            last_seen = GREATEST(e.last_seen, d.last_seen),
            updated_at = clock_timestamp()
        FROM UNNEST($1::uuid[], $2::int[], $3::int[], $4::timestamptz[], $5::timestamptz[])
            AS d(id, articles, mentions, first_seen, last_seen)
        WHERE e.id = d.id
        "#,
        &deltas.ids,
        &deltas.articles,
        &deltas.mentions,
        &deltas.first_seen as &[Option<DateTime<Utc>>],
        &deltas.last_seen as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Recomputes article and mention counts and first/last seen of these entities from
/// article_entities (an index-only scan per entity).
#[tracing::instrument(skip_all, fields(entities = ids.len()))]
pub async fn recount(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE entities e SET
            article_count = s.articles,
            mention_count = s.mentions,
            first_seen = s.first_seen,
            last_seen = s.last_seen,
            updated_at = clock_timestamp()
        FROM (
            SELECT ids.id,
                   count(ae.article_id)::int AS articles,
                   COALESCE(sum(ae.mention_count), 0)::int AS mentions,
                   min(ae.published_at) AS first_seen,
                   max(ae.published_at) AS last_seen
            FROM UNNEST($1::uuid[]) AS ids(id)
            LEFT JOIN article_entities ae ON ae.entity_id = ids.id
            GROUP BY ids.id
        ) s
        WHERE e.id = s.id
        "#,
        ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

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
    // The contexts are joined as a relation (hashed), not tested with = ANY per row.
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
        JOIN article_entities ae ON ae.article_id = recent.article_id AND ae.named
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

/// What the knowledge base knows of stored entities, to write where it differs.
#[derive(Debug, Default)]
pub struct KnownColumns {
    /// Entities.
    pub ids: Vec<Uuid>,
    /// Wikidata ids.
    pub wikidata_ids: Vec<Option<String>>,
    /// GeoNames ids.
    pub geonames_ids: Vec<Option<i64>>,
    /// Latitudes.
    pub latitudes: Vec<Option<f64>>,
    /// Longitudes.
    pub longitudes: Vec<Option<f64>>,
}

/// Writes the knowledge base's ids and coordinates onto stored entities that lack them or
/// carry others (entities stored before the knowledge base knew them).
#[tracing::instrument(skip_all, fields(entities = known.ids.len()))]
pub async fn set_known(conn: &mut PgConnection, known: &KnownColumns) -> sqlx::Result<u64> {
    if known.ids.is_empty() {
        return Ok(0);
    }
    let result = sqlx::query!(
        r#"
        UPDATE entities e SET
            wikidata_id = k.wikidata_id,
            geonames_id = k.geonames_id,
            latitude = k.latitude,
            longitude = k.longitude,
            updated_at = clock_timestamp()
        FROM UNNEST($1::uuid[], $2::text[], $3::bigint[], $4::float8[], $5::float8[])
            AS k(id, wikidata_id, geonames_id, latitude, longitude)
        WHERE e.id = k.id
          AND (e.wikidata_id IS DISTINCT FROM k.wikidata_id
               OR e.geonames_id IS DISTINCT FROM k.geonames_id
               OR e.latitude IS DISTINCT FROM k.latitude
               OR e.longitude IS DISTINCT FROM k.longitude)
        "#,
        &known.ids,
        &known.wikidata_ids as &[Option<String>],
        &known.geonames_ids as &[Option<i64>],
        &known.latitudes as &[Option<f64>],
        &known.longitudes as &[Option<f64>],
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
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
}

/// Every stored entity's identity.
pub async fn all_identities(conn: &mut PgConnection) -> sqlx::Result<Vec<StoredIdentity>> {
    sqlx::query_as!(
        StoredIdentity,
        r#"SELECT id, kind AS "kind: EntityKind", name, match_key, article_count FROM entities ORDER BY id"#
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
