//! Undoing a change: refused for an undo, for a change undone already, and while a later
//! change in force touched the same entities (undo that one first). Otherwise what the
//! change replaced comes back (each operation's module knows how), its rules go, and the
//! articles stored since the change that name its entities are resolved again, since they
//! were written under its rules.

use std::sync::Arc;

use newsgraph_extract::Extractor;
use serde_json::json;
use sqlx::PgConnection;

use super::{Applied, Change, CurationError, Entry, edit, merge, recount, split, suppress};
use crate::db::{curation_log, curation_moves, curation_ops};
use crate::ingest::reextract;

/// Undoes change `number`.
pub(super) async fn undo(
    conn: &mut PgConnection,
    change: &Change<'_>,
    number: i64,
    extractor: &Arc<Extractor>,
    jobs: usize,
) -> Result<Applied, CurationError> {
    let record = curation_log::undo_record(conn, number)
        .await?
        .ok_or(CurationError::NoChange(number))?;
    if record.operation == "undo" {
        return Err(CurationError::conflict(
            "undo_of_undo",
            format!("change {number} is an undo: make the change it undid again instead"),
        ));
    }
    if let Some(by) = record.undone_by {
        return Err(CurationError::conflict(
            "already_undone",
            format!("change {number} was undone by change {by}"),
        ));
    }
    if let Some(later) = curation_log::later_change(conn, number, &record.entities).await? {
        return Err(CurationError::conflict(
            "later_change",
            format!(
                "change {later} touched the same entities after change {number}: undo it first"
            ),
        ));
    }
    curation_ops::lock(conn, &record.entities).await?;
    let subject = record.entity_id;
    let (touched, phrase) = match record.operation.as_str() {
        "merge" => {
            let target = subject.ok_or(CurationError::NoChange(number))?;
            require(conn, number, &[target]).await?;
            (merge::undo(conn, number, &record.undo, target).await?, None)
        }
        "split" => {
            let source = subject.ok_or(CurationError::NoChange(number))?;
            let target = split::target(number, &record.undo)?;
            require(conn, number, &[source, target]).await?;
            (split::undo(conn, number, &record.undo, source).await?, None)
        }
        "edit" => {
            require(conn, number, &subject.into_iter().collect::<Vec<_>>()).await?;
            (edit::undo(conn, number, &record.undo).await?, None)
        }
        "suppress" => {
            let (touched, name) =
                suppress::undo(conn, number, &record.undo, &record.entities).await?;
            (touched, Some(name))
        }
        other => {
            return Err(CurationError::Other(anyhow::anyhow!(
                "change {number} has an unknown operation {other:?}"
            )));
        }
    };
    curation_ops::drop_rules(conn, number).await?;
    let (snapshot_xmin, change_xid) = xact(number, &record.undo)?;
    let since =
        curation_moves::written_since(conn, &touched, phrase.as_deref(), snapshot_xmin, change_xid)
            .await?;
    if !since.is_empty() {
        reextract::reresolve_in(conn, extractor, &since, jobs).await?;
    }
    let touched = match (record.operation.as_str(), subject) {
        // A new entity a split made goes when re-resolution left it nothing.
        ("split", Some(source)) => {
            split::retire_if_empty(conn, number, &record.undo, source).await?
        }
        _ => touched,
    };
    recount(conn, &touched).await?;
    let request = json!({ "change": number });
    let undo_record = json!({});
    let (undo_number, _) = change
        .log(
            conn,
            Entry {
                operation: "undo",
                entity: subject,
                entities: &record.entities,
                request: &request,
                undo: &undo_record,
                undoes: Some(number),
            },
        )
        .await?;
    Ok(Applied {
        change: Some(undo_number),
        entity: subject,
    })
}

/// The transaction ids a change's log row recorded (see `curation_log::insert`).
fn xact(number: i64, undo: &serde_json::Value) -> Result<(i64, i64), CurationError> {
    let read = |key: &str| {
        undo["xact"][key]
            .as_str()
            .and_then(|id| id.parse::<i64>().ok())
    };
    match (read("snapshot_xmin"), read("xid")) {
        (Some(xmin), Some(xid)) => Ok((xmin, xid)),
        _ => Err(CurationError::Other(anyhow::anyhow!(
            "change {number} has no transaction ids in its undo record"
        ))),
    }
}

/// Refuses an undo whose entities are gone since (merged or retired by `resolve` or by an
/// import's linking): there is nothing left to put back into.
async fn require(
    conn: &mut PgConnection,
    number: i64,
    ids: &[uuid::Uuid],
) -> Result<(), CurationError> {
    let present = curation_ops::lock(conn, ids).await?;
    match ids.iter().find(|id| !present.contains(id)) {
        Some(missing) => Err(CurationError::conflict(
            "undo_conflict",
            format!("entity {missing}, which change {number} is about, exists no more"),
        )),
        None => Ok(()),
    }
}
