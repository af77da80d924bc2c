//! `newsgraph entity`: curation from the command line, one change or a file of them, through
//! the same [`Curator`] as the API.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use newsgraph_extract::{EntityKind, Field};
use uuid::Uuid;

use super::load_extractor;
use crate::config::{EntityArgs, EntityChange};
use crate::curation::{
    Applied, CurationError, Curator, IdOrSlug, MentionRef, Operation, Request, bulk,
};
use crate::database::Database;

/// Exit status of a refused change.
const REFUSED: u8 = 2;

/// Runs `newsgraph entity ...`.
pub async fn run(args: EntityArgs) -> anyhow::Result<ExitCode> {
    // Everything the command line can get wrong is checked before connecting.
    let work = match Work::from(&args.change, args.reason.clone()) {
        Ok(work) => work,
        Err(message) => {
            eprintln!("newsgraph: {message}");
            return Ok(ExitCode::from(REFUSED));
        }
    };
    let extractor = Arc::new(load_extractor(args.model.model_dir.clone()).await?);
    let database = Database::connect(&args.database).await?;
    let result = async {
        database.migrate().await?;
        let jobs = args
            .jobs
            .and_then(|jobs| usize::try_from(jobs).ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let curator = Curator::new(database.pool.clone(), extractor, jobs);
        work.run(&curator, &args.actor).await
    }
    .await;
    database.close().await?;
    result
}

/// What the command line asks for.
enum Work {
    One(Request),
    File {
        path: std::path::PathBuf,
        rows: Vec<bulk::Row>,
        dry_run: bool,
    },
}

impl Work {
    fn from(change: &EntityChange, reason: Option<String>) -> Result<Self, String> {
        let entity = |text: &str| IdOrSlug::parse(text);
        let kind = |text: &Option<String>| {
            text.as_deref()
                .map(|t| t.parse::<EntityKind>().map_err(|e| e.to_string()))
                .transpose()
        };
        let operation = match change {
            EntityChange::Merge { into, entities } => Operation::Merge {
                into: entity(into)?,
                entities: entities
                    .iter()
                    .map(|e| entity(e))
                    .collect::<Result<_, _>>()?,
            },
            EntityChange::Split {
                entity: split,
                aliases,
                mentions,
                into,
                name,
                kind: new_kind,
            } => Operation::Split {
                entity: entity(split)?,
                aliases: aliases.clone(),
                mentions: mentions
                    .iter()
                    .map(|m| mention(m))
                    .collect::<Result<_, _>>()?,
                into: into.as_deref().map(entity).transpose()?,
                name: name.clone(),
                kind: kind(new_kind)?,
            },
            EntityChange::Edit {
                entity: edited,
                name,
                kind: new_kind,
                wikidata_id,
                add_aliases,
                remove_aliases,
            } => Operation::Edit {
                entity: entity(edited)?,
                name: name.clone(),
                kind: kind(new_kind)?,
                wikidata_id: wikidata_id
                    .as_deref()
                    .map(|qid| (!qid.eq_ignore_ascii_case("none")).then(|| qid.to_owned())),
                add_aliases: add_aliases.clone(),
                remove_aliases: remove_aliases.clone(),
            },
            EntityChange::Suppress { name, kind: only } => Operation::Suppress {
                name: name.clone(),
                kind: kind(only)?,
            },
            EntityChange::Undo { change } => Operation::Undo { change: *change },
            EntityChange::Apply { file, dry_run } => {
                let text = std::fs::read_to_string(file)
                    .map_err(|error| format!("cannot read {}: {error}", file.display()))?;
                let rows = bulk::parse(&text).map_err(|errors| {
                    let lines: Vec<String> = errors
                        .iter()
                        .map(|error| format!("{}: {error}", file.display()))
                        .collect();
                    format!(
                        "{} bad row(s); nothing was changed:\n{}",
                        errors.len(),
                        lines.join("\n")
                    )
                })?;
                return Ok(Self::File {
                    path: file.clone(),
                    rows,
                    dry_run: *dry_run,
                });
            }
        };
        Ok(Self::One(Request { operation, reason }))
    }

    async fn run(self, curator: &Curator, actor: &str) -> anyhow::Result<ExitCode> {
        match self {
            Self::One(request) => match curator.apply(actor, &request, None).await {
                Ok(applied) => {
                    println!("{}", describe(request.operation.name(), applied));
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => refused(error, None),
            },
            Self::File {
                path,
                rows,
                dry_run,
            } => {
                let requests: Vec<Request> = rows.iter().map(|row| row.request.clone()).collect();
                match curator.apply_all(actor, &requests, !dry_run).await {
                    Ok(applied) => {
                        for (row, applied) in rows.iter().zip(applied) {
                            println!(
                                "{}:{}: {}",
                                path.display(),
                                row.line,
                                describe(row.request.operation.name(), applied)
                            );
                        }
                        if dry_run {
                            println!("dry run: nothing was changed");
                        }
                        Ok(ExitCode::SUCCESS)
                    }
                    Err((index, error)) => {
                        let at = format!("{}:{}", path.display(), rows[index].line);
                        refused(error, Some(&at))
                    }
                }
            }
        }
    }
}

/// A mention as ARTICLE_ID:FIELD:START.
fn mention(text: &str) -> Result<MentionRef, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [article, field, start] = parts.as_slice() else {
        return Err(format!(
            "--mention {text:?}: expected ARTICLE_ID:FIELD:START"
        ));
    };
    Ok(MentionRef {
        article_id: Uuid::parse_str(article)
            .map_err(|_| format!("--mention {text:?}: {article:?} is not an article id"))?,
        field: match *field {
            "title" => Field::Title,
            "body" => Field::Body,
            other => {
                return Err(format!(
                    "--mention {text:?}: field {other:?} is not title or body"
                ));
            }
        },
        start: start
            .parse()
            .map_err(|_| format!("--mention {text:?}: start {start:?} is not an offset"))?,
    })
}

fn describe(operation: &str, applied: Applied) -> String {
    let entity = applied
        .entity
        .map(|id| format!(" (entity {id})"))
        .unwrap_or_default();
    match applied.change {
        Some(number) => format!("{operation}: change {number}{entity}"),
        None => format!("{operation}: nothing to change{entity}"),
    }
}

/// Reports a refused change (exit 2) or fails (exit 1) for an error that is not the input's.
fn refused(error: CurationError, at: Option<&str>) -> anyhow::Result<ExitCode> {
    let at = at.map(|at| format!("{at}: ")).unwrap_or_default();
    match error {
        CurationError::Database(error) => {
            Err(error).context(format!("{at}the database failed; nothing was changed"))
        }
        CurationError::Other(error) => {
            Err(error.context(format!("{at}the change failed; nothing was changed")))
        }
        refused => {
            eprintln!("newsgraph: {at}{refused}; nothing was changed");
            Ok(ExitCode::from(REFUSED))
        }
    }
}
