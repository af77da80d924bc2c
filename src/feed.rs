//! Stored articles announced to every `serve` process, for live streams
//! (`GET /v1/articles/stream`).
//!
//! Every import, `POST /v1/articles`, `reextract` and `resolve` appends its articles to the
//! change feed and sends a `NOTIFY` in the same transaction
//! ([`crate::db::article_feed::record`]), so the notification arrives when the articles are
//! committed, from whichever process wrote them.
//! Each `serve` keeps one `LISTEN` connection, opened when the first stream starts: on a
//! notification it reads the new feed entries once and broadcasts them, in commit order, to
//! every stream of the process. It also reads the feed every [`POLL_EVERY`] and after
//! reconnecting, so a notification lost with a connection loses no article.
//!
//! A stream that falls more than [`BACKLOG`] batches behind, or resumes from an event id,
//! reads the feed itself from where it stopped. This module owns no SQL (it calls
//! [`crate::db::article_feed`]) and knows nothing of HTTP.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::{OnceCell, broadcast, watch};

use crate::db::article_feed::{self, CHANNEL, Change};

/// How often the feed is read when no notification came.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// How often `LISTEN` is tried again where it was refused.
pub const LISTEN_RETRY: Duration = Duration::from_secs(60);
/// Batches a stream may fall behind before it reads the feed itself. Small, because a
/// stalled client keeps the batches it has not read (and their renderings) alive.
pub const BACKLOG: usize = 16;
/// Renderings of batches made at once by one process (each is a query per distinct filter):
/// thousands of streams with different filters take turns instead of taking every
/// connection of the pool.
pub const RENDERS_AT_ONCE: usize = 2;
/// Feed entries read at a time.
pub const READ_AT_ONCE: i64 = 500;

/// Articles stored together, in commit order, and what streams made of them: streams with
/// the same filter share one rendering of a batch.
#[derive(Debug)]
pub struct Batch {
    /// The entries.
    pub changes: Vec<Change>,
    rendered: Mutex<HashMap<String, Arc<Rendering>>>,
}

/// One filter's rendering of a batch, made once.
type Rendering = OnceCell<Arc<Vec<Rendered>>>;

/// The permits of [`RENDERS_AT_ONCE`], shared by every feed of the process.
static RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(RENDERS_AT_ONCE);

/// One article of a batch as a stream writes it: its feed number and its text.
pub type Rendered = (i64, String);

impl Batch {
    /// A batch of these entries.
    pub fn new(changes: Vec<Change>) -> Self {
        Self {
            changes,
            rendered: Mutex::new(HashMap::new()),
        }
    }

    /// The rendering of this batch for the streams whose filter is `key`, made by `render`
    /// by the first of them to ask; the others wait for it.
    pub async fn rendered<F, Fut, E>(&self, key: &str, render: F) -> Result<Arc<Vec<Rendered>>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<Rendered>, E>>,
    {
        let cell = {
            let mut rendered = self.rendered.lock().expect("the renderings lock");
            Arc::clone(rendered.entry(key.to_owned()).or_default())
        };
        cell.get_or_try_init(|| async {
            // A closed semaphore is never closed here; were it, the rendering goes ahead.
            let _permit = RENDERS.acquire().await;
            render().await.map(Arc::new)
        })
        .await
        .cloned()
    }
}

/// The feed of one process.
#[derive(Debug)]
pub struct Feed {
    pool: PgPool,
    sender: broadcast::Sender<Arc<Batch>>,
    /// The newest entry broadcast.
    cursor: AtomicI64,
    started: OnceCell<()>,
    closed: watch::Sender<bool>,
    streams: AtomicUsize,
}

/// What a new stream starts from.
#[derive(Debug)]
pub struct Subscription {
    /// Batches broadcast from now on.
    pub batches: broadcast::Receiver<Arc<Batch>>,
    /// The newest entry broadcast before them.
    pub cursor: i64,
    /// Turns true when the process shuts down.
    pub closed: watch::Receiver<bool>,
}

impl Feed {
    /// A feed reading `pool`; it listens once the first stream subscribes.
    pub fn new(pool: PgPool) -> Arc<Self> {
        Arc::new(Self {
            pool,
            sender: broadcast::channel(BACKLOG).0,
            cursor: AtomicI64::new(0),
            started: OnceCell::new(),
            closed: watch::channel(false).0,
            streams: AtomicUsize::new(0),
        })
    }

