//! The full-text index: every article's lexemes held in memory by `serve`, as posting lists
//! over the articles numbered in list order (newest first), so that "the newest articles
//! matching q" walks the lists from the front and stops after one page, however common the
//! words are or however old their matches. Each word's articles are also kept grouped by the
//! word's `ts_rank_cd` in them (computed from the stored vector, see [`rank`]), so that "the
//! best matches of one word" (`sort=relevance`) is read from the front as well, where the
//! database ranks every match. PostgreSQL alone either walks the date index
//! testing every article (slow when the words are rare among recent articles) or reads every
//! match before sorting (slow when they are common); the planner cannot tell which from its
//! statistics, and either choice costs hundreds of milliseconds at 240,000 articles.
//!
//! It is a snapshot, used only while it is known to be current: every
//! [`CHECK_EVERY`] a request reads a change marker that every write moves in its own
//! transaction (the article feed's newest number and the entities' latest change), and when
//! it moved (or a write went through this process) the index is rebuilt in the background
//! while queries go to the database. So it never answers with stale results, beyond the
//! [`CHECK_EVERY`] a commit by another process may take to be noticed. PostgreSQL still parses and
//! stems the query (each distinct one once per snapshot), and reads the page's rows; a phrase
//! is matched as AND here and confirmed by the database. The checking and rebuilding is
//! [`crate::refresher`]'s ([`Refresher::get_if_current`]); this module says what is read and
//! how a page walks it.
//!
//! This module owns no SQL; it calls [`crate::db::text_index`] and
//! [`crate::db::article_search::by_ids`].

pub mod facts;
pub mod memo;
pub mod postings;
pub mod query;
pub mod rank;
pub mod snapshot;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::GenericPlans;
use crate::db::article_search::{self, ArticleFilter, ArticleRow, ArticleSort, PageRequest};
use crate::db::listing::{Page, SortKey};
use crate::db::text_index::{self, ChangeMarker, IndexRow};
use crate::domain::Named;
use crate::refresher::{Refresher, Source, Timing};
use crate::replicas::Reads;
use facts::{EntityFacts, FactsBuilder};
use query::Query;
use snapshot::{Bounds, Builder, Matches, RankedBounds, Selection};
pub use snapshot::{Selected, Single, Snapshot};

/// How long the last change check holds before a request checks again.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How old the index may get before it is rebuilt whatever the marker says (a safety net
/// against a write that moved no marker).
pub const REBUILD_EVERY: Duration = Duration::from_secs(3600);
/// Most database round trips a page may take (to confirm phrase matches, or to replace
/// articles deleted since the snapshot) before the database answers the whole query instead.
const MAX_ROUNDS: usize = 6;
/// Rebuilds wait this many times the last build's duration after it.
const BUILD_SHARE: u32 = 4;
/// Most parsed queries remembered; the memory is emptied when it is full.
const PARSED_QUERIES: usize = 4096;

/// The index shared by the handlers.
#[derive(Debug)]
pub struct TextIndex {
    refresher: Arc<Refresher<Lexemes>>,
    /// Full-text pages answered here, and left to the database.
    answered: AtomicU64,
    declined: AtomicU64,
    /// Answers for one entity or one word matching at least this many articles are rolled
    /// up once per snapshot (the answers module's rollups).
    rollup_min: usize,
}

/// The articles' lexemes as a [`Source`] of snapshots.
#[derive(Debug)]
struct Lexemes {
    pool: PgPool,
    /// Each build raises its floor, so that reads see every article the snapshot holds.
    reads: Arc<Reads>,
    /// `q` as PostgreSQL parsed and stemmed it (tsquery text), so that a repeated query
    /// costs no round trip; emptied with every rebuild.
    parsed: Mutex<HashMap<String, String>>,
}

impl Source for Lexemes {
    type Snapshot = Snapshot;
    /// The feed's newest number and the entities' latest change.
    type Marker = ChangeMarker;

    const NAME: &'static str = "full-text index";

    async fn marker(&self) -> sqlx::Result<ChangeMarker> {
        text_index::change_marker(&self.pool).await
    }

    async fn build(&self) -> sqlx::Result<(Snapshot, ChangeMarker)> {
        let built = build(&self.pool).await?;
        self.reads.seen_primary().await;
        Ok(built)
    }

    fn installed(&self) {
        self.parsed.lock().expect("the parsed queries lock").clear();
    }
}

