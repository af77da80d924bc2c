//! A snapshot of database state held in memory by `serve` and replaced as a whole: the
//! mechanism the entity directory (`directory`) and the full-text index
//! (`textindex`) share. What is read and how it is indexed is theirs
//! ([`Source`]); when to check, rebuild, and which snapshot a request may use is this
//! module's.
//!
//! Freshness comes from three things: a change marker read from the database at most every
//! [`Timing::check_every`] (compared with the one read before the snapshot was built), an age
//! past which a snapshot is rebuilt whatever the marker says, and a write generation that
//! [`Refresher::invalidate`] advances after a write through this process, so that a snapshot
//! begun before the write is not used. At most one background task runs at a time.
//!
//! Two ways to read it, one per user:
//! - [`Refresher::get`] (the directory): the current snapshot even if a change check is
//!   due (the check runs in the background); after an invalidation, or before the first
//!   build, the request waits for a new one.
//! - [`Refresher::get_if_current`] (the text index): the snapshot only while it is known to
//!   be current; otherwise a background rebuild starts and the caller goes to the database.
//!
//! It owns no SQL and never touches the pool itself.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// What a [`Refresher`] holds, and how to read and build it.
pub trait Source: Send + Sync + 'static {
    /// The built snapshot.
    type Snapshot: Send + Sync + 'static;
    /// What the change check reads; a different value means the snapshot is outdated.
    type Marker: Copy + PartialEq + Send + Sync + 'static;

    /// The name in log lines ("entity directory").
    const NAME: &'static str;

    /// Reads the change marker.
    fn marker(&self) -> impl Future<Output = sqlx::Result<Self::Marker>> + Send;

    /// Reads and builds a snapshot, with the marker read before its data.
    fn build(&self) -> impl Future<Output = sqlx::Result<(Self::Snapshot, Self::Marker)>> + Send;

    /// Runs when a new snapshot has become current.
    fn installed(&self) {}
}

/// When a [`Refresher`] checks and rebuilds.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// How long a change check holds before a request checks again.
    pub check_every: Duration,
    /// How old a snapshot may get before it is rebuilt whatever the marker says.
    pub rebuild_every: Duration,
    /// A background rebuild waits this many times the last build's duration after it
    /// (0: no wait), so that a stream of writes costs a bounded share of a core.
    pub build_share: u32,
}

/// A snapshot with what it was built from.
struct Held<S: Source> {
    snapshot: Arc<S::Snapshot>,
    marker: S::Marker,
    generation: u64,
}

impl<S: Source> Clone for Held<S> {
    fn clone(&self) -> Self {
        Self {
            snapshot: Arc::clone(&self.snapshot),
            marker: self.marker,
            generation: self.generation,
        }
    }
}

/// When the snapshot was last checked and built, and what the last check read.
struct Clock<M> {
    checked: Instant,
    built: Instant,
    build_time: Duration,
    latest: Option<M>,
}

/// A snapshot kept fresh; see the module documentation.
pub struct Refresher<S: Source> {
    source: S,
    timing: Timing,
    current: RwLock<Option<Held<S>>>,
    clock: Mutex<Clock<S::Marker>>,
    /// Whether a background check or rebuild runs.
    busy: AtomicBool,
    /// Counts the writes through this process.
    generation: AtomicU64,
    /// Serializes the builds requests wait for.
    loading: tokio::sync::Mutex<()>,
}

impl<S: Source> std::fmt::Debug for Refresher<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refresher")
            .field("source", &S::NAME)
            .field("timing", &self.timing)
            .finish_non_exhaustive()
    }
}

