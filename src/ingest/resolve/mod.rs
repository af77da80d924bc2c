//! Resolving stored data again, after the rules, the knowledge base or the model changed:
//! `newsgraph resolve`.
//!
//! First every entity's match key is brought up to date (an entity keyed by an older engine
//! takes today's key, or merges into the entity holding it). Then every stored article is
//! extracted and linked again, page by page, exactly as an import writes it. Meanwhile each
//! page's mention positions before and after are compared, and what an old entity's
//! mentions became is tallied. At the end, every entity no article names any more is
//! retired: its aliases go to the entity that took most of its mentions, and its id and slug
//! redirect there (so saved links keep working); an entity whose mentions all went away
//! (junk no longer extracted) is deleted.
//!
//! Linking across articles reads what is stored, and while the first pass runs, entities
//! the new rules create are not all stored yet. So when the first pass changed anything, a
//! second one follows and settles the links; a pass that changes nothing ends the run, and so
//! does one that changes exactly the articles the pass before it changed (articles swapping
//! entities within their page, which the last step settles one at a time). Run again with
//! the same engine, `resolve` changes nothing in the end but such articles (one of the 23,878
//! of the bench import).
//!
//! The passes are here; what a run saw is `ledger`'s, and retiring the unnamed entities
//! is `retire`'s.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use anyhow::Context;
use newsgraph_extract::{EntityKind, Extractor};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::pipeline::ImportOptions;
use super::progress::Progress;
use super::reextract::extract_page;
use super::report::Failure;
use crate::db::{articles, entities, entity_merges, mentions};
use ledger::{Ledger, positions};
use retire::{merge_named, retire};

mod ledger;
mod retire;

/// The most passes over the stored articles.
const MAX_PASSES: u32 = 4;
/// The most rounds of settling the last pass's changed articles one at a time.
const SETTLE_ROUNDS: u32 = 4;

/// What a resolve run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResolveReport {
    /// Passes over the stored articles.
    pub passes: u32,
    /// Articles resolved, over all passes.
    pub articles: u64,
    /// Articles whose mentions now name other entities, per pass.
    pub articles_changed: Vec<u64>,
    /// After the passes, the articles the last one changed are resolved again one at a time
    /// until none changes: how many changed, per round.
    pub articles_settled: Vec<u64>,
    /// Articles whose mentions name other entities at the end of the run than at its
    /// start (a pass may change an article and a later one change it back).
    pub articles_changed_net: u64,
    /// Articles that could not be extracted.
    pub failed: u64,
    /// Their reasons.
    pub failures: Vec<Failure>,
    /// Entities created.
    pub entities_created: u64,
    /// Entities given today's match key before the passes.
    pub entities_rekeyed: u64,
    /// Entities retired with a redirect to their successor (or merged into the entity that
    /// holds their key today).
    pub entities_redirected: u64,
    /// Entities deleted: no article names them and nothing took their mentions.
    pub entities_deleted: u64,
    /// Whether a signal stopped the run.
    pub interrupted: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl ResolveReport {
    /// The process exit status: 0, 2 when some articles failed, 130 when interrupted.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            130
        } else if self.failed > 0 {
            2
        } else {
            0
        }
    }

    /// A summary for people.
    pub fn summary(&self) -> String {
        format!(
            "{} articles resolved in {} passes in {:.1} s; changed per pass: {:?}, then one at \
             a time: {:?}; {} changed in the end; {} failed\n\
             {} entities re-keyed, {} created, {} retired with a redirect to their successor, \
             {} deleted\n",
            self.articles,
            self.passes,
            self.seconds,
            self.articles_changed,
            self.articles_settled,
            self.articles_changed_net,
            self.failed,
            self.entities_rekeyed,
            self.entities_created,
            self.entities_redirected,
            self.entities_deleted,
        )
    }
}

