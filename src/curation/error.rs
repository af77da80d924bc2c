//! What a curation can fail with, independent of HTTP: the API turns each into a problem
//! with its status (`http::curation`), the command line into a message.

/// Why a curation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    /// The entity the change is about does not exist.
    #[error("no entity {0}")]
    NoEntity(String),
    /// No change has this number.
    #[error("no change {0}")]
    NoChange(i64),
    /// The entity the change is about was merged into another.
    #[error("{what} was merged into {into}: change {into} instead")]
    Merged {
        /// The reference given.
        what: String,
        /// The survivor's slug.
        into: String,
    },
    /// A field of the request is invalid, or names something that cannot take part.
    #[error("{field}: {detail}")]
    Invalid {
        /// The request field (`entities`, `aliases`, `type`, ...).
        field: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The request is valid but the data's state refuses it.
    #[error("{detail}")]
    Conflict {
        /// A stable code: `type_conflict`, `later_change`, `already_undone`, ...
        code: &'static str,
        /// What is in the way.
        detail: String,
    },
    /// `If-Match` names a version of the entity that is no longer current.
    #[error("the entity changed since the version named by If-Match")]
    PreconditionFailed,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Re-resolving articles failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CurationError {
    /// An invalid field.
    pub(super) fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            detail: detail.into(),
        }
    }

    /// A conflict with the data's state.
    pub(super) fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }
}
