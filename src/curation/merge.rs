//! Merging entities into one: each merged entity's mentions (recorded for an undo), aggregates
//! and aliases move to the survivor, its id and slug redirect there, and its identity
//! (kind, match key) is stored as the survivor by every later import.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Applied, Change, CurationError, Entry, Found, IdOrSlug, find, recount, subject};
use crate::db::curation_ops::{self, EntitySnapshot};
use crate::db::{curation_moves, entity_merges};

/// The most entities one merge takes.
pub const MAX_MERGED: usize = 100;

/// Merges `entities` into `into`.
pub(super) async fn merge(
    conn: &mut PgConnection,
    change: &Change<'_>,
    into: &IdOrSlug,
    entities: &[IdOrSlug],
) -> Result<Applied, CurationError> {
    if entities.is_empty() {
        return Err(CurationError::invalid(
            "entities",
            "name at least one entity to merge",
        ));
    }
    if entities.len() > MAX_MERGED {
        return Err(CurationError::invalid(
            "entities",
            format!("at most {MAX_MERGED} entities per merge"),
        ));
    }
    let target = subject(conn, into).await?;
    let sources = sources(conn, target, entities).await?;
    if sources.is_empty() {
        // Every one of them is merged into it already.
        return Ok(Applied {
            change: None,
            entity: Some(target),
        });
    }
    let mut all = sources.clone();
    all.push(target);
    curation_ops::lock(conn, &all).await?;
    change.check_precondition(conn, target).await?;
    let survivor = curation_ops::snapshot(conn, target)
        .await?
        .ok_or_else(|| CurationError::NoEntity(into.to_string()))?;
    let mut merged: Vec<EntitySnapshot> = Vec::with_capacity(sources.len());
    for id in &sources {
        let source = curation_ops::snapshot(conn, *id)
            .await?
            .ok_or_else(|| CurationError::invalid("entities", format!("no entity {id}")))?;
        if source.kind != survivor.kind {
            return Err(CurationError::conflict(
                "type_conflict",
                format!(
                    "{} is a {} and {} a {}: change one's type first",
                    source.slug,
                    source.kind.as_str(),
                    survivor.slug,
                    survivor.kind.as_str()
                ),
            ));
        }
        merged.push(source);
    }
    let survivor_aliases: std::collections::HashSet<&str> =
        survivor.aliases.iter().map(|(a, _)| a.as_str()).collect();
    let added: Vec<&str> = merged
        .iter()
        .flat_map(|source| source.aliases.iter().map(|(a, _)| a.as_str()))
        .filter(|alias| !survivor_aliases.contains(alias))
        .collect();
    let request = json!({ "into": target, "entities": sources });
    let undo = json!({ "merged": merged, "added_aliases": added });
    let (number, _) = change
        .log(
            conn,
            Entry {
                operation: "merge",
                entity: Some(target),
                entities: &all,
                request: &request,
                undo: &undo,
                undoes: None,
            },
        )
        .await?;
    for source in &merged {
        curation_moves::record_all(conn, number, source.id, target).await?;
        curation_ops::add_key_rule(conn, number, source.kind, &source.match_key, target).await?;
        entity_merges::merge_into(conn, source.id, target).await?;
    }
    recount(conn, &[target]).await?;
    Ok(Applied {
        change: Some(number),
        entity: Some(target),
    })
}

/// The entities to merge into `target`, without those merged into it already; refuses the
/// target itself, entities merged elsewhere and unknown ones.
async fn sources(
    conn: &mut PgConnection,
    target: Uuid,
    entities: &[IdOrSlug],
) -> Result<Vec<Uuid>, CurationError> {
    let mut sources = Vec::with_capacity(entities.len());
    for reference in entities {
        match find(conn, reference).await? {
            Found::Entity(id) if id == target => {
                return Err(CurationError::invalid(
                    "entities",
                    format!(
                        "{reference} is the entity merged into: an entity cannot be merged into itself"
                    ),
                ));
            }
            Found::Entity(id) => {
                if !sources.contains(&id) {
                    sources.push(id);
                }
            }
            Found::Merged(id, _) if id == target => {}
            Found::Merged(_, slug) => {
                return Err(CurationError::conflict(
                    "merged_entity",
                    format!("{reference} was merged into {slug}: merge {slug} instead"),
                ));
            }
            Found::Missing => {
                return Err(CurationError::invalid(
                    "entities",
                    format!("no entity {reference}"),
                ));
            }
        }
    }
    Ok(sources)
}

/// Undoes merge change `number`: the merged entities come back with their ids, slugs,
/// aliases, redirects and recorded mentions; returns the entities touched.
pub(super) async fn undo(
    conn: &mut PgConnection,
    number: i64,
    undo: &serde_json::Value,
    target: Uuid,
) -> Result<Vec<Uuid>, CurationError> {
    let merged: Vec<EntitySnapshot> =
        serde_json::from_value(undo["merged"].clone()).map_err(|error| {
            anyhow::anyhow!("change {number} has an unreadable undo record: {error}")
        })?;
    let added: Vec<String> =
        serde_json::from_value(undo["added_aliases"].clone()).unwrap_or_default();
    for source in &merged {
        super::ensure_free(conn, source).await?;
    }
    for source in &merged {
        curation_ops::restore(conn, source).await?;
    }
    curation_ops::remove_exact_aliases(conn, target, &added).await?;
    let articles = curation_moves::reverse(conn, number).await?;
    let mut touched: Vec<Uuid> = merged.iter().map(|source| source.id).collect();
    touched.push(target);
    curation_moves::rebuild_aggregates(conn, &articles, &touched).await?;
    Ok(touched)
}
