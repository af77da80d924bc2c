//! All SQL of newsgraph, one module per aggregate. Functions take `impl PgExecutor` (or a
//! `&mut PgConnection` when they run several statements) so they run on the pool or inside a
//! transaction. Nothing here knows HTTP.

pub mod answers;
pub mod article_feed;
pub mod article_search;
pub mod articles;
pub mod curation_log;
pub mod curation_moves;
pub mod curation_ops;
pub mod curation_rules;
pub mod entities;
pub mod entity_merges;
pub mod entity_queries;
pub mod entity_search;
pub mod link_candidates;
pub mod listing;
pub mod mentions;
mod pool;
pub mod related;
pub mod replication;
pub mod sources;
pub mod stats;
pub mod text_index;
pub mod timeline;

pub use pool::{GenericPlans, SessionSettings};
