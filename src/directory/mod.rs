//! The entity directory: every entity, its aliases and redirects, held in memory by `serve`
//! so that entity pages, slug lookups and name search answer without a database round trip.
//!
//! It is a snapshot of the database, replaced as a whole. A request finding it older than
//! [`CHECK_EVERY`] starts a background check (one at a time): when the entities changed
//! (their latest `updated_at` or their number), a new snapshot is loaded; at least every
//! [`RELOAD_EVERY`] one is loaded anyway. Writes through this process ask for a check at
//! once. So an import by another process shows within a few seconds; a lookup that misses
//! (an entity newer than the snapshot) falls back to the database. The checking and
//! replacing is [`crate::refresher`]'s ([`Refresher::get`]); this module says what is read
//! and how it is indexed.
//!
//! This module owns no SQL; it calls [`crate::db::entity_queries`].

pub mod search;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::db::entity_queries::{self, EntityRow};
use crate::domain::{EntityId, EntityKind, Named};
use crate::refresher::{Refresher, Source, Timing};
use crate::replicas::Reads;
use search::NameIndex;

/// How old a snapshot may get before a request starts a check for changes.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How old a snapshot may get before it is reloaded whatever the check says.
pub const RELOAD_EVERY: Duration = Duration::from_secs(300);

/// One consistent view of the entities.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Every entity.
    pub entities: Vec<Arc<EntityRow>>,
    by_id: HashMap<EntityId, u32>,
    by_slug: HashMap<String, u32>,
    /// Wikidata id → the most named entity carrying it.
    by_wikidata: HashMap<String, u32>,
    /// Old ids and slugs of merged entities, to the survivor.
    redirect_ids: HashMap<EntityId, u32>,
    redirect_slugs: HashMap<String, u32>,
    /// Name search.
    pub names: NameIndex,
}

/// What a lookup found.
#[derive(Debug, Clone)]
pub enum Found {
    /// The entity.
    Entity(Arc<EntityRow>),
    /// It was merged into this one.
    MergedInto(Arc<EntityRow>),
}

impl Snapshot {
    /// The entity with this id, or the one it was merged into.
    pub fn by_id(&self, id: EntityId) -> Option<Found> {
        if let Some(index) = self.by_id.get(&id) {
            return Some(Found::Entity(Arc::clone(&self.entities[*index as usize])));
        }
        self.redirect_ids
            .get(&id)
            .map(|index| Found::MergedInto(Arc::clone(&self.entities[*index as usize])))
    }

    /// The most named entity carrying this Wikidata id.
    pub fn by_wikidata(&self, qid: &str) -> Option<Found> {
        self.by_wikidata
            .get(qid)
            .map(|index| Found::Entity(Arc::clone(&self.entities[*index as usize])))
    }

    /// The entity with this slug, or the one it was merged into.
    pub fn by_slug(&self, slug: &str) -> Option<Found> {
        if let Some(index) = self.by_slug.get(slug) {
            return Some(Found::Entity(Arc::clone(&self.entities[*index as usize])));
        }
        self.redirect_slugs
            .get(slug)
            .map(|index| Found::MergedInto(Arc::clone(&self.entities[*index as usize])))
    }
}

/// The directory shared by the handlers.
#[derive(Debug)]
pub struct Directory {
    refresher: Arc<Refresher<Entities>>,
}

impl Directory {
    /// An empty directory; the first request loads it from `pool` (the primary), and each
    /// load raises the floor of `reads` so that reads see every entity it holds.
    pub fn new(pool: PgPool, reads: Arc<Reads>) -> Arc<Self> {
        let timing = Timing {
            check_every: CHECK_EVERY,
            rebuild_every: RELOAD_EVERY,
            build_share: 0,
        };
        Arc::new(Self {
            refresher: Refresher::new(Entities { pool, reads }, timing),
        })
    }

    /// The current snapshot, loading the first one if needed, and starting a background
    /// check when it is old.
    pub async fn snapshot(self: &Arc<Self>) -> sqlx::Result<Arc<Snapshot>> {
        self.refresher.get().await
    }

    /// Starts loading the first snapshot in the background, so that the first requests
    /// find it ready (`serve` calls it at start-up).
    pub fn preload(self: &Arc<Self>) {
        let directory = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(error) = directory.snapshot().await {
                tracing::warn!(error = %error, "cannot load the entity directory");
            }
        });
    }

    /// After a write through this process: the next request waits for a fresh snapshot, so
    /// a client reads its own writes.
    pub fn invalidate(&self) {
        self.refresher.invalidate();
    }
}

/// The entities as a [`Source`] of snapshots.
struct Entities {
    pool: PgPool,
    reads: Arc<Reads>,
}

impl Source for Entities {
    type Snapshot = Snapshot;
    /// The entities' latest `updated_at` and their number.
    type Marker = (Option<DateTime<Utc>>, i64);

    const NAME: &'static str = "entity directory";

    async fn marker(&self) -> sqlx::Result<Self::Marker> {
        entity_queries::change_marker(&self.pool).await
    }

    async fn build(&self) -> sqlx::Result<(Snapshot, Self::Marker)> {
        let loaded = load(&self.pool).await?;
        self.reads.seen_primary().await;
        Ok(loaded)
    }
}

