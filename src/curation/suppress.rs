//! Suppressing a name that is not an entity (of one type, or of any): every stored mention
//! with that surface goes, and so does every mention of an entity of that name; entities
//! left without mentions are deleted (an undo brings them back), and imports drop the name
//! from then on.

use newsgraph_extract::EntityKind;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Applied, Change, CurationError, Entry};
use crate::db::curation_moves::{self, MentionAt};
use crate::db::curation_ops::{self, EntitySnapshot};
use crate::names;

/// Suppresses `name` for `kind` (every kind when `None`).
pub(super) async fn suppress(
    conn: &mut PgConnection,
    change: &Change<'_>,
    name: &str,
    kind: Option<EntityKind>,
) -> Result<Applied, CurationError> {
    let name = name.trim();
    let norm = names::search_norm(name);
    if norm.is_empty() || name.chars().count() > 300 {
        return Err(CurationError::invalid(
            "name",
            "a name of 1 to 300 characters with a letter or a digit",
        ));
    }
    if curation_ops::is_suppressed(conn, &norm, kind).await? {
        return Ok(Applied {
            change: None,
            entity: None,
        });
    }
    let candidates = curation_ops::named(conn, &norm, kind).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|(id, _, _)| *id).collect();
    curation_ops::lock(conn, &ids).await?;
    // What goes, per entity, decided before anything moves so that the log row carries it.
    let mut plan: Vec<(Uuid, Vec<MentionAt>)> = Vec::with_capacity(candidates.len());
    let mut deleted: Vec<EntitySnapshot> = Vec::new();
    let mut removed_aliases: Vec<(Uuid, String, String)> = Vec::new();
    for (id, entity_name, _) in &candidates {
        let mentions = curation_moves::mentions_of(conn, *id).await?;
        let whole = names::search_norm(entity_name) == norm;
        let total = mentions.len();
        let going: Vec<MentionAt> = mentions
            .into_iter()
            .filter(|m| whole || names::search_norm(&m.surface) == norm)
            .collect();
        let Some(snapshot) = curation_ops::snapshot(conn, *id).await? else {
            continue;
        };
        if whole || going.len() == total {
            deleted.push(snapshot);
        } else {
            for (alias, alias_norm) in snapshot.aliases {
                if alias_norm == norm {
                    removed_aliases.push((*id, alias, alias_norm));
                }
            }
        }
        plan.push((*id, going));
    }
    let request = json!({ "name": name, "type": kind });
    let undo = json!({ "name": name, "deleted": deleted, "removed_aliases": removed_aliases });
    let (number, _) = change
        .log(
            conn,
            Entry {
                operation: "suppress",
                entity: None,
                entities: &ids,
                request: &request,
                undo: &undo,
                undoes: None,
            },
        )
        .await?;
    let mut articles = Vec::new();
    for (id, going) in &plan {
        articles.extend(curation_moves::move_mentions(conn, number, *id, None, going).await?);
    }
    articles.sort_unstable();
    articles.dedup();
    curation_moves::rebuild_aggregates(conn, &articles, &ids).await?;
    for (id, _) in &plan {
        curation_ops::remove_aliases(conn, *id, std::slice::from_ref(&norm)).await?;
    }
    for entity in &deleted {
        curation_ops::delete(conn, entity.id).await?;
    }
    super::recount(conn, &ids).await?;
    curation_ops::add_suppression(conn, number, name, &norm, kind).await?;
    Ok(Applied {
        change: Some(number),
        entity: None,
    })
}

/// Undoes suppress change `number`: deleted entities come back, then the removed mentions
/// and aliases. Returns the entities touched and the name (articles stored since that
/// contain it are re-resolved).
pub(super) async fn undo(
    conn: &mut PgConnection,
    number: i64,
    undo: &serde_json::Value,
    entities: &[Uuid],
) -> Result<(Vec<Uuid>, String), CurationError> {
    let deleted: Vec<EntitySnapshot> =
        serde_json::from_value(undo["deleted"].clone()).map_err(|error| {
            anyhow::anyhow!("change {number} has an unreadable undo record: {error}")
        })?;
    let name = undo["name"].as_str().unwrap_or_default().to_owned();
    for entity in &deleted {
        super::ensure_free(conn, entity).await?;
    }
    curation_ops::drop_rules(conn, number).await?;
    for entity in &deleted {
        curation_ops::restore(conn, entity).await?;
    }
    let removed: Vec<(Uuid, String, String)> =
        serde_json::from_value(undo["removed_aliases"].clone()).unwrap_or_default();
    // Entities merged or retired since keep none of it.
    let present = curation_ops::lock(conn, entities).await?;
    for (id, alias, norm) in removed {
        if present.contains(&id) {
            curation_ops::add_aliases(conn, id, &[alias], &[norm]).await?;
        }
    }
    let articles = curation_moves::reverse(conn, number).await?;
    curation_moves::rebuild_aggregates(conn, &articles, entities).await?;
    Ok((entities.to_vec(), name))
}
