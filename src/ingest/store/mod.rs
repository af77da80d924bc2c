//! Writing a batch of extracted articles: one transaction, bulk statements, under the ingest
//! lock. Sources and entities are created as needed, entities merged by (kind, match key),
//! each article's mentions and aggregates replaced, aliases accumulated, and the counts of
//! every entity touched recomputed. Which entity each extracted one is stored as is
//! `identities`'s; the curation rules applied on the way are `curated`'s.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use newsgraph_extract::{Extraction, Field};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::record::{ArticleInput, Location};
use crate::db::{article_feed, articles, entities, mentions, sources};
use crate::names;
use curated::MentionRules;
use identities::{EntityIds, resolve_entities};

mod curated;
mod identities;

/// An article with its extraction, ready to store.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Where it came from (none for API posts and re-extraction).
    pub location: Option<Location>,
    /// The article.
    pub article: ArticleInput,
    /// Its entities and mentions.
    pub extraction: Extraction,
}

/// What storing one article did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredArticle {
    /// The article's id.
    pub id: Uuid,
    /// Whether it was new.
    pub inserted: bool,
}

/// What storing a batch did.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    /// One entry per prepared article, in order.
    pub articles: Vec<StoredArticle>,
    /// Entities created.
    pub entities_created: u64,
    /// Mentions written.
    pub mentions: u64,
}

