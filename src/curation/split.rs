//! Splitting an entity: the mentions with chosen surfaces (or at chosen places) go to another
//! entity, existing or new, with those aliases; the split is a rule, so later imports send
//! such mentions there too.

use std::collections::HashSet;

use newsgraph_extract::{EntityKind, match_key};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{
    Applied, Change, CurationError, Entry, Found, IdOrSlug, MentionRef, find, recount, subject,
};
use crate::db::curation_moves::{self, MentionAt};
use crate::db::{curation_ops, curation_rules, entities};
use crate::names;

/// The most aliases or mentions one split takes.
pub const MAX_SPLIT: usize = 1000;

/// What to split off and where to.
pub(super) struct Split<'a> {
    pub aliases: &'a [String],
    pub mentions: &'a [MentionRef],
    pub into: Option<&'a IdOrSlug>,
    pub name: Option<&'a str>,
    pub kind: Option<EntityKind>,
}

/// Splits `split` off `entity`.
pub(super) async fn split(
    conn: &mut PgConnection,
    change: &Change<'_>,
    entity: &IdOrSlug,
    split: &Split<'_>,
) -> Result<Applied, CurationError> {
    validate(split)?;
    let source = subject(conn, entity).await?;
    let existing = match split.into {
        Some(into) => Some(target_of(conn, into, source).await?),
        None => None,
    };
    let mut locked = vec![source];
    locked.extend(existing);
    curation_ops::lock(conn, &locked).await?;
    change.check_precondition(conn, source).await?;
    let snapshot = curation_ops::snapshot(conn, source)
        .await?
        .ok_or_else(|| CurationError::NoEntity(entity.to_string()))?;
    // Aliases split off this entity before are done (a file applied again).
    let done: HashSet<String> = curation_rules::split_rules(conn, &[source])
        .await?
        .into_iter()
        .filter_map(|rule| rule.alias_norm)
        .collect();
    let norms = alias_norms(split.aliases, &snapshot.aliases, &done, &snapshot.slug)?;
    if norms.is_empty() && split.mentions.is_empty() {
        return Ok(Applied {
            change: None,
            entity: Some(source),
        });
    }
    let mentions = curation_moves::mentions_of(conn, source).await?;
    let chosen = chosen(&mentions, &norms, split.mentions, &snapshot.slug)?;
    let source_norms: HashSet<&str> = snapshot.aliases.iter().map(|(_, n)| n.as_str()).collect();
    let keeps_an_alias = source_norms.iter().any(|norm| !norms.contains(*norm));
    if chosen.len() == mentions.len() && !mentions.is_empty() || !keeps_an_alias {
        return Err(CurationError::invalid(
            "aliases",
            format!(
                "that would split off all of {}: merge it into the other entity, or edit it, instead",
                snapshot.slug
            ),
        ));
    }
    let moved_aliases: Vec<(String, String)> = snapshot
        .aliases
        .iter()
        .filter(|(_, norm)| norms.contains(norm))
        .cloned()
        .collect();
    let target_aliases: HashSet<String> = match existing {
        Some(target) => curation_ops::snapshot(conn, target)
            .await?
            .map(|t| t.aliases.into_iter().map(|(alias, _)| alias).collect())
            .unwrap_or_default(),
        None => HashSet::new(),
    };
    let added: Vec<&str> = moved_aliases
        .iter()
        .map(|(alias, _)| alias.as_str())
        .filter(|alias| !target_aliases.contains(*alias))
        .collect();
    let (target, created) = match existing {
        Some(target) => (target, false),
        None => {
            let kind = split.kind.unwrap_or(snapshot.kind);
            let name = match split.name.map(str::trim).filter(|n| !n.is_empty()) {
                Some(name) => name.to_owned(),
                None => match moved_aliases.first() {
                    Some((alias, _)) => alias.clone(),
                    None => {
                        return Err(CurationError::invalid(
                            "name",
                            "name the new entity (no alias is split off to name it after)",
                        ));
                    }
                },
            };
            (create(conn, source, kind, &name).await?, true)
        }
    };
    let mut touched = vec![source, target];
    touched.sort_unstable();
    let request = json!({
        "entity": source,
        "aliases": split.aliases,
        "mentions": split.mentions.iter().map(|m| json!({
            "article_id": m.article_id, "field": m.field, "start": m.start,
        })).collect::<Vec<_>>(),
        "into": target,
        "created": created,
    });
    let undo = json!({
        "target": target,
        "created": created,
        "moved_aliases": moved_aliases,
        "added_aliases": added,
    });
    let (number, _) = change
        .log(
            conn,
            Entry {
                operation: "split",
                entity: Some(source),
                entities: &touched,
                request: &request,
                undo: &undo,
                undoes: None,
            },
        )
        .await?;
    let articles =
        curation_moves::move_mentions(conn, number, source, Some(target), &chosen).await?;
    curation_moves::rebuild_aggregates(conn, &articles, &touched).await?;
    let norm_list: Vec<String> = norms.iter().cloned().collect();
    let removed = curation_ops::remove_aliases(conn, source, &norm_list).await?;
    let (aliases, alias_norms): (Vec<String>, Vec<String>) = removed.into_iter().unzip();
    curation_ops::add_aliases(conn, target, &aliases, &alias_norms).await?;
    for norm in &norm_list {
        curation_ops::add_split_rule(conn, number, source, target, Some(norm), None).await?;
    }
    for mention in split.mentions {
        let position = (mention.article_id, mention.field, mention.start);
        curation_ops::add_split_rule(conn, number, source, target, None, Some(position)).await?;
    }
    recount(conn, &touched).await?;
    Ok(Applied {
        change: Some(number),
        entity: Some(target),
    })
}

