//! Editing an entity: its name, type, Wikidata id and aliases. Fields a curator set are
//! marked so that `resolve` and imports leave them alone; a type change keeps the identity
//! under the old type pointing at the entity; removed aliases stay removed.

use newsgraph_extract::EntityKind;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Applied, Change, CurationError, Entry, IdOrSlug, subject};
use crate::db::curation_ops::{self, EntitySnapshot};
use crate::names;

/// The most aliases one edit adds or removes.
pub const MAX_ALIASES: usize = 1000;

/// What to change.
pub(super) struct Edit<'a> {
    pub name: Option<&'a str>,
    pub kind: Option<EntityKind>,
    pub wikidata_id: Option<Option<&'a str>>,
    pub add_aliases: &'a [String],
    pub remove_aliases: &'a [String],
}

/// Edits `entity`.
pub(super) async fn edit(
    conn: &mut PgConnection,
    change: &Change<'_>,
    entity: &IdOrSlug,
    edit: &Edit<'_>,
) -> Result<Applied, CurationError> {
    validate(edit)?;
    let id = subject(conn, entity).await?;
    curation_ops::lock(conn, &[id]).await?;
    change.check_precondition(conn, id).await?;
    let before = curation_ops::snapshot(conn, id)
        .await?
        .ok_or_else(|| CurationError::NoEntity(entity.to_string()))?;
    let after = edited(conn, &before, edit).await?;
    let known: std::collections::HashSet<&str> =
        before.aliases.iter().map(|(a, _)| a.as_str()).collect();
    let mut added: Vec<String> = edit
        .add_aliases
        .iter()
        .map(|a| a.trim().to_owned())
        .chain((after.name != before.name).then(|| after.name.clone()))
        .filter(|alias| !known.contains(alias.as_str()))
        .collect();
    added.sort();
    added.dedup();
    let removed_norms: Vec<String> = edit
        .remove_aliases
        .iter()
        .map(|alias| names::search_norm(alias))
        .filter(|norm| before.aliases.iter().any(|(_, n)| n == norm))
        .collect();
    if let Some(norm) = removed_norms
        .iter()
        .find(|norm| **norm == names::search_norm(&after.name))
    {
        return Err(CurationError::invalid(
            "remove_aliases",
            format!("{norm:?} is the entity's name: rename it first"),
        ));
    }
    let fields_changed = after.name != before.name
        || after.kind != before.kind
        || after.wikidata_id != before.wikidata_id;
    if !fields_changed && added.is_empty() && removed_norms.is_empty() {
        return Ok(Applied {
            change: None,
            entity: Some(id),
        });
    }
    let added_norms: Vec<String> = added.iter().map(|a| names::search_norm(a)).collect();
    let mut forgotten = Vec::new();
    for norm in &added_norms {
        if let Some(rule) = curation_ops::forget_removed_alias(conn, id, norm).await? {
            forgotten.push((norm.clone(), rule));
        }
    }
    let request = json!({
        "entity": id,
        "name": edit.name,
        "type": edit.kind,
        "wikidata_id": edit.wikidata_id,
        "add_aliases": edit.add_aliases,
        "remove_aliases": edit.remove_aliases,
    });
    let removed = curation_ops::remove_aliases(conn, id, &removed_norms).await?;
    let undo = json!({
        "before": before,
        "added_aliases": added,
        "removed_aliases": removed,
        "forgotten_removals": forgotten,
    });
    let (number, _) = change
        .log(
            conn,
            Entry {
                operation: "edit",
                entity: Some(id),
                entities: &[id],
                request: &request,
                undo: &undo,
                undoes: None,
            },
        )
        .await?;
    curation_ops::set_fields(conn, &after).await?;
    if after.kind != before.kind {
        curation_ops::add_key_rule(conn, number, before.kind, &before.match_key, id).await?;
    }
    curation_ops::add_aliases(conn, id, &added, &added_norms).await?;
    for norm in &removed_norms {
        curation_ops::add_removed_alias(conn, number, id, norm).await?;
    }
    Ok(Applied {
        change: Some(number),
        entity: Some(id),
    })
}

