//! Getting news in: input formats to validated records ([`formats`], [`record`]), text, URL
//! and date normalization, and the batched, idempotent importer ([`pipeline`], [`store`])
//! that the `import`, `reextract` and `resolve` commands and `POST /v1/articles` share,
//! with the linking of entities across articles ([`linking`]).
//!
//! This module holds no SQL of its own; it calls [`crate::db`].

pub mod date;
pub mod formats;
pub mod html;
pub mod linking;
pub mod pipeline;
pub mod progress;
pub mod publisher;
pub mod record;
pub mod reextract;
pub mod report;
pub mod resolve;
pub mod store;
#[cfg(test)]
mod testing;
pub mod text;
pub mod url;

pub use pipeline::{ImportOptions, import};
pub use record::{ArticleInput, Location, RawRecord, RecordErrors};
pub use report::{Failure, Report};
