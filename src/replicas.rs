//! The read/write split of `serve`: which database a read goes to when streaming standbys are
//! configured beside the primary (`--read-database-url`). Writes, migrations, live streams and
//! the in-memory snapshots' loads always use the primary; this module decides only where the
//! queries of GET requests run.
//!
//! A standby serves reads while it is **in rotation**: it answered the last check (every
//! [`CHECK_EVERY`]), it is still replaying a primary's log (a promoted standby no longer
//! follows this primary and is taken out), and it is at most `max_lag` behind. It comes back by
//! itself at the first check where all three hold again.
//!
//! The lag is a time: how long ago the primary first held log the standby has not replayed,
//! read from the primary's positions sampled at each check (so it is exact to within a check,
//! and zero while the standby has replayed everything the primary had at the last check).
//!
//! **Read-your-writes.** Every read must see at least the **floor**: the primary's log
//! position after the last write this process made, and after the last load of each
//! in-memory snapshot (the entity directory, the full-text index), since answers mix them with
//! rows. A read goes to a standby in rotation that has replayed the floor, else to the
//! primary. So a client that wrote through this `serve` reads its write on its next request,
//! and nothing an answer takes from memory is missing from the rows it reads. A client that
//! wrote through another process sees its write once this process's snapshots load it (a few
//! seconds) or the standby replays it.
//!
//! It owns the replicas' state and their check loop; the SQL is in `db::replication`, and
//! what retries a read whose standby failed is the HTTP layer's.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::db::{GenericPlans, SessionSettings, replication};

/// How often the standbys and the primary's position are read.
pub const CHECK_EVERY: Duration = Duration::from_millis(250);
/// Longest a check may wait for one server; past it the server counts as unreachable.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// A database reads can run on: its pool and its generic-plans twin.
#[derive(Debug, Clone)]
pub struct Target {
    /// The pool.
    pub pool: PgPool,
    /// The pool beside it whose sessions use generic plans.
    pub generic: GenericPlans,
}

impl Target {
    /// The target of `pool`, with a generic-plans twin whose sessions get `session`.
    pub fn of(pool: PgPool, session: SessionSettings) -> Self {
        let generic = GenericPlans::beside(&pool, session);
        Self { pool, generic }
    }
}

/// A standby to read from, as configured.
#[derive(Debug, Clone)]
pub struct Standby {
    /// Where it is (`host:port/database`, never the password), for logs and `/readyz`.
    pub address: String,
    /// Its pool and its generic-plans twin.
    pub target: Target,
}

/// Why a standby is out of rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    /// Not checked yet.
    Unchecked,
    /// The last check could not reach it, or a read on it failed.
    Unreachable,
    /// It is not replaying a primary's log (promoted, or a primary by mistake).
    NotStandby,
    /// It is further behind than the allowed lag.
    Behind,
}

impl Out {
    /// The reason as `/readyz` and the logs show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchecked => "not checked yet",
            Self::Unreachable => "unreachable",
            Self::NotStandby => "not a standby",
            Self::Behind => "behind",
        }
    }
}

/// What `/readyz` and `/metrics` show of one standby.
#[derive(Debug, Clone)]
pub struct StandbyStatus {
    /// Its name in metrics (`replica-1`, …).
    pub name: String,
    /// Where it is.
    pub address: String,
    /// Why it is out of rotation (none: in).
    pub out: Option<Out>,
    /// Its lag at the last check that reached it.
    pub lag: Option<Duration>,
    /// Reads sent to it.
    pub reads: u64,
    /// Its pool, for the pool metrics.
    pub pool: PgPool,
}

struct Replica {
    name: String,
    address: String,
    target: Target,
    /// A connection of its own for the checks, so that a standby busy with reads is not
    /// taken for an unreachable one.
    check: PgPool,
    in_rotation: AtomicBool,
    replayed: AtomicI64,
    reads: AtomicU64,
    /// Why it is out, and its last lag.
    detail: Mutex<(Option<Out>, Option<Duration>)>,
}

/// The primary, the standbys, and the rule that picks one for a read.
pub struct Reads {
    primary: Target,
    /// Connections of their own for reading the primary's position.
    primary_check: PgPool,
    replicas: Vec<Replica>,
    max_lag: Duration,
    floor: AtomicI64,
    /// Counts the times the floor could not be read after a write; reads stay on the primary
    /// until a check that began after the last of them reads the primary's position and raises
    /// the floor to it (`unpinned` is the count that check saw).
    pins: AtomicU64,
    unpinned: AtomicU64,
    next: AtomicUsize,
    primary_reads: AtomicU64,
    retried: AtomicU64,
}

impl std::fmt::Debug for Reads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reads")
            .field("replicas", &self.replicas.len())
            .field("max_lag", &self.max_lag)
            .finish_non_exhaustive()
    }
}

