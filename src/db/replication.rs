//! What the read/write split (`replicas`) reads of PostgreSQL's replication: the primary's
//! write-ahead log position and a standby's replay position, as byte offsets (an LSN minus
//! `0/0`) so that they compare as numbers.

use sqlx::PgExecutor;

/// What a standby reports of itself.
#[derive(Debug, Clone, Copy)]
pub struct StandbyRow {
    /// Whether the server is replaying a primary's log (false: a primary, or a promoted
    /// standby that no longer follows one).
    pub in_recovery: bool,
    /// The last log position it has replayed (none on a primary).
    pub replayed: Option<i64>,
}

/// The primary's current log position: every transaction committed before this call is at or
/// below it.
pub async fn primary_position(executor: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS "position!""#)
        .fetch_one(executor)
        .await
}

/// Whether the server is a standby, and how far it has replayed.
pub async fn standby_state(executor: impl PgExecutor<'_>) -> sqlx::Result<StandbyRow> {
    sqlx::query_as!(
        StandbyRow,
        r#"SELECT pg_is_in_recovery() AS "in_recovery!",
                  (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS "replayed""#
    )
    .fetch_one(executor)
    .await
}