/// Resolves every stored article again, then retires the entities left unnamed.
pub async fn resolve(
    pool: &PgPool,
    extractor: Arc<Extractor>,
    options: &ImportOptions,
    cancel: Arc<AtomicBool>,
) -> anyhow::Result<ResolveReport> {
    let started = Instant::now();
    let run_started = SystemTime::now();
    let mut report = ResolveReport::default();
    rekey(pool, &extractor, &mut report)
        .await
        .context("cannot bring entity keys up to date")?;
    let mut ledger = Ledger::default();
    let mut changed = Vec::new();
    while report.passes < MAX_PASSES && !cancel.load(Ordering::Relaxed) {
        report.passes += 1;
        let previous = std::mem::take(&mut changed);
        changed = pass(pool, &extractor, options, &cancel, &mut ledger, &mut report).await?;
        report.articles_changed.push(changed.len() as u64);
        if changed.is_empty() || swapping(&previous, &changed) {
            break;
        }
    }
    settle(pool, &extractor, changed, &cancel, &mut ledger, &mut report).await?;
    report.articles_changed_net = ledger.net_changed();
    report.interrupted = cancel.load(Ordering::Relaxed);
    if !report.interrupted {
        retire(pool, &ledger.moves, run_started, &mut report)
            .await
            .context("cannot retire the entities no article names")?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Whether a pass changed exactly the articles the pass before it changed: articles that swap
/// entities within their page on every pass (see [`settle`]), which another pass would only
/// swap again. Every other article saw them both ways and stayed as it was, so the passes can
/// end and the settling begin.
fn swapping(previous: &[Uuid], changed: &[Uuid]) -> bool {
    let previous: HashSet<&Uuid> = previous.iter().collect();
    !changed.is_empty()
        && previous.len() == changed.len()
        && changed.iter().all(|id| previous.contains(id))
}

/// Brings every entity's match key up to date before the articles are resolved, so that the
/// linking of the passes never picks an entity only an older engine would have made: an
/// entity whose key is out of date takes today's key (and, for a known place, its name), or
/// merges into the entity that already holds it. Entities that come to share a key merge
/// into the one holding it, else into the most named; the merged ones redirect.
async fn rekey(
    pool: &PgPool,
    extractor: &Extractor,
    report: &mut ResolveReport,
) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    mentions::lock_for_ingest(&mut tx).await?;
    let stored = entity_merges::all_identities(&mut tx).await?;
    // (kind, key today) → [(entity, its key is today's, articles)]
    let mut groups: HashMap<(EntityKind, String), Vec<(usize, bool)>> = HashMap::new();
    let mut renamed: HashMap<usize, (String, String)> = HashMap::new();
    for (i, e) in stored.iter().enumerate() {
        // A curator's name and type stand: such an entity keeps its key.
        let today = (!e.curated)
            .then(|| extractor.rekey(e.kind, &e.name, &e.match_key))
            .flatten();
        let key = match today {
            Some((key, name)) => {
                renamed.insert(i, (key.clone(), name));
                key
            }
            None => e.match_key.clone(),
        };
        groups
            .entry((e.kind, key))
            .or_default()
            .push((i, !renamed.contains_key(&i)));
    }
    let mut survivors = Vec::new();
    let mut groups: Vec<Vec<(usize, bool)>> = groups
        .into_values()
        .filter(|members| members.len() > 1 || members.iter().any(|(_, current)| !current))
        .collect();
    groups.sort_unstable();
    for members in groups {
        let &(survivor, current) = members
            .iter()
            .max_by_key(|&&(i, current)| {
                (
                    current,
                    stored[i].curated,
                    stored[i].article_count,
                    std::cmp::Reverse(stored[i].id),
                )
            })
            .expect("a group has members");
        for &(i, _) in &members {
            if i != survivor {
                merge_named(&mut tx, stored[i].id, &stored[i].name, stored[survivor].id).await?;
                report.entities_redirected += 1;
            }
        }
        if !current {
            let (key, name) = &renamed[&survivor];
            entity_merges::set_key(&mut tx, stored[survivor].id, key, name).await?;
            report.entities_rekeyed += 1;
        }
        if members.len() > 1 {
            survivors.push(stored[survivor].id);
        }
    }
    survivors.sort_unstable();
    entities::recount(&mut tx, &survivors).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves the articles the last pass changed again, one at a time, until none changes.
///
/// Within a page, articles do not see each other's new links (evidence never comes from the
/// page being written), so two articles whose links rest on each other can swap entities
/// on every pass. One at a time, each sees the other's latest state: that ends the swap.
/// A later run's pages may swap them again, and its settling may not bring them all back: a
/// second run of `resolve` changes at most such articles.
async fn settle(
    pool: &PgPool,
    extractor: &Arc<Extractor>,
    mut unsettled: Vec<Uuid>,
    cancel: &AtomicBool,
    ledger: &mut Ledger,
    report: &mut ResolveReport,
) -> anyhow::Result<()> {
    let version = extractor.version().to_owned();
    for _ in 0..SETTLE_ROUNDS {
        if unsettled.is_empty() || cancel.load(Ordering::Relaxed) {
            break;
        }
        let mut next = Vec::new();
        for id in unsettled {
            let page = articles::stored_by_ids(pool, &[id])
                .await
                .context("cannot read a stored article")?;
            let before = positions(pool, &[id]).await?;
            let (outcome, failures) = extract_page(pool, extractor, &version, page, 1)
                .await
                .context("cannot write a resolved article")?;
            report.failed += failures.len() as u64;
            report.failures.extend(failures);
            report.articles += outcome.articles.len() as u64;
            report.entities_created += outcome.entities_created;
            let after = positions(pool, &[id]).await?;
            next.extend(ledger.record(&[id], &before, &after));
        }
        report.articles_settled.push(next.len() as u64);
        unsettled = next;
    }
    Ok(())
}

/// One pass over every stored article; returns the articles whose mentions changed.
async fn pass(
    pool: &PgPool,
    extractor: &Arc<Extractor>,
    options: &ImportOptions,
    cancel: &AtomicBool,
    ledger: &mut Ledger,
    report: &mut ResolveReport,
) -> anyhow::Result<Vec<Uuid>> {
    let version = extractor.version().to_owned();
    let total = articles::count_to_reextract(pool, &version, true)
        .await
        .context("cannot count the stored articles")?;
    let done = Arc::new(AtomicU64::new(0));
    let progress = Progress::start_items(u64::try_from(total).unwrap_or(0), Arc::clone(&done));
    let page_size = i64::try_from(options.batch_size).unwrap_or(500);
    let mut after = Uuid::nil();
    let mut changed = Vec::new();
    while !cancel.load(Ordering::Relaxed) {
        let page = articles::page_to_reextract(pool, &version, true, after, page_size)
            .await
            .context("cannot read stored articles")?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        let ids: Vec<Uuid> = page.iter().map(|a| a.id).collect();
        let before = positions(pool, &ids).await?;
        let (outcome, failures) = extract_page(pool, extractor, &version, page, options.jobs)
            .await
            .context("cannot write resolved articles")?;
        for failure in failures {
            progress.println(&format!("failed: {failure}"));
            report.failed += 1;
            report.failures.push(failure);
        }
        report.articles += outcome.articles.len() as u64;
        report.entities_created += outcome.entities_created;
        let after_positions = positions(pool, &ids).await?;
        changed.extend(ledger.record(&ids, &before, &after_positions));
        done.fetch_add(outcome.articles.len() as u64, Ordering::Relaxed);
        progress.add_records(outcome.articles.len() as u64);
    }
    progress.finish();
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::ledger::{Moves, tally};
    use super::retire::{made_since, successor};
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn passes_end_when_the_same_articles_change_again() {
        let (a, b, c) = (id(1), id(2), id(3));

        assert!(swapping(&[a, b], &[b, a]), "the same two, swapping");
        assert!(!swapping(&[a, b], &[a, c]), "another article changed");
        assert!(
            !swapping(&[a, b, c], &[a, b]),
            "fewer changed: still settling"
        );
        assert!(!swapping(&[], &[a]), "the first pass");
    }

    #[test]
    fn moves_are_tallied_and_changed_articles_counted() {
        let a = id(100);
        let before = HashMap::from([
            ((a, "body".to_owned(), 0), id(1)),
            ((a, "body".to_owned(), 10), id(2)),
        ]);
        let after = HashMap::from([
            ((a, "body".to_owned(), 0), id(3)),
            ((a, "body".to_owned(), 10), id(2)),
        ]);
        let mut moves = Moves::new();

        let changed = tally(&before, &after, &mut moves);

        assert_eq!(changed, HashSet::from([a]));
        assert_eq!(moves[&id(1)][&id(3)], 1);
        assert!(!moves.contains_key(&id(2)));
        assert!(tally(&after, &after, &mut moves).is_empty());
    }

    #[test]
    fn an_article_changed_and_changed_back_is_not_changed_in_the_end() {
        let a = id(100);
        let b = id(200);
        let at = |entity: u128| HashMap::from([((a, "body".to_owned(), 0), id(entity))]);
        let b_at = |entity: u128| HashMap::from([((b, "body".to_owned(), 4), id(entity))]);
        let mut ledger = Ledger::default();

        ledger.record(&[a], &at(1), &at(2));
        ledger.record(&[b], &b_at(5), &b_at(6));
        ledger.record(&[a], &at(2), &at(1));

        assert_eq!(ledger.net_changed(), 1, "b changed, a came back");
    }

    #[test]
    fn entities_made_during_a_run_are_told_by_their_id() {
        let before = SystemTime::now() - std::time::Duration::from_secs(60);
        let made = Uuid::now_v7();
        let after = SystemTime::now() + std::time::Duration::from_secs(60);

        assert!(made_since(made, before));
        assert!(!made_since(made, after));
        assert!(
            !made_since(Uuid::new_v4(), before),
            "no timestamp: not ours"
        );
    }

    #[test]
    fn a_successor_is_where_most_mentions_went_past_retired_ones() {
        let moves = Moves::from([
            (id(1), HashMap::from([(id(2), 5), (id(3), 1)])),
            (id(2), HashMap::from([(id(4), 2)])),
        ]);
        let retired = HashSet::from([id(1), id(2)]);

        assert_eq!(successor(id(1), &moves, &retired), Some(id(4)));
        assert_eq!(successor(id(9), &moves, &retired), None);
    }
}