/// Where one read goes.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The database.
    pub target: Target,
    /// The standby's index, when it is one.
    pub replica: Option<usize>,
}

impl Reads {
    /// Reads from `primary` and, when there are any, from `standbys` no more than `max_lag`
    /// behind; with standbys, starts their check loop (it ends when the last handle is
    /// dropped).
    pub fn new(primary: Target, standbys: Vec<Standby>, max_lag: Duration) -> Arc<Self> {
        let replicas = standbys
            .into_iter()
            .enumerate()
            .map(|(index, standby)| Replica {
                name: format!("replica-{}", index + 1),
                address: standby.address,
                check: check_pool(&standby.target.pool, 1),
                target: standby.target,
                in_rotation: AtomicBool::new(false),
                replayed: AtomicI64::new(0),
                reads: AtomicU64::new(0),
                detail: Mutex::new((Some(Out::Unchecked), None)),
            })
            .collect::<Vec<_>>();
        let split = !replicas.is_empty();
        let reads = Arc::new(Self {
            // Writes read the position too.
            primary_check: check_pool(&primary.pool, 2),
            primary,
            replicas,
            max_lag,
            floor: AtomicI64::new(0),
            pins: AtomicU64::new(0),
            unpinned: AtomicU64::new(0),
            next: AtomicUsize::new(0),
            primary_reads: AtomicU64::new(0),
            retried: AtomicU64::new(0),
        });
        if split {
            tokio::spawn(watch(Arc::downgrade(&reads)));
        }
        reads
    }

    /// Whether standbys are configured.
    pub fn is_split(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// Where the next read goes: a standby in rotation that has replayed the floor (taken in
    /// turn), else the primary; always the primary when `on_primary`.
    pub fn pick(&self, on_primary: bool) -> Chosen {
        let pinned = self.pins.load(Ordering::Acquire) > self.unpinned.load(Ordering::Acquire);
        if !on_primary && !self.replicas.is_empty() && !pinned {
            let floor = self.floor.load(Ordering::Acquire);
            let count = self.replicas.len();
            let start = self.next.fetch_add(1, Ordering::Relaxed);
            for step in 0..count {
                let index = (start + step) % count;
                let replica = &self.replicas[index];
                if replica.in_rotation.load(Ordering::Acquire)
                    && replica.replayed.load(Ordering::Acquire) >= floor
                {
                    replica.reads.fetch_add(1, Ordering::Relaxed);
                    return Chosen {
                        target: replica.target.clone(),
                        replica: Some(index),
                    };
                }
            }
        }
        self.primary_reads.fetch_add(1, Ordering::Relaxed);
        Chosen {
            target: self.primary.clone(),
            replica: None,
        }
    }

    /// Raises the floor to the primary's position now: called after a write commits and after
    /// an in-memory snapshot is loaded, so later reads see what they did. Without standbys it
    /// does nothing. When the position cannot be read, reads stay on the primary until a check
    /// reads it.
    pub async fn seen_primary(&self) {
        if self.replicas.is_empty() {
            return;
        }
        let position = tokio::time::timeout(
            CHECK_TIMEOUT,
            replication::primary_position(&self.primary_check),
        )
        .await;
        match position {
            Ok(Ok(position)) => {
                self.floor.fetch_max(position, Ordering::AcqRel);
            }
            Ok(Err(_)) | Err(_) => {
                tracing::warn!(
                    "cannot read the primary's log position; reads stay on the primary until it can be read"
                );
                self.pins.fetch_add(1, Ordering::AcqRel);
            }
        }
    }

    /// Takes a standby out of rotation after a read on it failed; the next check that reaches
    /// it brings it back.
    pub fn failed(&self, replica: usize) {
        self.retried.fetch_add(1, Ordering::Relaxed);
        if let Some(replica) = self.replicas.get(replica) {
            let mut detail = replica.detail.lock().expect("the replica lock");
            if replica.in_rotation.swap(false, Ordering::AcqRel) {
                tracing::warn!(replica = %replica.name, address = %replica.address, "a read failed on a standby; it is out of rotation until it answers a check");
            }
            detail.0 = Some(Out::Unreachable);
        }
    }

    /// Each standby's state.
    pub fn status(&self) -> Vec<StandbyStatus> {
        self.replicas
            .iter()
            .map(|replica| {
                let (out, lag) = *replica.detail.lock().expect("the replica lock");
                StandbyStatus {
                    name: replica.name.clone(),
                    address: replica.address.clone(),
                    out,
                    lag,
                    reads: replica.reads.load(Ordering::Relaxed),
                    pool: replica.target.pool.clone(),
                }
            })
            .collect()
    }

    /// Reads sent to the primary, and reads retried there after a standby failed.
    pub fn primary_counts(&self) -> (u64, u64) {
        (
            self.primary_reads.load(Ordering::Relaxed),
            self.retried.load(Ordering::Relaxed),
        )
    }

    /// One check: the primary's position, then every standby's state.
    async fn check(&self, history: &mut Positions) {
        let now = Instant::now();
        let pins = self.pins.load(Ordering::Acquire);
        if let Ok(Ok(position)) = tokio::time::timeout(
            CHECK_TIMEOUT,
            replication::primary_position(&self.primary_check),
        )
        .await
        {
            history.record(now, position, self.max_lag + 4 * CHECK_EVERY);
            if pins > self.unpinned.load(Ordering::Acquire) {
                // Every write pinned before this check began committed before this position.
                self.floor.fetch_max(position, Ordering::AcqRel);
                self.unpinned.fetch_max(pins, Ordering::AcqRel);
            }
        }
        let states = futures_util::future::join_all(self.replicas.iter().map(|replica| {
            tokio::time::timeout(CHECK_TIMEOUT, replication::standby_state(&replica.check))
        }))
        .await;
        for (replica, state) in self.replicas.iter().zip(states) {
            let (out, lag) = match state {
                Ok(Ok(state)) if state.in_recovery => {
                    let replayed = state.replayed.unwrap_or(0);
                    replica.replayed.store(replayed, Ordering::Release);
                    let lag = history.lag(now, replayed);
                    let out = (lag > self.max_lag).then_some(Out::Behind);
                    (out, Some(lag))
                }
                Ok(Ok(_)) => (Some(Out::NotStandby), None),
                Ok(Err(_)) | Err(_) => (Some(Out::Unreachable), None),
            };
            replica.update(out, lag);
        }
    }
}

impl Replica {
    fn update(&self, out: Option<Out>, lag: Option<Duration>) {
        let mut detail = self.detail.lock().expect("the replica lock");
        let was_in = self.in_rotation.swap(out.is_none(), Ordering::AcqRel);
        match (was_in, out) {
            (false, None) => {
                tracing::info!(replica = %self.name, address = %self.address, lag_ms = lag.unwrap_or_default().as_millis(), "standby in rotation");
            }
            (_, Some(reason)) if detail.0 != Some(reason) => {
                tracing::warn!(replica = %self.name, address = %self.address, reason = reason.as_str(), lag_ms = lag.map(|lag| lag.as_millis()), "standby out of rotation");
            }
            _ => {}
        }
        *detail = (out, lag.or(detail.1));
    }
}

/// A pool of `connections` beside `pool`, for the checks.
fn check_pool(pool: &PgPool, connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(CHECK_TIMEOUT)
        .connect_lazy_with(pool.connect_options().as_ref().clone())
}

/// The primary's positions at the last checks, oldest first.
#[derive(Debug, Default)]
struct Positions(VecDeque<(Instant, i64)>);

impl Positions {
    /// Adds one sample and forgets those older than `keep` (always keeping the newest).
    fn record(&mut self, at: Instant, position: i64, keep: Duration) {
        self.0.push_back((at, position));
        while self.0.len() > 1 && self.0.front().is_some_and(|(time, _)| at - *time > keep) {
            self.0.pop_front();
        }
    }