fn validate(split: &Split<'_>) -> Result<(), CurationError> {
    if split.aliases.is_empty() && split.mentions.is_empty() {
        return Err(CurationError::invalid(
            "aliases",
            "name the aliases or the mentions to split off",
        ));
    }
    if split.aliases.len() > MAX_SPLIT || split.mentions.len() > MAX_SPLIT {
        return Err(CurationError::invalid(
            "aliases",
            format!("at most {MAX_SPLIT} aliases and {MAX_SPLIT} mentions per split"),
        ));
    }
    if split.into.is_some() && (split.name.is_some() || split.kind.is_some()) {
        return Err(CurationError::invalid(
            "into",
            "give either an existing entity (into) or the new one's name and type, not both",
        ));
    }
    if let Some(name) = split.name {
        if name.trim().chars().count() > 300 {
            return Err(CurationError::invalid("name", "at most 300 characters"));
        }
        if names::search_norm(name).is_empty() {
            return Err(CurationError::invalid(
                "name",
                "a name needs a letter or a digit",
            ));
        }
    }
    Ok(())
}

/// The existing entity a split goes to.
async fn target_of(
    conn: &mut PgConnection,
    into: &IdOrSlug,
    source: Uuid,
) -> Result<Uuid, CurationError> {
    match find(conn, into).await? {
        Found::Entity(id) if id == source => Err(CurationError::invalid(
            "into",
            "an entity cannot be split into itself",
        )),
        Found::Entity(id) => Ok(id),
        Found::Merged(_, slug) => Err(CurationError::conflict(
            "merged_entity",
            format!("{into} was merged into {slug}: split into {slug} instead"),
        )),
        Found::Missing => Err(CurationError::invalid("into", format!("no entity {into}"))),
    }
}

/// The folded forms of the aliases to split off; each must be an alias of the entity, or
/// one split off it already (then it is left out).
fn alias_norms(
    aliases: &[String],
    known: &[(String, String)],
    done: &HashSet<String>,
    slug: &str,
) -> Result<HashSet<String>, CurationError> {
    let known: HashSet<&str> = known.iter().map(|(_, norm)| norm.as_str()).collect();
    let mut norms = HashSet::new();
    for alias in aliases {
        let norm = names::search_norm(alias);
        if done.contains(&norm) && !known.contains(norm.as_str()) {
            continue;
        }
        if norm.is_empty() || !known.contains(norm.as_str()) {
            return Err(CurationError::invalid(
                "aliases",
                format!("{alias:?} is not an alias of {slug}"),
            ));
        }
        norms.insert(norm);
    }
    Ok(norms)
}

/// The mentions that go: those with a chosen surface, and the chosen ones (each must be a
/// mention of the entity).
fn chosen(
    mentions: &[MentionAt],
    norms: &HashSet<String>,
    positions: &[MentionRef],
    slug: &str,
) -> Result<Vec<MentionAt>, CurationError> {
    let at: HashSet<(Uuid, newsgraph_extract::Field, i32)> = mentions
        .iter()
        .map(|m| (m.article_id, m.field, m.start_offset))
        .collect();
    for position in positions {
        if !at.contains(&(position.article_id, position.field, position.start)) {
            return Err(CurationError::invalid(
                "mentions",
                format!(
                    "{slug} has no mention in article {} at {} offset {}",
                    position.article_id,
                    position.field.as_str(),
                    position.start
                ),
            ));
        }
    }
    let wanted: HashSet<(Uuid, newsgraph_extract::Field, i32)> = positions
        .iter()
        .map(|p| (p.article_id, p.field, p.start))
        .collect();
    Ok(mentions
        .iter()
        .filter(|m| {
            wanted.contains(&(m.article_id, m.field, m.start_offset))
                || (!norms.is_empty() && norms.contains(&names::search_norm(&m.surface)))
        })
        .cloned()
        .collect())
}

