//! The values every layer passes to the next, typed once: entity kinds and mention fields
//! (the extraction engine's own types), and [`Named`], the fixed spellings that query
//! parameters, cursors and SQL share. A leaf: it uses no other module of the crate.

pub use newsgraph_extract::{EntityKind, Field, UnknownName};

/// A value out of a fixed set, each with one spelling (`person`, `-published_at`, `body`),
/// so that a parameter is parsed by the type rather than matched as a string.
pub trait Named: Copy + PartialEq + 'static {
    /// Its spelling in URLs, cursors and SQL.
    fn as_str(self) -> &'static str;
}

impl Named for EntityKind {
    fn as_str(self) -> &'static str {
        EntityKind::as_str(self)
    }
}

impl Named for Field {
    fn as_str(self) -> &'static str {
        Field::as_str(self)
    }
}

/// The spellings of `choices`, comma-separated, for an error message.
pub fn spellings<T: Named>(choices: &[T]) -> String {
    choices
        .iter()
        .map(|choice| choice.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
