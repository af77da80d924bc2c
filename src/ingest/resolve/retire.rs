//! The end of a `resolve` run: entities no article names any more are merged into the one
//! that took most of their mentions (their id and slug redirect there), or deleted.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use sqlx::PgPool;
use uuid::Uuid;

use super::ResolveReport;
use super::ledger::Moves;
use crate::db::{entities, entity_merges, mentions};

/// Merges entity `from` into `into` (see [`entity_merges::merge_into`]), its name becoming an
/// alias of `into`, so that name search still finds what it was called.
pub(super) async fn merge_named(
    conn: &mut sqlx::PgConnection,
    from: Uuid,
    name: &str,
    into: Uuid,
) -> sqlx::Result<()> {
    entities::add_aliases(
        conn,
        &[into],
        &[name.to_owned()],
        &[crate::names::search_norm(name)],
    )
    .await?;
    entity_merges::merge_into(conn, from, into).await
}

/// The entity a retired one's mentions went to most, following retired successors.
pub(super) fn successor(old: Uuid, moves: &Moves, retired: &HashSet<Uuid>) -> Option<Uuid> {
    let mut current = old;
    for _ in 0..8 {
        let next = moves
            .get(&current)?
            .iter()
            .max_by_key(|(id, count)| (**count, std::cmp::Reverse(**id)))
            .map(|(id, _)| *id)?;
        if !retired.contains(&next) {
            return Some(next);
        }
        current = next;
    }
    None
}

/// Retires every entity that lost mentions and is named by no article any more.
pub(super) async fn retire(
    pool: &PgPool,
    moves: &Moves,
    run_started: SystemTime,
    report: &mut ResolveReport,
) -> anyhow::Result<()> {
    let mut candidates: Vec<Uuid> = moves.keys().copied().collect();
    candidates.sort_unstable();
    let mut tx = pool.begin().await?;
    mentions::lock_for_ingest(&mut tx).await?;
    let names: HashMap<Uuid, String> = entity_merges::unnamed(&mut tx, &candidates)
        .await?
        .into_iter()
        .collect();
    let retired: HashSet<Uuid> = names.keys().copied().collect();
    let mut orphans = Vec::new();
    let mut survivors = HashSet::new();
    let mut retired_sorted: Vec<Uuid> = retired.iter().copied().collect();
    retired_sorted.sort_unstable();
    for old in retired_sorted {
        // An entity this run made and then left unnamed (a pass linked a name one way, a
        // later one the other) never had a link anyone could have saved: it goes.
        if made_since(old, run_started) {
            orphans.push(old);
            continue;
        }
        match successor(old, moves, &retired) {
            Some(into) => {
                merge_named(&mut tx, old, &names[&old], into).await?;
                survivors.insert(into);
                report.entities_redirected += 1;
            }
            None => orphans.push(old),
        }
    }
    report.entities_deleted = entity_merges::delete_unnamed(&mut tx, &orphans).await?;
    let mut survivors: Vec<Uuid> = survivors.into_iter().collect();
    survivors.sort_unstable();
    entities::recount(&mut tx, &survivors).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether entity `id` (a UUIDv7) was made at or after `moment`.
pub(super) fn made_since(id: Uuid, moment: SystemTime) -> bool {
    let Some(timestamp) = id.get_timestamp() else {
        return false;
    };
    let (seconds, nanos) = timestamp.to_unix();
    let made = std::time::UNIX_EPOCH + std::time::Duration::new(seconds, nanos);
    made >= moment
}