/// Reads every entity, alias and redirect, and indexes them off the async workers (a
/// large directory takes a few hundred milliseconds of CPU to build, which would stall every
/// request scheduled on the worker doing it).
async fn load(pool: &PgPool) -> sqlx::Result<(Snapshot, (Option<DateTime<Utc>>, i64))> {
    let started = Instant::now();
    let marker = entity_queries::change_marker(pool).await?;
    let rows = entity_queries::all(pool).await?;
    let alias_rows = entity_queries::all_aliases(pool).await?;
    let redirects = entity_queries::all_redirects(pool).await?;
    let snapshot = tokio::task::spawn_blocking(move || build(rows, alias_rows, redirects))
        .await
        .map_err(|error| sqlx::Error::Io(std::io::Error::other(error)))?;
    tracing::info!(
        entities = snapshot.entities.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "entity directory loaded"
    );
    Ok((snapshot, marker))
}

/// Indexes what [`load`] read.
fn build(
    mut rows: Vec<EntityRow>,
    alias_rows: Vec<(EntityId, String, String)>,
    redirects: Vec<(EntityId, String, EntityId)>,
) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for (index, row) in rows.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        snapshot.by_id.insert(row.id, index);
        snapshot.by_slug.insert(row.slug.clone(), index);
        if let Some(qid) = &row.wikidata_id {
            let best = snapshot.by_wikidata.entry(qid.clone()).or_insert(index);
            if rows[*best as usize].article_count < row.article_count {
                *best = index;
            }
        }
    }
    let mut aliases = Vec::with_capacity(alias_rows.len());
    for (entity, alias, norm) in alias_rows {
        if let Some(index) = snapshot.by_id.get(&entity).copied() {
            rows[index as usize].aliases.push(alias);
            aliases.push((norm, index));
        }
    }
    snapshot.entities = rows.into_iter().map(Arc::new).collect();
    for (old_id, old_slug, survivor) in redirects {
        if let Some(index) = snapshot.by_id.get(&survivor).copied() {
            snapshot.redirect_ids.insert(old_id, index);
            snapshot.redirect_slugs.insert(old_slug, index);
        }
    }
    snapshot.names = NameIndex::build(aliases);
    snapshot
}

/// The orders a directory page can take (the same as the database list's).
pub use crate::db::entity_search::EntitySort;
use crate::db::listing::{Page, Position, SortKey};

/// A page of the entities matching `q` (folded), in memory.
pub fn search_page(
    snapshot: &Snapshot,
    q: &str,
    kind: Option<EntityKind>,
    sort: EntitySort,
    after: Option<&Position>,
    limit: i64,
) -> (Page<EntityRow>, i64) {
    let mut hits: Vec<(Arc<EntityRow>, f64)> = snapshot
        .names
        .search(q)
        .into_iter()
        .map(|(index, score)| (Arc::clone(&snapshot.entities[index as usize]), score))
        .filter(|(row, _)| row.article_count > 0 && kind.is_none_or(|kind| row.kind == kind))
        .collect();
    let total = hits.len() as i64;
    if sort == EntitySort::Name {
        // The same order as `order`, with each name lowercased once rather than per comparison.
        hits.sort_by_cached_key(|(row, _)| (row.name.to_lowercase(), row.id));
    } else {
        hits.sort_by(|a, b| order(sort, a, b));
    }
    let start = match after.and_then(|position| cursor_entry(sort, position)) {
        Some(cursor) => {
            hits.partition_point(|hit| order(sort, hit, &cursor) != std::cmp::Ordering::Greater)
        }
        None => 0,
    };
    let rows: Vec<EntityRow> = hits[start..]
        .iter()
        .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
        .map(|(row, score)| EntityRow {
            score: Some(*score),
            ..(**row).clone()
        })
        .collect();
    let page = Page::from_overfetch(rows, limit, sort.as_str(), |row| sort.position_of(row));
    (page, total)
}

/// The order of a page: each sort's key, ties broken by id.
fn order(
    sort: EntitySort,
    a: &(Arc<EntityRow>, f64),
    b: &(Arc<EntityRow>, f64),
) -> std::cmp::Ordering {
    let (ra, rb) = (&a.0, &b.0);
    match sort {
        EntitySort::Relevance => {
            b.1.total_cmp(&a.1)
                .then(rb.article_count.cmp(&ra.article_count))
                .then(rb.id.cmp(&ra.id))
        }
        EntitySort::ArticleCount => rb
            .article_count
            .cmp(&ra.article_count)
            .then(rb.id.cmp(&ra.id)),
        EntitySort::Name => ra
            .name
            .to_lowercase()
            .cmp(&rb.name.to_lowercase())
            .then(ra.id.cmp(&rb.id)),
        EntitySort::Recency => rb.last_seen.cmp(&ra.last_seen).then(rb.id.cmp(&ra.id)),
    }
}

/// A stand-in entry holding a cursor's position, to find where the next page starts.
fn cursor_entry(sort: EntitySort, position: &Position) -> Option<(Arc<EntityRow>, f64)> {
    let mut row = EntityRow {
        id: position.id.into(),
        // Any kind: a cursor places an entry by its sort key and id only.
        kind: EntityKind::Person,
        name: String::new(),
        slug: String::new(),
        article_count: 0,
        mention_count: 0,
        first_seen: None,
        last_seen: None,
        latitude: None,
        longitude: None,
        geonames_id: None,
        wikidata_id: None,
        aliases: Vec::new(),
        score: None,
    };
    let mut score = 0.0;
    match (sort, &position.key) {
        (EntitySort::Relevance, SortKey::Text(key)) => {
            let (s, count) = key.split_once(':')?;
            score = s.parse().ok()?;
            row.article_count = count.parse().ok()?;
        }
        (EntitySort::ArticleCount, SortKey::Number(count)) => row.article_count = *count as i32,
        (EntitySort::Name, SortKey::Text(name)) => row.name = name.clone(),
        (EntitySort::Recency, SortKey::Date(date)) => row.last_seen = *date,
        _ => return None,
    }
    Some((Arc::new(row), score))
}