/// What `/metrics` reports of the index.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Full-text pages the index answered.
    pub answered: u64,
    /// Full-text pages left to the database.
    pub declined: u64,
    /// Articles in the current snapshot (0 before the first build).
    pub articles: usize,
    /// Values kept with the current snapshot (the answers' rollups), and their bytes.
    pub memo: (usize, usize),
}

impl TextIndex {
    /// An empty index; [`TextIndex::preload`] or the first query builds it. Answers for a
    /// filter that is one entity or word matching at least `rollup_min` articles are kept
    /// with each snapshot.
    pub fn new(pool: PgPool, reads: Arc<Reads>, rollup_min: usize) -> Arc<Self> {
        let lexemes = Lexemes {
            pool,
            reads,
            parsed: Mutex::new(HashMap::new()),
        };
        let timing = Timing {
            check_every: CHECK_EVERY,
            rebuild_every: REBUILD_EVERY,
            build_share: BUILD_SHARE,
        };
        Arc::new(Self {
            refresher: Refresher::new(lexemes, timing),
            answered: AtomicU64::new(0),
            declined: AtomicU64::new(0),
            rollup_min,
        })
    }

    /// Starts the first build in the background (`serve` calls it at start-up).
    pub fn preload(self: &Arc<Self>) {
        self.refresher.rebuild_in_background();
    }

    /// After a write through this process: queries go to the database until the index is
    /// rebuilt, so a client reads its own writes.
    pub fn invalidate(self: &Arc<Self>) {
        self.refresher.invalidate();
        self.refresher.rebuild_in_background();
    }

    /// Counters and size, for `/metrics`.
    pub fn stats(&self) -> Stats {
        let snapshot = self.refresher.peek();
        Stats {
            answered: self.answered.load(Ordering::Relaxed),
            declined: self.declined.load(Ordering::Relaxed),
            articles: snapshot.as_ref().map_or(0, |snapshot| snapshot.len()),
            memo: snapshot.map_or((0, 0), |snapshot| snapshot.memo().size()),
        }
    }

    /// The fewest matches of one entity or word whose answers are rolled up.
    pub fn rollup_min(&self) -> usize {
        self.rollup_min
    }

    /// Builds a snapshot now and makes it current.
    pub async fn rebuild(&self) -> sqlx::Result<()> {
        self.refresher.rebuild().await?;
        Ok(())
    }

    /// The snapshot while it is known to be current. When the change check cannot read the
    /// primary (down, while reads go on from a standby), the database answers instead of the
    /// request failing.
    async fn current(&self) -> Option<Arc<Snapshot>> {
        match self.refresher.get_if_current().await {
            Ok(snapshot) => snapshot,
            Err(error) => {
                tracing::debug!(error = %error, "the full-text index cannot check for changes");
                None
            }
        }
    }

    /// `q` parsed and stemmed by PostgreSQL (on `pool`, the request's database), as tsquery
    /// text; remembered.
    async fn tsquery(&self, pool: &PgPool, q: &str) -> sqlx::Result<String> {
        let lexemes = self.refresher.source();
        if let Some(text) = lexemes
            .parsed
            .lock()
            .expect("the parsed queries lock")
            .get(q)
        {
            return Ok(text.clone());
        }
        let text = text_index::tsquery_text(pool, q).await?;
        let mut parsed = lexemes.parsed.lock().expect("the parsed queries lock");
        if parsed.len() >= PARSED_QUERIES {
            parsed.clear();
        }
        parsed.insert(q.to_owned(), text.clone());
        Ok(text)
    }

