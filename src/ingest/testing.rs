//! Builders the ingest modules' unit tests share.

use newsgraph_extract::{EntityKind, Field, Mention};

/// A body mention of organization `entity` at `start` with text `text`, confidence 0.9.
pub(crate) fn mention(entity: usize, start: usize, text: &str) -> Mention {
    Mention {
        entity,
        field: Field::Body,
        start,
        end: start + text.chars().count(),
        text: text.to_owned(),
        kind: EntityKind::Organization,
        confidence: 0.9,
    }
}