fn validate(edit: &Edit<'_>) -> Result<(), CurationError> {
    if edit.name.is_none()
        && edit.kind.is_none()
        && edit.wikidata_id.is_none()
        && edit.add_aliases.is_empty()
        && edit.remove_aliases.is_empty()
    {
        return Err(CurationError::invalid(
            "body",
            "nothing to change: give name, type, wikidata_id, add_aliases or remove_aliases",
        ));
    }
    if let Some(name) = edit.name {
        let name = name.trim();
        if name.is_empty() || names::search_norm(name).is_empty() {
            return Err(CurationError::invalid(
                "name",
                "a name needs a letter or a digit",
            ));
        }
        if name.chars().count() > 300 {
            return Err(CurationError::invalid("name", "at most 300 characters"));
        }
    }
    if let Some(Some(qid)) = edit.wikidata_id {
        let valid = qid.len() > 1
            && qid.len() <= 20
            && qid.starts_with('Q')
            && qid[1..].bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(CurationError::invalid(
                "wikidata_id",
                format!("{qid:?} is not a Wikidata id (Q and digits)"),
            ));
        }
    }
    if edit.add_aliases.len() > MAX_ALIASES || edit.remove_aliases.len() > MAX_ALIASES {
        return Err(CurationError::invalid(
            "add_aliases",
            format!("at most {MAX_ALIASES} aliases added and {MAX_ALIASES} removed per edit"),
        ));
    }
    for alias in edit.add_aliases {
        let alias = alias.trim();
        if names::search_norm(alias).is_empty() || alias.chars().count() > 300 {
            return Err(CurationError::invalid(
                "add_aliases",
                format!("{alias:?} is not an alias: 1 to 300 characters with a letter or a digit"),
            ));
        }
    }
    Ok(())
}

/// The entity as the edit leaves it; a type change must not take an identity another entity
/// holds.
async fn edited(
    conn: &mut PgConnection,
    before: &EntitySnapshot,
    edit: &Edit<'_>,
) -> Result<EntitySnapshot, CurationError> {
    let mut after = before.clone();
    let mark = |field: &str, after: &mut EntitySnapshot| {
        if !after.curated_fields.iter().any(|f| f == field) {
            after.curated_fields.push(field.to_owned());
        }
    };
    if let Some(name) = edit.name.map(str::trim)
        && name != before.name
    {
        after.name = name.to_owned();
        mark("name", &mut after);
    }
    if let Some(kind) = edit.kind
        && kind != before.kind
    {
        let rest = before
            .match_key
            .split_once(':')
            .map_or(before.match_key.as_str(), |(_, rest)| rest);
        let key = format!("{}:{rest}", kind.as_str());
        if let Some((_, slug)) = curation_ops::key_holder(conn, kind, &key).await? {
            return Err(CurationError::conflict(
                "type_conflict",
                format!(
                    "{slug} is already the {} of that name: merge {} into it instead",
                    kind.as_str(),
                    before.slug
                ),
            ));
        }
        if let Some((target, slug)) = curation_ops::key_rule_target(conn, kind, &key).await?
            && target != before.id
        {
            return Err(CurationError::conflict(
                "type_conflict",
                format!(
                    "a curation stores the {} of that name as {slug}: merge {} into it instead",
                    kind.as_str(),
                    before.slug
                ),
            ));
        }
        after.kind = kind;
        after.match_key = key;
        mark("type", &mut after);
    }
    if let Some(qid) = edit.wikidata_id
        && qid != before.wikidata_id.as_deref()
    {
        after.wikidata_id = qid.map(str::to_owned);
        mark("wikidata_id", &mut after);
    }
    Ok(after)
}

/// Undoes edit change `number`: fields, key, aliases and removed-alias rules as they were.
pub(super) async fn undo(
    conn: &mut PgConnection,
    number: i64,
    undo: &serde_json::Value,
) -> Result<Vec<Uuid>, CurationError> {
    let unreadable = |error: serde_json::Error| {
        anyhow::anyhow!("change {number} has an unreadable undo record: {error}")
    };
    let before: EntitySnapshot =
        serde_json::from_value(undo["before"].clone()).map_err(unreadable)?;
    let added: Vec<String> =
        serde_json::from_value(undo["added_aliases"].clone()).map_err(unreadable)?;
    let removed: Vec<(String, String)> =
        serde_json::from_value(undo["removed_aliases"].clone()).map_err(unreadable)?;
    let forgotten: Vec<(String, i64)> =
        serde_json::from_value(undo["forgotten_removals"].clone()).map_err(unreadable)?;
    if let Some((holder, slug)) =
        curation_ops::key_holder(conn, before.kind, &before.match_key).await?
        && holder != before.id
    {
        return Err(CurationError::conflict(
            "undo_conflict",
            format!("{slug} now holds the name and type {} had", before.slug),
        ));
    }
    curation_ops::drop_rules(conn, number).await?;
    curation_ops::set_fields(conn, &before).await?;
    curation_ops::remove_exact_aliases(conn, before.id, &added).await?;
    let (aliases, norms): (Vec<String>, Vec<String>) = removed.into_iter().unzip();
    curation_ops::add_aliases(conn, before.id, &aliases, &norms).await?;
    for (norm, rule) in forgotten {
        curation_ops::add_removed_alias(conn, rule, before.id, &norm).await?;
    }
    Ok(vec![before.id])
}