    /// One page of articles matching `filter.q` from the index, newest or oldest first, or
    /// by relevance for one word; `None` when the index cannot answer it (not built or not
    /// current, entity or type filters, several words by relevance, a query form it does not
    /// hold, a rank that changed since the build) and the database must. The
    /// rows are read by id from `rows` (a generic-plans pool: the plan never depends on the
    /// ids).
    pub async fn page(
        self: &Arc<Self>,
        rows: &GenericPlans,
        filter: &ArticleFilter,
        request: &PageRequest,
    ) -> sqlx::Result<Option<Page<ArticleRow>>> {
        let Some(q) = filter.q.as_deref() else {
            return Ok(None);
        };
        let page = self.try_page(rows, q, filter, request).await?;
        let counter = if page.is_some() {
            &self.answered
        } else {
            &self.declined
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(page)
    }

    /// The articles matching `filter`, as ordinals of the current snapshot or, for one entity
    /// or word alone, its posting list; `None` when the snapshot is not current or cannot
    /// answer exactly (a phrase, `updated_since`), and the database must.
    pub async fn select(
        self: &Arc<Self>,
        pool: &PgPool,
        filter: &ArticleFilter,
    ) -> sqlx::Result<Option<(Arc<Snapshot>, Selected)>> {
        if filter.updated_since.is_some() {
            return Ok(None);
        }
        let Some(snapshot) = self.current().await else {
            return Ok(None);
        };
        let parsed = match filter.q.as_deref() {
            Some(q) => {
                let text = self.tsquery(pool, q).await?;
                match query::parse(&text) {
                    Some(parsed) if !parsed.approximate => match parsed.query {
                        Some(query) => Some(query),
                        None => return Ok(Some((snapshot, Selected::Docs(Vec::new())))),
                    },
                    _ => return Ok(None),
                }
            }
            None => None,
        };
        let source = match &filter.source {
            Some(domain) => match snapshot.source_id(domain) {
                Some(id) => Some(id),
                None => return Ok(Some((snapshot, Selected::Docs(Vec::new())))),
            },
            None => None,
        };
        let entities: Vec<Uuid> = filter.entities.iter().map(|id| id.uuid()).collect();
        let selection = Selection {
            query: parsed.as_ref(),
            entities: &entities,
            kind: filter.kind,
            from: filter.from,
            to: filter.to,
            source,
        };
        let selected = match snapshot.single(&selection) {
            Some(single) => Selected::Single(single),
            None => Selected::Docs(snapshot.select(&selection)),
        };
        Ok(Some((snapshot, selected)))
    }

    async fn try_page(
        self: &Arc<Self>,
        rows: &GenericPlans,
        q: &str,
        filter: &ArticleFilter,
        request: &PageRequest,
    ) -> sqlx::Result<Option<Page<ArticleRow>>> {
        if !filter.entities.is_empty() || filter.kind.is_some() || filter.updated_since.is_some() {
            return Ok(None);
        }
        let Some(snapshot) = self.current().await else {
            return Ok(None);
        };
        let text = self.tsquery(&rows.0, q).await?;
        let Some(parsed) = query::parse(&text) else {
            return Ok(None);
        };
        // Only stop words, or a source no article has: nothing matches.
        let source = match &filter.source {
            Some(domain) => snapshot.source_id(domain).map(Some),
            None => Some(None),
        };
        let (Some(query), Some(source)) = (parsed.query, source) else {
            let sort = request.sort.as_str();
            return Ok(Some(Page::from_overfetch(
                Vec::new(),
                request.limit,
                sort,
                date_key,
            )));
        };
        if request.sort == ArticleSort::Relevance {
            // A word alone: its rank in every article is known here. The database ranks the
            // rest (several words' covers depend on where each occurs).
            let Query::Term(term) = &query else {
                return Ok(None);
            };
            let bounds = RankedBounds {
                from: filter.from,
                to: filter.to,
                source,
                after: request.after.as_ref(),
            };
            let walk = snapshot.ranked(term, bounds);
            return self.fetch(rows, walk, &text, request, false).await;
        }
        let bounds = Bounds {
            from: filter.from,
            to: filter.to,
            source,
            sort: request.sort,
            after: request.after.as_ref(),
        };
        let walk = snapshot.walk(&query, bounds);
        self.fetch(rows, walk, &text, request, parsed.approximate)
            .await
    }

    /// Reads the rows of the walk's matches until a page (plus one) is full. `None` when
    /// the database must answer: a phrase much rarer than its words (more than
    /// [`MAX_ROUNDS`] rounds), or a row whose rank the database computes differently from
    /// the snapshot's (the article changed since the snapshot was built: within
    /// [`CHECK_EVERY`] of a write by another process, or after a change that moved no
    /// marker), so that no page is ordered by a stale rank; the snapshot is then rebuilt, and
    /// the database answers every page until it is.
    async fn fetch(
        self: &Arc<Self>,
        rows_from: &GenericPlans,
        mut walk: impl Matches,
        tsquery: &str,
        request: &PageRequest,
        approximate: bool,
    ) -> sqlx::Result<Option<Page<ArticleRow>>> {
        let need = usize::try_from(request.limit + 1).unwrap_or(usize::MAX);
        let mut rows: Vec<ArticleRow> = Vec::with_capacity(need);
        for _ in 0..MAX_ROUNDS {
            let wanted = if approximate {
                need * 2
            } else {
                need - rows.len()
            };
            let matches = walk.take(wanted);
            if !matches.is_empty() {
                let ids: Vec<Uuid> = matches.iter().map(|found| found.id).collect();
                let mut found: HashMap<Uuid, ArticleRow> =
                    article_search::by_ids(&rows_from.0, &ids, tsquery, request, approximate)
                        .await?
                        .into_iter()
                        .map(|row| (row.id.uuid(), row))
                        .collect();
                for wanted in &matches {
                    let Some(row) = found.remove(&wanted.id) else {
                        continue;
                    };
                    if wanted
                        .rank
                        .is_some_and(|rank| row.rank.map(f32::to_bits) != Some(rank.to_bits()))
                    {
                        // Other articles may have changed too: none of this snapshot's
                        // pages are trusted until it is rebuilt.
                        tracing::info!(
                            article = %wanted.id,
                            "an article's rank changed since the full-text index was built; \
                             rebuilding it"
                        );
                        self.invalidate();
                        return Ok(None);
                    }
                    rows.push(row);
                }
            }
            if rows.len() >= need || walk.is_done() {
                let key = match request.sort {
                    ArticleSort::Relevance => rank_key,
                    ArticleSort::Newest | ArticleSort::Oldest => date_key,
                };
                return Ok(Some(Page::from_overfetch(
                    rows,
                    request.limit,
                    request.sort.as_str(),
                    key,
                )));
            }
        }
        Ok(None)
    }
}

/// The position a page row continues from, by date.
fn date_key(row: &ArticleRow) -> (SortKey, Uuid) {
    (SortKey::Date(row.published_at), row.id.uuid())
}

/// The position a page row continues from, by relevance (the rank the database computed
/// for the row, which is the one the index ordered by).
fn rank_key(row: &ArticleRow) -> (SortKey, Uuid) {
    (
        SortKey::Number(f64::from(row.rank.unwrap_or_default())),
        row.id.uuid(),
    )
}

/// Reads every article's lexemes and entities and indexes them on a blocking thread as they
/// stream in (at 240,000 articles the database sends about 380 MB of vectors as text), all in one
/// repeatable-read transaction so that every entity an article names was read.
async fn build(pool: &PgPool) -> sqlx::Result<(Snapshot, ChangeMarker)> {
    let started = Instant::now();
    let mut tx = text_index::begin_build(pool).await?;
    // Read in the build's snapshot of the database: the marker of exactly what it reads.
    let marker = text_index::change_marker(&mut *tx).await?;
    let sources = text_index::sources(&mut *tx).await?;
    let sources = sources
        .into_iter()
        .map(|(id, domain)| (domain, id))
        .collect();
    let entities = text_index::entities(&mut *tx)
        .await?
        .into_iter()
        .map(|row| EntityFacts {
            id: row.id,
            kind: row.kind,
            point: row.latitude.zip(row.longitude),
        })
        .collect();
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<IndexRow>(1024);
    let builder = tokio::task::spawn_blocking(move || {
        let mut builder = Builder::new(FactsBuilder::new(entities));
        while let Some(row) = receiver.blocking_recv() {
            builder.add(row)?;
        }
        Ok::<_, String>(builder.finish(sources))
    });
    let mut rows = text_index::rows(&mut tx);
    let mut failure = None;
    while let Some(row) = rows.next().await {
        match row {
            Ok(row) => {
                if sender.send(row).await.is_err() {
                    break;
                }
            }
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    drop(rows);
    drop(sender);
    tx.rollback().await?;
    let built = builder
        .await
        .map_err(|error| sqlx::Error::Io(std::io::Error::other(error)))?;
    if let Some(error) = failure {
        return Err(error);
    }
    let snapshot = built.map_err(|error| sqlx::Error::Decode(error.into()))?;
    tracing::info!(
        articles = snapshot.len(),
        lexemes = snapshot.lexemes(),
        heap_mib = snapshot.heap_bytes() / (1024 * 1024),
        duration_ms = started.elapsed().as_millis() as u64,
        "full-text index built"
    );
    Ok((snapshot, marker))
}