/// Stores a batch in one transaction. Nothing of it is visible until it commits, and nothing
/// of it remains if it fails or the process dies (but for its sources, created beforehand:
/// a source without articles is harmless).
///
/// The articles are written before the ingest lock is taken, so that several writers compute
/// their articles' full-text vectors (the costliest part) at the same time; the entities,
/// mentions and counts that follow are written one batch at a time. Concurrent batches must
/// not share a URL (the importer holds back a batch whose URLs are still being written).
#[tracing::instrument(skip_all, fields(articles = batch.len()))]
pub async fn store_batch(
    pool: &PgPool,
    extractor_version: &str,
    batch: &[Prepared],
) -> sqlx::Result<BatchOutcome> {
    let source_ids = {
        let mut conn = pool.acquire().await?;
        upsert_sources(&mut conn, batch).await?
    };
    let mut tx = pool.begin().await?;
    let stored = write_articles(&mut tx, extractor_version, batch, &source_ids).await?;
    mentions::lock_for_ingest(&mut tx).await?;
    let ids: Vec<Uuid> = stored.iter().map(|article| article.id).collect();
    let outcome = write_entities(&mut tx, batch, stored).await?;
    article_feed::record(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Stores new extractions of stored articles whose content did not change (`reextract`,
/// `resolve`): their rows stay as they are but for the extractor version, and their
/// entities, mentions and counts are written as [`store_batch`] writes them. An article whose
/// content changed since it was read is skipped (its own import extracts it).
/// `ids` are the articles' ids, in batch order.
#[tracing::instrument(skip_all, fields(articles = batch.len()))]
pub async fn store_extractions(
    pool: &PgPool,
    extractor_version: &str,
    batch: &[Prepared],
    ids: &[Uuid],
) -> sqlx::Result<BatchOutcome> {
    let mut tx = pool.begin().await?;
    let outcome = store_extractions_in(&mut tx, extractor_version, batch, ids).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`store_extractions`] inside the caller's transaction (a curation's undo), under the
/// ingest lock it takes or already holds.
pub async fn store_extractions_in(
    conn: &mut PgConnection,
    extractor_version: &str,
    batch: &[Prepared],
    ids: &[Uuid],
) -> sqlx::Result<BatchOutcome> {
    let hashes: Vec<Vec<u8>> = batch
        .iter()
        .map(|p| p.article.content_hash.to_vec())
        .collect();
    let current: HashSet<Uuid> = articles::mark_extracted(conn, ids, &hashes, extractor_version)
        .await?
        .into_iter()
        .collect();
    let (kept, stored): (Vec<Prepared>, Vec<StoredArticle>) = batch
        .iter()
        .zip(ids)
        .filter(|(_, id)| current.contains(*id))
        .map(|(prepared, id)| {
            (
                prepared.clone(),
                StoredArticle {
                    id: *id,
                    inserted: false,
                },
            )
        })
        .unzip();
    mentions::lock_for_ingest(conn).await?;
    let ids: Vec<Uuid> = stored.iter().map(|article| article.id).collect();
    let outcome = write_entities(conn, &kept, stored).await?;
    // Their entities were written again: they are updated articles for the feed's readers.
    article_feed::record(conn, &ids).await?;
    Ok(outcome)
}

/// Upserts the articles and returns, in batch order, their ids and whether each was new.
async fn write_articles(
    conn: &mut PgConnection,
    extractor_version: &str,
    batch: &[Prepared],
    source_ids: &HashMap<String, i32>,
) -> sqlx::Result<Vec<StoredArticle>> {
    // Rows are written (and locked) in URL order: two batches that share URLs then wait for
    // each other instead of each locking one row the other needs (a deadlock, which
    // PostgreSQL breaks by failing one of them).
    let mut order: Vec<&Prepared> = batch.iter().collect();
    order.sort_unstable_by(|a, b| a.article.url.cmp(&b.article.url));
    let mut columns = articles::ArticleColumns::default();
    for prepared in order {
        let article = &prepared.article;
        columns.ids.push(Uuid::now_v7());
        columns.urls.push(article.url.clone());
        columns.titles.push(article.title.clone());
        columns.bodies.push(article.body.clone());
        columns.published_at.push(article.published_at);
        columns.source_ids.push(source_ids[&article.domain]);
        columns.languages.push(article.language.clone());
        columns.hashes.push(article.content_hash.to_vec());
        columns
            .extractor_versions
            .push(extractor_version.to_owned());
    }
    let upserted: HashMap<String, articles::Upserted> = articles::upsert(conn, &columns)
        .await?
        .into_iter()
        .map(|row| (row.url.clone(), row))
        .collect();
    Ok(batch
        .iter()
        .map(|prepared| {
            let row = &upserted[&prepared.article.url];
            StoredArticle {
                id: row.id,
                inserted: row.inserted,
            }
        })
        .collect())
}

/// Under the ingest lock: entities, mentions, aggregates, aliases and counts.
async fn write_entities(
    conn: &mut PgConnection,
    batch: &[Prepared],
    stored: Vec<StoredArticle>,
) -> sqlx::Result<BatchOutcome> {
    let article_ids: Vec<Uuid> = stored.iter().map(|s| s.id).collect();
    let unsuppressed = curated::without_suppressed(conn, batch).await?;
    let batch = unsuppressed.as_deref().unwrap_or(batch);
    let (entity_ids, merged_into, entities_created) =
        resolve_entities(conn, batch, &article_ids).await?;
    let rules = MentionRules::load(conn, &entity_ids.all()).await?;
    // Entities that lost articles (or gained merged ones) are recounted from scratch; the
    // others only gained, and their counts are added to.
    let mut recount: HashSet<Uuid> = mentions::delete_for_articles(conn, &article_ids)
        .await?
        .into_iter()
        .collect();
    recount.extend(merged_into);
    let rows = MentionRows::build(batch, &stored, &entity_ids, &rules);
    mentions::insert(conn, &rows.mentions).await?;
    mentions::insert_aggregates(conn, &rows.aggregates).await?;
    entities::add_aliases(conn, &rows.alias_entities, &rows.aliases, &rows.alias_norms).await?;
    entities::add_counts(conn, &count_deltas(&rows.aggregates, &recount)).await?;
    let mut recount: Vec<Uuid> = recount.into_iter().collect();
    recount.sort_unstable();
    entities::recount(conn, &recount).await?;
    Ok(BatchOutcome {
        articles: stored,
        entities_created,
        mentions: rows.mentions.article_ids.len() as u64,
    })
}

/// What the new aggregates add to each entity not in `skip`.
fn count_deltas(
    aggregates: &mentions::AggregateColumns,
    skip: &HashSet<Uuid>,
) -> entities::CountDeltas {
    type Delta = (i32, i32, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let mut by_entity: HashMap<Uuid, Delta> = HashMap::new();
    for i in 0..aggregates.entity_ids.len() {
        let id = aggregates.entity_ids[i];
        if skip.contains(&id) {
            continue;
        }
        let published = aggregates.published_at[i];
        let delta = by_entity.entry(id).or_insert((0, 0, None, None));
        delta.0 += 1;
        delta.1 += aggregates.mention_counts[i];
        delta.2 = min_date(delta.2, published);
        delta.3 = max_date(delta.3, published);
    }
    let mut sorted: Vec<(Uuid, Delta)> = by_entity.into_iter().collect();
    // The same lock order in every transaction.
    sorted.sort_unstable_by_key(|(id, _)| *id);
    let mut deltas = entities::CountDeltas::default();
    for (id, (articles, mentions, first, last)) in sorted {
        deltas.ids.push(id);
        deltas.articles.push(articles);
        deltas.mentions.push(mentions);
        deltas.first_seen.push(first);
        deltas.last_seen.push(last);
    }
    deltas
}

fn min_date(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_date(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

async fn upsert_sources(
    conn: &mut PgConnection,
    batch: &[Prepared],
) -> sqlx::Result<HashMap<String, i32>> {
    let mut names: HashMap<&str, &str> = HashMap::new();
    for prepared in batch {
        let article = &prepared.article;
        let name = names.entry(&article.domain).or_insert(&article.source_name);
        // A real name beats the domain standing in for one.
        if *name == article.domain {
            *name = &article.source_name;
        }
    }
    // In domain order, for the reason rows of articles are written in URL order.
    let mut names: Vec<(&str, &str)> = names.into_iter().collect();
    names.sort_unstable();
    let (domains, source_names): (Vec<String>, Vec<String>) = names
        .into_iter()
        .map(|(domain, name)| (domain.to_owned(), name.to_owned()))
        .unzip();
    sources::upsert(conn, &domains, &source_names).await
}

/// The rows a batch's extractions become.
#[derive(Default)]
struct MentionRows {
    mentions: mentions::MentionColumns,
    aggregates: mentions::AggregateColumns,
    alias_entities: Vec<Uuid>,
    aliases: Vec<String>,
    alias_norms: Vec<String>,
}

impl MentionRows {
    fn build(
        batch: &[Prepared],
        stored: &[StoredArticle],
        entity_ids: &EntityIds,
        rules: &MentionRules,
    ) -> Self {
        let mut rows = Self::default();
        let mut seen_aliases: HashSet<(Uuid, &str)> = HashSet::new();
        for (a, (prepared, stored)) in batch.iter().zip(stored).enumerate() {
            let extraction = &prepared.extraction;
            let ids: Vec<Uuid> = extraction
                .entities
                .iter()
                .map(|entity| entity_ids.of(a, &(entity.kind, entity.key.clone())))
                .collect();
            // The entities the article names itself, not only by a linked short form.
            let mut named: HashSet<Uuid> = extraction
                .entities
                .iter()
                .zip(&ids)
                .filter(|(entity, _)| !entity_ids.is_linked(a, &(entity.kind, entity.key.clone())))
                .map(|(_, id)| *id)
                .collect();
            let mut per_entity: HashMap<Uuid, i32> = HashMap::new();
            let mut positions: HashSet<(Field, usize)> = HashSet::new();
            for mention in &extraction.mentions {
                let Some(&entity_id) = ids.get(mention.entity) else {
                    continue;
                };
                // Defensive: the schema's checks would fail the whole batch on a bad span.
                let length = mention.end.saturating_sub(mention.start);
                if length == 0
                    || mention.text.chars().count() != length
                    || !positions.insert((mention.field, mention.start))
                {
                    tracing::warn!(article.url = %prepared.article.url, start = mention.start, "skipping an invalid mention span");
                    continue;
                }
                let (Ok(start), Ok(end)) =
                    (i32::try_from(mention.start), i32::try_from(mention.end))
                else {
                    continue;
                };
                let resolved = entity_id;
                let entity_id =
                    rules.mention_target(resolved, stored.id, mention.field, start, &mention.text);
                if entity_id != resolved {
                    // A curator split this mention off: the article names its new entity.
                    named.insert(entity_id);
                }
                rows.mentions.article_ids.push(stored.id);
                rows.mentions.fields.push(mention.field);
                rows.mentions.starts.push(start);
                rows.mentions.ends.push(end);
                rows.mentions.entity_ids.push(entity_id);
                rows.mentions.surfaces.push(mention.text.clone());
                let confidence = if mention.confidence.is_finite() {
                    mention.confidence.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                rows.mentions.confidences.push(confidence);
                *per_entity.entry(entity_id).or_default() += 1;
            }
            let mut per_entity: Vec<(Uuid, i32)> = per_entity.into_iter().collect();
            per_entity.sort_unstable();
            for (entity_id, count) in per_entity {
                rows.aggregates.article_ids.push(stored.id);
                rows.aggregates.entity_ids.push(entity_id);
                rows.aggregates.mention_counts.push(count);
                rows.aggregates
                    .published_at
                    .push(prepared.article.published_at);
                rows.aggregates.named.push(named.contains(&entity_id));
            }
            for (entity, &resolved) in extraction.entities.iter().zip(&ids) {
                for alias in &entity.aliases {
                    let Some(entity_id) = rules.alias_target(resolved, alias) else {
                        continue;
                    };
                    if !alias.trim().is_empty() && seen_aliases.insert((entity_id, alias.as_str()))
                    {
                        rows.alias_entities.push(entity_id);
                        rows.aliases.push(alias.clone());
                        rows.alias_norms.push(names::search_norm(alias));
                    }
                }
            }
        }
        rows
    }
}