impl<S: Source> Refresher<S> {
    /// Empty: the first request or [`Refresher::rebuild`] builds it.
    pub fn new(source: S, timing: Timing) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            source,
            timing,
            current: RwLock::new(None),
            clock: Mutex::new(Clock {
                checked: now,
                built: now,
                build_time: Duration::ZERO,
                latest: None,
            }),
            busy: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            loading: tokio::sync::Mutex::new(()),
        })
    }

    /// What it reads from.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The current snapshot whatever its age, if there is one.
    pub fn peek(&self) -> Option<Arc<S::Snapshot>> {
        self.held().map(|held| held.snapshot)
    }

    /// The current snapshot, starting a background check when one is due. Before the first
    /// build and after [`Refresher::invalidate`], waits for a new snapshot.
    pub async fn get(self: &Arc<Self>) -> sqlx::Result<Arc<S::Snapshot>> {
        if let Some(held) = self.held_of_this_generation() {
            self.check_in_background();
            return Ok(held.snapshot);
        }
        let _loading = self.loading.lock().await;
        if let Some(held) = self.held_of_this_generation() {
            return Ok(held.snapshot);
        }
        self.rebuild().await
    }

    /// The snapshot when it is known to be current: of this generation, younger than
    /// [`Timing::rebuild_every`], and built at the marker the last check read (a check runs
    /// here when one is due). Otherwise `None`, and a background rebuild starts.
    pub async fn get_if_current(self: &Arc<Self>) -> sqlx::Result<Option<Arc<S::Snapshot>>> {
        let Some(held) = self.held_of_this_generation() else {
            self.rebuild_in_background();
            return Ok(None);
        };
        // One request in each check_every reads the marker; the others use what it read.
        let (due, mut latest, built) = {
            let mut clock = self.clock();
            let due = clock.checked.elapsed() >= self.timing.check_every;
            if due {
                clock.checked = Instant::now();
            }
            (due, clock.latest, clock.built)
        };
        if due {
            latest = Some(self.source.marker().await?);
            self.clock().latest = latest;
        }
        if latest != Some(held.marker) || built.elapsed() >= self.timing.rebuild_every {
            self.rebuild_in_background();
            return Ok(None);
        }
        Ok(Some(held.snapshot))
    }

    /// After a write through this process: snapshots begun before it are not used again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Builds a snapshot now and makes it current.
    pub async fn rebuild(&self) -> sqlx::Result<Arc<S::Snapshot>> {
        // Read first: a write that lands during the build makes this snapshot outdated.
        let generation = self.generation.load(Ordering::Acquire);
        let started = Instant::now();
        let (snapshot, marker) = self.source.build().await?;
        let snapshot = Arc::new(snapshot);
        {
            let mut clock = self.clock();
            let now = Instant::now();
            clock.checked = now;
            clock.built = now;
            clock.build_time = started.elapsed();
            clock.latest = Some(marker);
        }
        *self.current.write().expect("the snapshot lock") = Some(Held {
            snapshot: Arc::clone(&snapshot),
            marker,
            generation,
        });
        self.source.installed();
        Ok(snapshot)
    }

    /// Starts a rebuild in the background, unless one runs or the last build was too recent
    /// ([`Timing::build_share`]).
    pub fn rebuild_in_background(self: &Arc<Self>) {
        let resting = {
            let clock = self.clock();
            clock.built.elapsed() < clock.build_time * self.timing.build_share
        };
        if resting || self.busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let refresher = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(error) = refresher.rebuild().await {
                tracing::warn!(error = %error, "cannot build the {}", S::NAME);
            }
            refresher.busy.store(false, Ordering::Release);
        });
    }

    /// When a check is due and none runs: reads the marker in the background and rebuilds
    /// when it moved or the snapshot is older than [`Timing::rebuild_every`].
    fn check_in_background(self: &Arc<Self>) {
        let (checked, built) = {
            let clock = self.clock();
            (clock.checked, clock.built)
        };
        if checked.elapsed() < self.timing.check_every || self.busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let refresher = Arc::clone(self);
        tokio::spawn(async move {
            let force = built.elapsed() >= refresher.timing.rebuild_every;
            if let Err(error) = refresher.refresh(force).await {
                tracing::warn!(error = %error, "cannot refresh the {}", S::NAME);
            }
            refresher.busy.store(false, Ordering::Release);
        });
    }

    async fn refresh(&self, force: bool) -> sqlx::Result<()> {
        let marker = self.source.marker().await?;
        let unchanged = self.held().is_some_and(|held| held.marker == marker);
        if unchanged && !force {
            self.clock().checked = Instant::now();
            return Ok(());
        }
        self.rebuild().await?;
        Ok(())
    }

    fn held(&self) -> Option<Held<S>> {
        self.current.read().expect("the snapshot lock").clone()
    }

    fn held_of_this_generation(&self) -> Option<Held<S>> {
        self.held()
            .filter(|held| held.generation == self.generation.load(Ordering::Acquire))
    }

    fn clock(&self) -> std::sync::MutexGuard<'_, Clock<S::Marker>> {
        self.clock.lock().expect("the snapshot clock")
    }
}
