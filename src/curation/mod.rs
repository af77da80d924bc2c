//! Curation: people correcting entity resolution by hand. Merge entities, split mentions
//! off to another entity, edit an entity's name, type, aliases and Wikidata id, suppress a
//! name that is not an entity, and undo any of these.
//!
//! Each change runs in one transaction under the ingest lock (so it never interleaves with an
//! import's write of entities, nor with another change), appends one row to the change log
//! with who made it, why, and what an undo needs, and leaves rules that every later import,
//! re-extraction and `resolve` applies (see `ingest::store`), so a merge stays merged and a
//! suppressed name stays suppressed. The HTTP routes (`http::curation`) and the
//! `newsgraph entity` command both call [`Curator`]; a file of changes applies as one
//! transaction ([`bulk`]).
//!
//! Undo is last-in, first-out per entity: a change can be undone while no later change in
//! force touched its entities. An undo puts back exactly the mentions, aliases, rows and
//! rules the change moved, and re-resolves the articles stored since the change that name
//! its entities (their mentions were written under its rules).

use std::sync::Arc;

use newsgraph_extract::{EntityKind, Extractor, Field};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db::entity_queries::{self, EntityRow};
use crate::db::{curation_log, entities, mentions};
pub use crate::domain::IdOrSlug;

pub mod bulk;
mod edit;
mod error;
mod merge;
mod split;
mod suppress;
mod undo;

pub use error::CurationError;

/// One mention, by place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MentionRef {
    /// The article.
    pub article_id: Uuid,
    /// Title or body.
    pub field: Field,
    /// Its start offset, in code points.
    pub start: i32,
}

/// What a curator asks for.
#[derive(Debug, Clone)]
pub enum Operation {
    /// Fold `entities` into `into`: their mentions, aliases and counts move, their ids and
    /// slugs redirect, and their identities are stored as `into` from now on.
    Merge {
        /// The survivor.
        into: IdOrSlug,
        /// The entities merged into it.
        entities: Vec<IdOrSlug>,
    },
    /// Send the mentions of `entity` with these surfaces (or at these places) to another
    /// entity: `into` when given, else a new one named `name` (default: the first alias) of
    /// type `kind` (default: the entity's).
    Split {
        /// The entity split.
        entity: IdOrSlug,
        /// Surfaces whose mentions go.
        aliases: Vec<String>,
        /// Single mentions that go.
        mentions: Vec<MentionRef>,
        /// An existing entity they go to.
        into: Option<IdOrSlug>,
        /// The new entity's name.
        name: Option<String>,
        /// The new entity's type.
        kind: Option<EntityKind>,
    },
    /// Change what is said of an entity.
    Edit {
        /// The entity.
        entity: IdOrSlug,
        /// A new name.
        name: Option<String>,
        /// A new type.
        kind: Option<EntityKind>,
        /// A new Wikidata id (`Some(None)` removes it).
        wikidata_id: Option<Option<String>>,
        /// Aliases to add.
        add_aliases: Vec<String>,
        /// Aliases to remove (by folded form) and keep out.
        remove_aliases: Vec<String>,
    },
    /// A name that is not an entity (of `kind`, or of any type): its mentions go, and
    /// imports do not create it again.
    Suppress {
        /// The name.
        name: String,
        /// The type it is suppressed for; every type when `None`.
        kind: Option<EntityKind>,
    },
    /// Undo change `change`.
    Undo {
        /// Its number.
        change: i64,
    },
}

impl Operation {
    /// Its name in the change log.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Merge { .. } => "merge",
            Self::Split { .. } => "split",
            Self::Edit { .. } => "edit",
            Self::Suppress { .. } => "suppress",
            Self::Undo { .. } => "undo",
        }
    }
}

/// A change to make, with its reason.
#[derive(Debug, Clone)]
pub struct Request {
    /// What to do.
    pub operation: Operation,
    /// Why, for the log.
    pub reason: Option<String>,
}

