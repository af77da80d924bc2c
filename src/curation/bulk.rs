//! Changes in bulk from a CSV file a team keeps under version control: one change a row,
//! checked whole before anything is applied (every bad row is reported with its line and
//! column), then applied in one transaction ([`super::Curator::apply_all`]). Rows already in
//! effect change nothing, so applying the same file again is harmless.
//!
//! Columns, in any order after a header row (unknown ones are refused; lines starting with
//! `#` are comments): `operation` (merge, split, edit, suppress, undo), `entity` (for a
//! merge, the entities merged, separated by `|`), `into`, `name`, `type`, `aliases` (split,
//! `|`-separated), `add_aliases`, `remove_aliases`, `wikidata_id` (`none` removes it),
//! `change` (undo), `reason`. Empty cells are absent values.

use std::collections::HashMap;

use newsgraph_extract::EntityKind;

use super::{IdOrSlug, Operation, Request};

/// The columns a file may have.
pub const COLUMNS: &[&str] = &[
    "operation",
    "entity",
    "into",
    "name",
    "type",
    "aliases",
    "add_aliases",
    "remove_aliases",
    "wikidata_id",
    "change",
    "reason",
];

/// One problem of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line (1 is the header).
    pub line: u64,
    /// The column, when one is at fault.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub detail: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}: {column}: {}", self.line, self.detail),
            None => write!(f, "line {}: {}", self.line, self.detail),
        }
    }
}

/// A row read: its line and the change it asks for.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its line in the file.
    pub line: u64,
    /// The change.
    pub request: Request,
}

/// Reads every row of a CSV file; all the problems found, or the rows.
pub fn parse(text: &str) -> Result<Vec<Row>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(str::to_owned).collect(),
        Err(error) => return Err(vec![csv_error(&error, 1)]),
    };
    let mut errors = Vec::new();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        match COLUMNS.iter().find(|c| **c == name.as_str()) {
            Some(column) => {
                index.insert(column, i);
            }
            None => errors.push(RowError {
                line: 1,
                column: None,
                detail: format!(
                    "unknown column {name:?}; the columns are {}",
                    COLUMNS.join(", ")
                ),
            }),
        }
    }
    if !index.contains_key("operation") {
        errors.push(RowError {
            line: 1,
            column: None,
            detail: "no operation column".to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                errors.push(csv_error(&error, line));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |column: &str| {
            index
                .get(column)
                .and_then(|i| record.get(*i))
                .filter(|value| !value.is_empty())
        };
        match row(&cell) {
            Ok(request) => rows.push(Row { line, request }),
            Err((column, detail)) => errors.push(RowError {
                line,
                column: Some(column),
                detail,
            }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn csv_error(error: &csv::Error, line: u64) -> RowError {
    RowError {
        line,
        column: None,
        detail: format!("not CSV: {error}"),
    }
}

type Cell<'a> = dyn Fn(&str) -> Option<&'a str> + 'a;

/// The change a row asks for, or the column at fault and why.
fn row<'a>(cell: &Cell<'a>) -> Result<Request, (&'static str, String)> {
    let required = |column: &'static str| {
        cell(column).ok_or_else(|| (column, "required for this operation".to_owned()))
    };
    let entity =
        |column: &'static str, text: &str| IdOrSlug::parse(text).map_err(|detail| (column, detail));
    let list = |column: &str| -> Vec<String> {
        cell(column)
            .map(|value| {
                value
                    .split('|')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind = || -> Result<Option<EntityKind>, (&'static str, String)> {
        cell("type")
            .map(|value| {
                value
                    .parse::<EntityKind>()
                    .map_err(|e| ("type", e.to_string()))
            })
            .transpose()
    };
    let operation = match required("operation")? {
        "merge" => Operation::Merge {
            into: entity("into", required("into")?)?,
            entities: list("entity")
                .iter()
                .map(|e| entity("entity", e))
                .collect::<Result<_, _>>()?,
        },
        "split" => Operation::Split {
            entity: entity("entity", required("entity")?)?,
            aliases: list("aliases"),
            mentions: Vec::new(),
            into: cell("into").map(|into| entity("into", into)).transpose()?,
            name: cell("name").map(str::to_owned),
            kind: kind()?,
        },
        "edit" => Operation::Edit {
            entity: entity("entity", required("entity")?)?,
            name: cell("name").map(str::to_owned),
            kind: kind()?,
            wikidata_id: cell("wikidata_id")
                .map(|qid| (!qid.eq_ignore_ascii_case("none")).then(|| qid.to_owned())),
            add_aliases: list("add_aliases"),
            remove_aliases: list("remove_aliases"),
        },
        "suppress" => Operation::Suppress {
            name: required("name")?.to_owned(),
            kind: kind()?,
        },
        "undo" => Operation::Undo {
            change: required("change")?
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ("change", "a change number is a positive integer".to_owned()))?,
        },
        other => {
            return Err((
                "operation",
                format!("{other:?} is not one of merge, split, edit, suppress, undo"),
            ));
        }
    };
    if let Operation::Merge { entities, .. } = &operation
        && entities.is_empty()
    {
        return Err(("entity", "required for this operation".to_owned()));
    }
    Ok(Request {
        operation,
        reason: cell("reason").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_reads_from_its_columns() {
        let file = "\
# curated by the desk
operation,entity,into,name,type,aliases,wikidata_id,change,reason
merge,vucevic|milos-vucevic-person,milos-vucevic,,,,,,same man
split,jordan,,Jordan,place,Jordan|Hashemite Kingdom,,,
edit,sns,,Serbian Progressive Party,organization,,none,,
suppress,,,Reuters,organization,,,,wire credit
undo,,,,,,,12,
";

        let rows = parse(file).expect("a valid file");

        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [3, 4, 5, 6, 7]
        );
        match &rows[0].request.operation {
            Operation::Merge { into, entities } => {
                assert_eq!(*into, IdOrSlug::Slug("milos-vucevic".to_owned()));
                assert_eq!(entities.len(), 2);
            }
            other => panic!("expected a merge, got {other:?}"),
        }
        assert_eq!(rows[0].request.reason.as_deref(), Some("same man"));
        match &rows[1].request.operation {
            Operation::Split { aliases, kind, .. } => {
                assert_eq!(aliases, &["Jordan", "Hashemite Kingdom"]);
                assert_eq!(*kind, Some(EntityKind::Place));
            }
            other => panic!("expected a split, got {other:?}"),
        }
        match &rows[2].request.operation {
            Operation::Edit { wikidata_id, .. } => assert_eq!(*wikidata_id, Some(None)),
            other => panic!("expected an edit, got {other:?}"),
        }
        assert!(matches!(
            rows[4].request.operation,
            Operation::Undo { change: 12 }
        ));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        let file = "\
operation,entity,into,type
merge,a,,
frobnicate,a,b,
edit,Not A Slug!,,
suppress,,,person
edit,sns,,planet
";

        let errors = parse(file).expect_err("bad rows");

        let found: Vec<(u64, Option<&str>)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            found,
            [
                (2, Some("into")),
                (3, Some("operation")),
                (4, Some("entity")),
                (5, Some("name")),
                (6, Some("type")),
            ]
        );
        assert!(errors[0].to_string().starts_with("line 2: into: "));
    }

    #[test]
    fn an_unknown_column_is_refused_before_any_row() {
        let errors = parse("operation,entity,colour\nmerge,a,red\n").expect_err("unknown column");

        assert_eq!(errors.len(), 1);
        assert!(errors[0].detail.contains("colour"), "{}", errors[0]);
    }
}
