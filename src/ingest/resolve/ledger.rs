//! What a `resolve` run saw: where each old mention's entity went, and whether an article's
//! mentions differ at the end from when the run first read them.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;
use xxhash_rust::xxh3::xxh3_64;

use crate::db::mentions;

/// Old entity → new entity → mentions that moved from the one to the other.
pub(super) type Moves = HashMap<Uuid, HashMap<Uuid, u64>>;

/// Position (article, field, start) → entity.
pub(super) type Positions = HashMap<(Uuid, String, i32), Uuid>;

/// What a run saw: where each old mention's entity went, and a digest of each article's
/// mentions when first read and when last written.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    pub(super) moves: Moves,
    first: HashMap<Uuid, u64>,
    last: HashMap<Uuid, u64>,
}

impl Ledger {
    /// Records the articles `ids` before and after one resolution; returns those changed.
    pub(super) fn record(
        &mut self,
        ids: &[Uuid],
        before: &Positions,
        after: &Positions,
    ) -> HashSet<Uuid> {
        for (article, digest) in digests(ids, before) {
            self.first.entry(article).or_insert(digest);
        }
        self.last.extend(digests(ids, after));
        tally(before, after, &mut self.moves)
    }

    /// Articles whose mentions differ now from when the run first read them.
    pub(super) fn net_changed(&self) -> u64 {
        self.last
            .iter()
            .filter(|(article, digest)| self.first.get(*article) != Some(*digest))
            .count() as u64
    }
}

/// Each article's mentions as one number, whatever their order (0 for none).
pub(super) fn digests(ids: &[Uuid], positions: &Positions) -> HashMap<Uuid, u64> {
    let mut out: HashMap<Uuid, u64> = ids.iter().map(|id| (*id, 0)).collect();
    for ((article, field, start), entity) in positions {
        let mention = xxh3_64(format!("{field}\0{start}\0{entity}").as_bytes());
        let digest = out.entry(*article).or_default();
        *digest = digest.wrapping_add(mention);
    }
    out
}

/// Position (article, field, start) → entity, for these articles.
pub(super) async fn positions(pool: &PgPool, ids: &[Uuid]) -> anyhow::Result<Positions> {
    let mut conn = pool.acquire().await.context("cannot connect")?;
    let rows = mentions::positions(&mut conn, ids)
        .await
        .context("cannot read mention positions")?;
    Ok(rows
        .into_iter()
        .map(|p| ((p.article_id, p.field, p.start_offset), p.entity_id))
        .collect())
}

/// Adds to `moves` where each old mention's entity went, and returns the articles whose
/// mentions name other entities (or sit elsewhere) than before.
pub(super) fn tally(before: &Positions, after: &Positions, moves: &mut Moves) -> HashSet<Uuid> {
    let mut changed: HashSet<Uuid> = HashSet::new();
    for (position, old) in before {
        match after.get(position) {
            Some(new) if new == old => {}
            Some(new) => {
                *moves.entry(*old).or_default().entry(*new).or_default() += 1;
                changed.insert(position.0);
            }
            None => {
                moves.entry(*old).or_default();
                changed.insert(position.0);
            }
        }
    }
    changed.extend(
        after
            .keys()
            .filter(|position| !before.contains_key(*position))
            .map(|position| position.0),
    );
    changed
}
