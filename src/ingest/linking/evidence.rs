//! The company a candidate keeps: the entities it appears with, in the batch and in its
//! stored articles, weighed by how rare they are, as the score that chooses among candidates.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use uuid::Uuid;

use super::candidates::Partial;
use super::{BatchView, Candidate, EVIDENCE_ARTICLES, Identity};
use crate::db::link_candidates;

/// Who appears with whom: in the batch and, for stored candidates, in their stored articles.
#[derive(Default)]
pub(super) struct Evidence {
    /// Candidate identity → co-mentioned identity → batch articles naming both.
    batch: HashMap<Identity, HashMap<Identity, usize>>,
    /// Stored candidate → co-mentioned stored entity → stored articles naming both.
    stored: HashMap<Uuid, HashMap<Uuid, i64>>,
    /// Articles naming each identity (batch and stored), for its weight.
    frequency: HashMap<Identity, i64>,
    /// Stored articles naming each stored candidate and context.
    stored_counts: HashMap<Uuid, i64>,
}

impl Evidence {
    pub(super) async fn gather(
        conn: &mut PgConnection,
        view: &BatchView<'_>,
        candidates: &HashMap<Identity, Partial>,
        article_ids: &[Uuid],
    ) -> sqlx::Result<Self> {
        let mut evidence = Evidence::default();
        let mut stored_candidates: HashSet<Uuid> = HashSet::new();
        for partial in candidates.values() {
            for candidate in &partial.found {
                if let Some(identity) = &candidate.identity {
                    let profile = evidence.batch.entry(identity.clone()).or_default();
                    if profile.is_empty() {
                        for &a in view.appears.get(identity).into_iter().flatten() {
                            for other in &view.articles[a] {
                                *profile.entry((other.kind, other.key.clone())).or_default() += 1;
                            }
                        }
                    }
                }
                stored_candidates.extend(candidate.stored);
            }
        }
        for (identity, articles) in &view.appears {
            evidence
                .frequency
                .insert(identity.clone(), articles.len() as i64);
        }
        if stored_candidates.is_empty() {
            return Ok(evidence);
        }
        let contexts: Vec<Uuid> = view.stored.values().copied().collect();
        let candidates: Vec<Uuid> = stored_candidates.into_iter().collect();
        let rows = link_candidates::co_mentions(
            conn,
            &candidates,
            &contexts,
            article_ids,
            EVIDENCE_ARTICLES,
        )
        .await?;
        for row in rows {
            evidence
                .stored
                .entry(row.candidate)
                .or_default()
                .insert(row.context, row.articles);
        }
        let mut counted = contexts;
        counted.extend(&candidates);
        evidence.stored_counts = link_candidates::article_counts(conn, &counted)
            .await?
            .into_iter()
            .collect();
        for (identity, id) in view.stored {
            if let Some(count) = evidence.stored_counts.get(id) {
                *evidence.frequency.entry(identity.clone()).or_default() += count;
            }
        }
        Ok(evidence)
    }

    /// Articles naming an identity, in the batch and stored.
    pub(super) fn frequency(&self, identity: &Identity) -> i64 {
        self.frequency.get(identity).copied().unwrap_or(0)
    }

    /// Articles naming a candidate, in the batch and stored.
    pub(super) fn frequency_of(&self, candidate: &Candidate) -> i64 {
        match (&candidate.identity, candidate.stored) {
            (Some(identity), _) => self.frequency(identity),
            (None, Some(id)) => self.stored_counts.get(&id).copied().unwrap_or(0),
            (None, None) => 0,
        }
    }

    /// The evidence that article `a`'s entity `partial` means `candidate`: the weights of the
    /// article's other entities that the candidate appears with elsewhere.
    pub(super) fn score(
        &self,
        view: &BatchView<'_>,
        a: usize,
        partial: &Identity,
        candidate: &Candidate,
    ) -> f64 {
        let mut score = 0.0;
        for other in &view.articles[a] {
            let context = (other.kind, other.key.clone());
            if &context == partial || candidate.identity.as_ref() == Some(&context) {
                continue;
            }
            // Articles other than this one that name both.
            let in_batch = candidate
                .identity
                .as_ref()
                .and_then(|c| self.batch.get(c))
                .and_then(|profile| profile.get(&context))
                .copied()
                .unwrap_or(0);
            let both_here = candidate
                .identity
                .as_ref()
                .is_some_and(|c| view.appears.get(c).is_some_and(|arts| arts.contains(&a)));
            let in_batch = in_batch.saturating_sub(usize::from(both_here));
            let in_store = match (candidate.stored, view.stored.get(&context)) {
                (Some(c), Some(x)) => self
                    .stored
                    .get(&c)
                    .and_then(|p| p.get(x))
                    .copied()
                    .unwrap_or(0),
                _ => 0,
            };
            if in_batch > 0 || in_store > 0 {
                let frequency = self.frequency.get(&context).copied().unwrap_or(1).max(1);
                score += 1.0 / (1.0 + (frequency as f64).ln());
            }
        }
        score
    }
}