/// A new entity for a split: its identity is that of its name and type; when another entity
/// holds that identity already, the split must go into it.
async fn create(
    conn: &mut PgConnection,
    source: Uuid,
    kind: EntityKind,
    name: &str,
) -> Result<Uuid, CurationError> {
    let key = match_key(kind, name);
    if let Some((holder, slug)) = curation_ops::key_holder(conn, kind, &key).await? {
        let detail = if holder == source {
            format!(
                "{slug} itself is the {} named {name:?}: give the new entity another name or type",
                kind.as_str()
            )
        } else {
            format!(
                "{slug} is already the {} named {name:?}: split into it (into: {slug})",
                kind.as_str()
            )
        };
        return Err(CurationError::conflict("entity_exists", detail));
    }
    if let Some((_, slug)) = curation_ops::key_rule_target(conn, kind, &key).await? {
        return Err(CurationError::conflict(
            "entity_exists",
            format!(
                "a curation stores the {} named {name:?} as {slug}: split into it (into: {slug})",
                kind.as_str()
            ),
        ));
    }
    let candidates = names::slug_candidates(kind, name, &key);
    let taken = entities::taken_slugs(conn, &candidates).await?;
    let slug = candidates
        .iter()
        .find(|slug| !taken.contains(*slug))
        .cloned()
        .unwrap_or_else(|| format!("{}-{}", candidates[2], Uuid::now_v7().simple()));
    let id = Uuid::now_v7();
    let new = entities::NewEntities {
        ids: vec![id],
        kinds: vec![kind],
        names: vec![name.to_owned()],
        slugs: vec![slug],
        keys: vec![key],
        latitudes: vec![None],
        longitudes: vec![None],
        geonames_ids: vec![None],
        wikidata_ids: vec![None],
    };
    entities::insert(conn, &new).await?;
    curation_ops::set_curated(conn, id, &["name", "type"]).await?;
    curation_ops::add_aliases(conn, id, &[name.to_owned()], &[names::search_norm(name)]).await?;
    Ok(id)
}

/// The entity split change `number` sent mentions to.
pub(super) fn target(number: i64, undo: &serde_json::Value) -> Result<Uuid, CurationError> {
    serde_json::from_value(undo["target"].clone()).map_err(|error| {
        CurationError::Other(anyhow::anyhow!(
            "change {number} has an unreadable undo record: {error}"
        ))
    })
}

/// Undoes split change `number`: the recorded mentions and the aliases go back. Returns the
/// entities touched.
pub(super) async fn undo(
    conn: &mut PgConnection,
    number: i64,
    undo: &serde_json::Value,
    source: Uuid,
) -> Result<Vec<Uuid>, CurationError> {
    let target = target(number, undo)?;
    let moved: Vec<(String, String)> =
        serde_json::from_value(undo["moved_aliases"].clone()).unwrap_or_default();
    let added: Vec<String> =
        serde_json::from_value(undo["added_aliases"].clone()).unwrap_or_default();
    let articles = curation_moves::reverse(conn, number).await?;
    let touched = vec![source, target];
    curation_moves::rebuild_aggregates(conn, &articles, &touched).await?;
    let (aliases, norms): (Vec<String>, Vec<String>) = moved.into_iter().unzip();
    curation_ops::add_aliases(conn, source, &aliases, &norms).await?;
    curation_ops::remove_exact_aliases(conn, target, &added).await?;
    Ok(touched)
}

/// After the undo of split change `number` (and the re-resolution of the articles stored
/// under it): a new entity the split made and nothing names any more is retired into the
/// split one, so its id and slug lead there. Returns the entities left to recount.
pub(super) async fn retire_if_empty(
    conn: &mut PgConnection,
    number: i64,
    undo: &serde_json::Value,
    source: Uuid,
) -> Result<Vec<Uuid>, CurationError> {
    let target = target(number, undo)?;
    let created = undo["created"].as_bool().unwrap_or(false);
    if created && !curation_ops::has_mentions(conn, target).await? {
        curation_ops::retire_into(conn, target, source).await?;
        return Ok(vec![source]);
    }
    Ok(vec![source, target])
}
