//! The matches read from the database, for when the in-memory snapshot cannot answer: the
//! matching articles and their entities in one repeatable-read transaction, numbered like
//! the snapshot numbers them, so the same counting code runs over either.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

use super::{Inner, Matched, Need, key};
use crate::db::article_search::ArticleFilter;
use crate::db::{answers, text_index};
use crate::textindex::facts::{EntityFacts, kind_bit};

/// Reads the matching articles and their entities in one repeatable-read transaction, so
/// that every entity an article names is read too.
pub(super) async fn load(
    pool: &PgPool,
    filter: &ArticleFilter,
    need: Need,
) -> sqlx::Result<Matched> {
    let mut tx = text_index::begin_build(pool).await?;
    let rows = answers::matched(&mut *tx, filter, need == Need::Entities).await?;
    let mut ordinals: HashMap<Uuid, u32> = HashMap::new();
    let mut ids: Vec<Uuid> = Vec::new();
    let mut keys = Vec::with_capacity(rows.len());
    let mut sources = Vec::with_capacity(rows.len());
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    let mut entities = Vec::new();
    offsets.push(0);
    for row in rows {
        keys.push(key(row.published_at));
        sources.push(row.source_id);
        for id in row.entity_ids {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            let ordinal = *ordinals.entry(id).or_insert_with(|| {
                ids.push(id);
                next
            });
            entities.push(ordinal);
        }
        offsets.push(u32::try_from(entities.len()).unwrap_or(u32::MAX));
    }
    let mut facts: HashMap<Uuid, EntityFacts> = answers::entity_facts(&mut *tx, &ids)
        .await?
        .into_iter()
        .map(|row| {
            let facts = EntityFacts {
                id: row.id,
                kind: row.kind,
                point: row.latitude.zip(row.longitude),
            };
            (row.id, facts)
        })
        .collect();
    tx.rollback().await?;
    // Every id read names an entity (a foreign key) of the same snapshot of the database, so
    // none is missing; were one missing, it would count as a person with no place.
    let table: Vec<EntityFacts> = ids
        .iter()
        .map(|id| {
            facts.remove(id).unwrap_or(EntityFacts {
                id: *id,
                kind: crate::domain::EntityKind::Person,
                point: None,
            })
        })
        .collect();
    let kinds = offsets
        .windows(2)
        .map(|span| {
            entities[span[0] as usize..span[1] as usize]
                .iter()
                .fold(0, |kinds, ordinal| {
                    kinds | kind_bit(table[*ordinal as usize].kind)
                })
        })
        .collect();
    Ok(Matched {
        inner: Inner::Loaded {
            keys,
            sources,
            kinds,
            offsets,
            entities,
            table,
        },
    })
}