impl Request {
    /// Refuses text PostgreSQL cannot store (NUL characters), naming the field.
    fn check_text(&self) -> Result<(), CurationError> {
        let mut fields: Vec<(&'static str, &str)> = Vec::new();
        if let Some(reason) = &self.reason {
            fields.push(("reason", reason));
        }
        match &self.operation {
            Operation::Split { aliases, name, .. } => {
                fields.extend(aliases.iter().map(|a| ("aliases", a.as_str())));
                fields.extend(name.iter().map(|n| ("name", n.as_str())));
            }
            Operation::Edit {
                name,
                add_aliases,
                remove_aliases,
                ..
            } => {
                fields.extend(name.iter().map(|n| ("name", n.as_str())));
                fields.extend(add_aliases.iter().map(|a| ("add_aliases", a.as_str())));
                fields.extend(
                    remove_aliases
                        .iter()
                        .map(|a| ("remove_aliases", a.as_str())),
                );
            }
            Operation::Suppress { name, .. } => fields.push(("name", name)),
            Operation::Merge { .. } | Operation::Undo { .. } => {}
        }
        match fields.iter().find(|(_, text)| text.contains('\0')) {
            Some((field, _)) => Err(CurationError::invalid(
                field,
                "contains a NUL character, which text cannot hold",
            )),
            None => Ok(()),
        }
    }
}

/// `If-Match`: the entity's representation tags the client last saw, and how the caller
/// tags a representation (the API's ETag of `GET /v1/entities/{id}`).
#[derive(Debug, Clone)]
pub struct Precondition {
    /// Tags accepted (`*` accepts any existing entity).
    pub tags: Vec<String>,
    /// The tag of an entity as it is now.
    pub tag_of: fn(&EntityRow) -> String,
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The change's number; `None` when the data already was as asked (nothing logged).
    pub change: Option<i64>,
    /// The entity the change is about, as it is after it.
    pub entity: Option<Uuid>,
}

/// Makes changes; shared by the API and the command line.
#[derive(Clone)]
pub struct Curator {
    pool: PgPool,
    extractor: Arc<Extractor>,
    jobs: usize,
}

impl std::fmt::Debug for Curator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Curator").field("jobs", &self.jobs).finish()
    }
}

impl Curator {
    /// A curator writing to `pool`; `extractor` and `jobs` serve the re-resolution of undo.
    pub fn new(pool: PgPool, extractor: Arc<Extractor>, jobs: usize) -> Self {
        Self {
            pool,
            extractor,
            jobs: jobs.max(1),
        }
    }

    /// Makes one change, in one transaction.
    #[tracing::instrument(skip_all, fields(operation = request.operation.name(), actor))]
    pub async fn apply(
        &self,
        actor: &str,
        request: &Request,
        precondition: Option<&Precondition>,
    ) -> Result<Applied, CurationError> {
        let mut tx = self.pool.begin().await?;
        mentions::lock_for_ingest(&mut tx).await?;
        let applied = self.run(&mut tx, actor, request, precondition).await?;
        tx.commit().await?;
        Ok(applied)
    }

    /// Makes every change in order in one transaction: all or none (and none when `commit`
    /// is false: a dry run). An undo of a change undone already changes nothing, so that a
    /// file can be applied again. On failure, the index of the request that failed, with why.
    pub async fn apply_all(
        &self,
        actor: &str,
        requests: &[Request],
        commit: bool,
    ) -> Result<Vec<Applied>, (usize, CurationError)> {
        let mut tx = self.pool.begin().await.map_err(|e| (0, e.into()))?;
        mentions::lock_for_ingest(&mut tx)
            .await
            .map_err(|e| (0, e.into()))?;
        let mut applied = Vec::with_capacity(requests.len());
        for (index, request) in requests.iter().enumerate() {
            match self.run(&mut tx, actor, request, None).await {
                Ok(done) => applied.push(done),
                Err(CurationError::Conflict {
                    code: "already_undone",
                    ..
                }) => applied.push(Applied {
                    change: None,
                    entity: None,
                }),
                Err(error) => return Err((index, error)),
            }
        }
        let last = requests.len().saturating_sub(1);
        if commit {
            tx.commit().await.map_err(|e| (last, e.into()))?;
        } else {
            tx.rollback().await.map_err(|e| (last, e.into()))?;
        }
        Ok(applied)
    }

    async fn run(
        &self,
        conn: &mut PgConnection,
        actor: &str,
        request: &Request,
        precondition: Option<&Precondition>,
    ) -> Result<Applied, CurationError> {
        request.check_text()?;
        let change = Change {
            actor,
            reason: request
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty()),
            precondition,
        };
        match &request.operation {
            Operation::Merge { into, entities } => {
                merge::merge(conn, &change, into, entities).await
            }
            Operation::Split {
                entity,
                aliases,
                mentions,
                into,
                name,
                kind,
            } => {
                let split = split::Split {
                    aliases,
                    mentions,
                    into: into.as_ref(),
                    name: name.as_deref(),
                    kind: *kind,
                };
                split::split(conn, &change, entity, &split).await
            }
            Operation::Edit {
                entity,
                name,
                kind,
                wikidata_id,
                add_aliases,
                remove_aliases,
            } => {
                let edit = edit::Edit {
                    name: name.as_deref(),
                    kind: *kind,
                    wikidata_id: wikidata_id.as_ref().map(Option::as_deref),
                    add_aliases,
                    remove_aliases,
                };
                edit::edit(conn, &change, entity, &edit).await
            }
            Operation::Suppress { name, kind } => {
                suppress::suppress(conn, &change, name, *kind).await
            }
            Operation::Undo { change: number } => {
                undo::undo(conn, &change, *number, &self.extractor, self.jobs).await
            }
        }
    }
}