    /// How far behind a standby that has replayed `replayed` is: since the first sample that
    /// held log beyond it (zero when none did).
    fn lag(&self, now: Instant, replayed: i64) -> Duration {
        self.0
            .iter()
            .find(|(_, position)| *position > replayed)
            .map_or(Duration::ZERO, |(time, _)| now - *time)
    }
}

async fn watch(reads: Weak<Reads>) {
    let mut history = Positions::default();
    loop {
        let Some(reads) = reads.upgrade() else {
            return;
        };
        reads.check(&mut history).await;
        drop(reads);
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lag_runs_from_the_first_sample_the_standby_has_not_replayed() {
        let start = Instant::now();
        let mut history = Positions::default();
        for (second, position) in [(0, 100), (1, 200), (2, 300)] {
            history.record(
                start + Duration::from_secs(second),
                position,
                Duration::from_secs(60),
            );
        }
        let now = start + Duration::from_secs(3);

        assert_eq!(history.lag(now, 300), Duration::ZERO);
        assert_eq!(history.lag(now, 250), Duration::from_secs(1));
        assert_eq!(history.lag(now, 150), Duration::from_secs(2));
        assert_eq!(history.lag(now, 50), Duration::from_secs(3));
    }

    #[test]
    fn old_samples_are_forgotten_but_the_newest_is_kept() {
        let start = Instant::now();
        let mut history = Positions::default();
        history.record(start, 100, Duration::from_secs(5));
        history.record(start + Duration::from_secs(10), 200, Duration::from_secs(5));

        assert_eq!(history.0.len(), 1);
        assert_eq!(
            history.lag(start + Duration::from_secs(12), 150),
            Duration::from_secs(2)
        );
    }
}