    /// Subscribes a stream, starting the listener first if needed.
    pub async fn subscribe(self: &Arc<Self>) -> sqlx::Result<Subscription> {
        self.started
            .get_or_try_init(|| async {
                let newest = article_feed::newest(&self.pool).await?;
                self.cursor.store(newest, Ordering::SeqCst);
                tokio::spawn(listen(Arc::downgrade(self), self.pool.clone(), newest));
                Ok::<(), sqlx::Error>(())
            })
            .await?;
        let batches = self.sender.subscribe();
        Ok(Subscription {
            batches,
            cursor: self.cursor.load(Ordering::SeqCst),
            closed: self.closed.subscribe(),
        })
    }

    /// The feed entries after `seq` (for a stream resuming or catching up).
    pub async fn after(&self, seq: i64) -> sqlx::Result<Vec<Change>> {
        article_feed::after(&self.pool, seq, READ_AT_ONCE).await
    }

    /// Ends every stream (at shutdown).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Counts a stream open; `None` when `max` are open already. The stream counts until
    /// the guard is dropped.
    pub fn open_stream(self: &Arc<Self>, max: usize) -> Option<StreamGuard> {
        let open = self.streams.fetch_add(1, Ordering::SeqCst);
        let guard = StreamGuard {
            feed: Arc::clone(self),
        };
        (open < max).then_some(guard)
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.streams.load(Ordering::SeqCst)
    }
}

/// One open stream, counted until dropped.
#[derive(Debug)]
pub struct StreamGuard {
    feed: Arc<Feed>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.feed.streams.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Listens for notifications and broadcasts what they announce, until the feed is dropped.
/// Where `LISTEN` is refused (a hot standby: "cannot execute LISTEN during recovery"; a
/// transaction-mode pooler), the feed is read every [`POLL_EVERY`] instead, and `LISTEN`
/// tried again every [`LISTEN_RETRY`].
async fn listen(feed: Weak<Feed>, pool: PgPool, mut cursor: i64) {
    let mut refused = false;
    loop {
        let mut listener = match connect(&pool).await {
            Ok(listener) => {
                if std::mem::take(&mut refused) {
                    tracing::info!("listening for stored articles again");
                }
                listener
            }
            Err(error) => {
                if !std::mem::replace(&mut refused, true) {
                    tracing::warn!(
                        %error,
                        "cannot listen for stored articles; reading the feed every {} s instead",
                        POLL_EVERY.as_secs()
                    );
                }
                for _ in 0..LISTEN_RETRY.as_secs() / POLL_EVERY.as_secs() {
                    if !read_feed(&feed, &mut cursor).await {
                        return;
                    }
                    tokio::time::sleep(POLL_EVERY).await;
                }
                continue;
            }
        };
        loop {
            // What committed while not listening, then after each notification or poll.
            if !read_feed(&feed, &mut cursor).await {
                return;
            }
            // `try_recv` answers `None` when the connection is lost, without reconnecting
            // (eager reconnection is off): the loop reconnects, outside the timeout.
            match tokio::time::timeout(POLL_EVERY, listener.try_recv()).await {
                Ok(Ok(Some(_))) | Err(_) => {}
                Ok(Ok(None)) => {
                    tracing::warn!("the article feed's connection was lost; reconnecting");
                    break;
                }
                Ok(Err(error)) => {
                    tracing::warn!(%error, "the article feed's connection failed; reconnecting");
                    break;
                }
            }
        }
    }
}

/// Broadcasts what the feed holds after `cursor`; `false` once the feed is dropped. A read
/// that fails is logged and tried again next time.
async fn read_feed(feed: &Weak<Feed>, cursor: &mut i64) -> bool {
    let Some(alive) = feed.upgrade() else {
        return false;
    };
    if let Err(error) = broadcast_after(&alive, cursor).await {
        tracing::warn!(%error, "cannot read the article feed");
    }
    true
}

/// A listener on a connection of its own (a pool of one with the same settings), so that it
/// holds none of the pool's connections.
async fn connect(pool: &PgPool) -> sqlx::Result<PgListener> {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_with(pool.connect_options().as_ref().clone())
        .await?;
    let mut listener = PgListener::connect_with(&own).await?;
    listener.ignore_pool_close_event(true);
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Broadcasts every entry after `cursor`, a batch per read.
async fn broadcast_after(feed: &Feed, cursor: &mut i64) -> sqlx::Result<()> {
    loop {
        let changes = article_feed::after(&feed.pool, *cursor, READ_AT_ONCE).await?;
        let Some(last) = changes.last() else {
            return Ok(());
        };
        *cursor = last.seq;
        feed.cursor.store(last.seq, Ordering::SeqCst);
        // No stream listening is no error.
        let _ = feed.sender.send(Arc::new(Batch::new(changes)));
    }
}