/// Who makes a change, why, and on what condition.
struct Change<'a> {
    actor: &'a str,
    reason: Option<&'a str>,
    precondition: Option<&'a Precondition>,
}

impl Change<'_> {
    /// Appends the change to the log; returns its number and time.
    async fn log(
        &self,
        conn: &mut PgConnection,
        entry: Entry<'_>,
    ) -> sqlx::Result<(i64, chrono::DateTime<chrono::Utc>)> {
        curation_log::insert(
            conn,
            &curation_log::NewChange {
                operation: entry.operation,
                entity_id: entry.entity,
                entities: entry.entities,
                actor: self.actor,
                reason: self.reason,
                request: entry.request,
                undo: entry.undo,
                undoes: entry.undoes,
            },
        )
        .await
    }

    /// Checks `If-Match` against the entity as it is now (its row locked by the caller).
    async fn check_precondition(
        &self,
        conn: &mut PgConnection,
        entity: Uuid,
    ) -> Result<(), CurationError> {
        let Some(precondition) = self.precondition else {
            return Ok(());
        };
        if precondition.tags.iter().any(|tag| tag == "*") {
            return Ok(());
        }
        let row = entity_queries::by_id(&mut *conn, entity.into())
            .await?
            .ok_or_else(|| CurationError::NoEntity(entity.to_string()))?;
        let current = (precondition.tag_of)(&row);
        if precondition.tags.contains(&current) {
            Ok(())
        } else {
            Err(CurationError::PreconditionFailed)
        }
    }
}

/// A change's log entry, but for who and why.
struct Entry<'a> {
    operation: &'a str,
    entity: Option<Uuid>,
    entities: &'a [Uuid],
    request: &'a Value,
    undo: &'a Value,
    undoes: Option<i64>,
}

/// What a reference names now.
enum Found {
    /// This entity.
    Entity(Uuid),
    /// An entity merged into this one (its id and slug).
    Merged(Uuid, String),
    /// Nothing.
    Missing,
}

/// Looks a reference up, following merges.
async fn find(conn: &mut PgConnection, reference: &IdOrSlug) -> sqlx::Result<Found> {
    let row = match reference {
        IdOrSlug::Id(id) => entity_queries::by_id(&mut *conn, *id).await?,
        IdOrSlug::Slug(slug) => entity_queries::by_slug(&mut *conn, slug).await?,
        IdOrSlug::Wikidata(qid) => entity_queries::by_wikidata(&mut *conn, qid).await?,
    };
    if let Some(row) = row {
        return Ok(Found::Entity(row.id.uuid()));
    }
    let redirect = match reference {
        IdOrSlug::Id(id) => entity_queries::redirect(&mut *conn, Some(*id), None).await?,
        IdOrSlug::Slug(slug) => entity_queries::redirect(&mut *conn, None, Some(slug)).await?,
        IdOrSlug::Wikidata(_) => None,
    };
    Ok(match redirect {
        Some((id, slug)) => Found::Merged(id.uuid(), slug),
        None => Found::Missing,
    })
}

/// The entity a change is about: it must exist and not have been merged away.
async fn subject(conn: &mut PgConnection, reference: &IdOrSlug) -> Result<Uuid, CurationError> {
    match find(conn, reference).await? {
        Found::Entity(id) => Ok(id),
        Found::Merged(_, slug) => Err(CurationError::Merged {
            what: reference.to_string(),
            into: slug,
        }),
        Found::Missing => Err(CurationError::NoEntity(reference.to_string())),
    }
}

/// Refuses to bring back an entity whose slug, name and type, or redirects another holds now.
async fn ensure_free(
    conn: &mut PgConnection,
    entity: &crate::db::curation_ops::EntitySnapshot,
) -> Result<(), CurationError> {
    match crate::db::curation_ops::holder(conn, entity).await? {
        Some(holder) => Err(CurationError::conflict(
            "undo_conflict",
            format!(
                "{} cannot come back: {holder} now holds its slug or its name and type",
                entity.slug
            ),
        )),
        None => Ok(()),
    }
}

/// Recounts entities, in id order (the lock order of imports).
async fn recount(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    entities::recount(conn, &ids).await
}
