//! The import pipeline, in three stages that overlap:
//!
//! 1. a reader thread walks the inputs, parses and validates records, and reports bad ones;
//! 2. batches of valid records are compared with what is stored (by URL, content hash and
//!    extractor version); unchanged ones are skipped, the rest extracted on all cores;
//! 3. two writers store the extracted batches, each in one transaction ([`super::store`]);
//!    a batch waits while another one being written holds one of its URLs.
//!
//! Channels between the stages are bounded, so memory stays flat however large the input.
//! A signal stops the reader; the batch being written commits, and a re-run picks up the
//! rest because everything committed before is then unchanged.
//!
//! Over 400 lines: the three stages and the channels between them are read top to bottom
//! here, in the order a record goes through them.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use newsgraph_extract::{Extraction, Extractor};
use sqlx::PgPool;
use tokio::sync::{Notify, mpsc};

use super::formats::{self, Event, Inputs};
use super::progress::Progress;
use super::publisher;
use super::record::{ArticleInput, Location};
use super::report::{Failure, Report};
use super::store::{self, Prepared};
use crate::config::PipelineArgs;
use crate::db::articles;

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Articles per transaction.
    pub batch_size: usize,
    /// Extraction threads.
    pub jobs: usize,
}

impl From<&PipelineArgs> for ImportOptions {
    /// The options the command line gives: one extraction thread per core unless `--jobs`.
    fn from(args: &PipelineArgs) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            batch_size: usize::try_from(args.batch_size).unwrap_or(500),
            jobs: args
                .jobs
                .and_then(|jobs| usize::try_from(jobs).ok())
                .unwrap_or(cores),
        }
    }
}

/// What is about to happen to a record, decided against the stored version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Not stored yet (or so it seemed before the write).
    New,
    /// Stored with other content.
    Updated,
    /// Stored with this content, by another extractor.
    Reextracted,
}

enum Item {
    Article(Location, Box<ArticleInput>),
    Failure(Failure),
}

type Batch = Vec<(Change, Prepared)>;

/// Batches written at once: their articles' full-text vectors are computed in parallel, the
/// rest of each batch one at a time (see [`store::store_batch`]).
const WRITERS: usize = 2;

/// Everything the stages share.
struct Shared {
    pool: PgPool,
    extractor: Arc<Extractor>,
    report: Mutex<Report>,
    progress: Progress,
    cancel: Arc<AtomicBool>,
    jobs: usize,
    /// URLs of batches handed to the writers and not yet written.
    in_flight: Mutex<HashSet<String>>,
    /// Signalled whenever a writer finishes a batch.
    written: Notify,
}

impl Shared {
    fn fail(&self, failure: Failure) {
        self.progress.println(&format!("failed: {failure}"));
        let mut report = self.report.lock().expect("the report lock");
        report.failed += 1;
        report.failures.push(failure);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Imports the inputs. Returns the report; an error only when the database fails (batches
/// committed before stay).
pub async fn import(
    pool: &PgPool,
    extractor: Arc<Extractor>,
    inputs: Inputs,
    options: &ImportOptions,
    cancel: Arc<AtomicBool>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let bytes = Arc::new(AtomicU64::new(0));
    let progress = Progress::start(inputs.total_bytes(), Arc::clone(&bytes));
    let mut report = Report {
        skipped_files: inputs
            .skipped
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        ..Report::default()
    };
    for (path, reason) in &inputs.missing {
        progress.println(&format!("failed: {path}: {reason}"));
        report.failed += 1;
        report.failures.push(Failure {
            file: path.clone(),
            line: None,
            reason: reason.clone(),
        });
    }
    let shared = Arc::new(Shared {
        pool: pool.clone(),
        extractor,
        report: Mutex::new(report),
        progress,
        cancel,
        jobs: options.jobs.max(1),
        in_flight: Mutex::new(HashSet::new()),
        written: Notify::new(),
    });
    let (item_tx, item_rx) = mpsc::channel::<Item>(options.batch_size.max(1) * 2);
    let reader = spawn_reader(inputs, bytes, item_tx, Arc::clone(&shared));
    let (batch_tx, batch_rx) = mpsc::channel::<Batch>(1);
    let batch_rx = Arc::new(tokio::sync::Mutex::new(batch_rx));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| tokio::spawn(write_batches(Arc::clone(&batch_rx), Arc::clone(&shared))))
        .collect();
    let batched = batch_and_extract(item_rx, batch_tx, options.batch_size.max(1), &shared).await;
    let mut written = Ok(());
    for writer in writers {
        let result = writer.await.context("a writer task failed")?;
        written = written.and(result);
    }
    let files = reader.await.context("the reader task failed")?;
    shared.progress.finish();
    batched?;
    written?;
    let mut report = shared.report.lock().expect("the report lock").clone();
    report.files = files;
    report.interrupted = shared.cancelled();
    report.finish(started.elapsed());
    Ok(report)
}

/// Stage 1: reads, parses and validates on a blocking thread; returns the number of files.
fn spawn_reader(
    inputs: Inputs,
    bytes: Arc<AtomicU64>,
    items: mpsc::Sender<Item>,
    shared: Arc<Shared>,
) -> tokio::task::JoinHandle<u64> {
    tokio::task::spawn_blocking(move || {
        let mut files = 0;
        for input in &inputs.inputs {
            if shared.cancelled() {
                break;
            }
            files += 1;
            formats::read_input(input, &bytes, &mut |event| {
                if shared.cancelled() {
                    return false;
                }
                let item = match event {
                    Event::Record(location, raw) => match raw.validate() {
                        Ok(article) => Item::Article(location, Box::new(article)),
                        Err(error) => Item::Failure(Failure::at(&location, error.to_string())),
                    },
                    Event::Failure(location, reason) => {
                        Item::Failure(Failure::at(&location, reason))
                    }
                };
                items.blocking_send(item).is_ok()
            });
        }
        files
    })
}

/// Stage 2: groups records into batches, skips unchanged ones, extracts the rest.
async fn batch_and_extract(
    mut items: mpsc::Receiver<Item>,
    batches: mpsc::Sender<Batch>,
    batch_size: usize,
    shared: &Arc<Shared>,
) -> anyhow::Result<()> {
    let mut batch: Vec<(Location, ArticleInput)> = Vec::with_capacity(batch_size);
    let mut urls: HashSet<String> = HashSet::new();
    while let Some(item) = items.recv().await {
        if shared.cancelled() {
            return Ok(());
        }
        match item {
            Item::Failure(failure) => shared.fail(failure),
            Item::Article(location, article) => {
                // The same URL twice in one batch: the later record must win, so the
                // earlier one is written first.
                if urls.contains(&article.url) {
                    flush(&mut batch, &mut urls, &batches, shared).await?;
                }
                urls.insert(article.url.clone());
                batch.push((location, *article));
                if batch.len() >= batch_size {
                    flush(&mut batch, &mut urls, &batches, shared).await?;
                }
            }
        }
    }
    if !shared.cancelled() {
        flush(&mut batch, &mut urls, &batches, shared).await?;
    }
    Ok(())
}

async fn flush(
    batch: &mut Vec<(Location, ArticleInput)>,
    urls: &mut HashSet<String>,
    batches: &mpsc::Sender<Batch>,
    shared: &Arc<Shared>,
) -> anyhow::Result<()> {
    urls.clear();
    if batch.is_empty() {
        return Ok(());
    }
    let records = std::mem::take(batch);
    let url_list: Vec<String> = records.iter().map(|(_, a)| a.url.clone()).collect();
    // A later record must win over an earlier one of the same URL: wait until no batch being
    // written holds one of these URLs, then look them up.
    loop {
        let written = shared.written.notified();
        let busy = {
            let in_flight = shared.in_flight.lock().expect("the in-flight lock");
            url_list.iter().any(|url| in_flight.contains(url))
        };
        if !busy {
            break;
        }
        written.await;
    }
    let stored: HashMap<String, articles::StoredVersion> =
        articles::versions_by_url(&shared.pool, &url_list)
            .await
            .context("cannot look up stored articles")?
            .into_iter()
            .map(|version| (version.url.clone(), version))
            .collect();
    let current = shared.extractor.version();
    let mut work = Vec::with_capacity(records.len());
    let mut unchanged = 0;
    for (location, article) in records {
        let change = match stored.get(&article.url) {
            None => Change::New,
            Some(old) if old.content_hash != article.content_hash => Change::Updated,
            Some(old) if old.extractor_version != current => Change::Reextracted,
            Some(_) => {
                unchanged += 1;
                continue;
            }
        };
        work.push((change, Some(location), article));
    }
    shared.report.lock().expect("the report lock").unchanged += unchanged;
    shared.progress.add_records(unchanged);
    if work.is_empty() {
        return Ok(());
    }
    let worker = Arc::clone(shared);
    let (prepared, failures) =
        tokio::task::spawn_blocking(move || extract_all(&worker.extractor, work, worker.jobs))
            .await
            .context("the extraction task failed")?;
    for failure in failures {
        shared.fail(failure);
    }
    shared
        .in_flight
        .lock()
        .expect("the in-flight lock")
        .extend(prepared.iter().map(|(_, p)| p.article.url.clone()));
    // A closed channel means the writers stopped on an error; they report that error.
    batches.send(prepared).await.ok();
    Ok(())
}

/// Extracts every article on `jobs` threads, taking articles one at a time so that long and
/// short ones balance. A panic in the engine fails that article only.
pub fn extract_all(
    extractor: &Extractor,
    work: Vec<(Change, Option<Location>, ArticleInput)>,
    jobs: usize,
) -> (Batch, Vec<Failure>) {
    let next = AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Option<Extraction>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs.min(work.len()).max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some((_, _, article)) = work.get(index) else {
                            return done;
                        };
                        let extraction = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            extractor.extract(Some(&article.title), &article.body)
                        }))
                        .ok();
                        done.push((index, extraction));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("extraction threads catch panics"))
            .collect()
    });
    let mut extractions: Vec<Option<Extraction>> = vec![None; work.len()];
    for (index, extraction) in results.into_iter().flatten() {
        extractions[index] = extraction;
    }
    let mut batch = Vec::with_capacity(work.len());
    let mut failures = Vec::new();
    for ((change, location, article), extraction) in work.into_iter().zip(extractions) {
        match extraction {
            Some(mut extraction) => {
                publisher::strip(
                    &mut extraction,
                    &publisher::names(&article.domain, &article.source_name),
                );
                batch.push((
                    change,
                    Prepared {
                        location,
                        article,
                        extraction,
                    },
                ));
            }
            None => failures.push(Failure {
                file: location
                    .as_ref()
                    .map_or_else(|| article.url.clone(), |l| l.file.to_string()),
                line: location.and_then(|l| l.line),
                reason: "entity extraction failed (internal error)".to_owned(),
            }),
        }
    }
    (batch, failures)
}

/// Stage 3: stores batches; a batch the database refuses is retried record by record, so
/// one bad record does not lose the others.
async fn write_batches(
    batches: Arc<tokio::sync::Mutex<mpsc::Receiver<Batch>>>,
    shared: Arc<Shared>,
) -> anyhow::Result<()> {
    loop {
        let Some(batch) = batches.lock().await.recv().await else {
            return Ok(());
        };
        let result = write_batch(&shared, &batch).await;
        {
            let mut in_flight = shared.in_flight.lock().expect("the in-flight lock");
            for (_, prepared) in &batch {
                in_flight.remove(&prepared.article.url);
            }
        }
        shared.written.notify_waiters();
        result?;
    }
}

/// Writes one batch; a batch the database refuses is retried record by record.
async fn write_batch(shared: &Shared, batch: &Batch) -> anyhow::Result<()> {
    let version = shared.extractor.version().to_owned();
    {
        let prepared: Vec<Prepared> = batch.iter().map(|(_, p)| p.clone()).collect();
        match store::store_batch(&shared.pool, &version, &prepared).await {
            Ok(outcome) => tally(shared, batch, &outcome),
            Err(error) if is_fatal(&error) => {
                return Err(error).context("cannot write to the database");
            }
            Err(error) => {
                tracing::warn!(error = %error, "batch refused; storing its records one by one");
                for (change, prepared) in batch {
                    let single = std::slice::from_ref(prepared);
                    match store::store_batch(&shared.pool, &version, single).await {
                        Ok(outcome) => tally(
                            shared,
                            std::slice::from_ref(&(*change, prepared.clone())),
                            &outcome,
                        ),
                        Err(error) if is_fatal(&error) => {
                            return Err(error).context("cannot write to the database");
                        }
                        Err(error) => {
                            let location = prepared.location.clone().unwrap_or(Location {
                                file: Arc::from(prepared.article.url.as_str()),
                                line: None,
                            });
                            shared.fail(Failure::at(
                                &location,
                                format!("the database refused the record: {error}"),
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn tally(shared: &Shared, batch: &[(Change, Prepared)], outcome: &store::BatchOutcome) {
    let mut report = shared.report.lock().expect("the report lock");
    for ((change, _), stored) in batch.iter().zip(&outcome.articles) {
        match (stored.inserted, change) {
            (true, _) => report.new += 1,
            (false, Change::Reextracted) => report.reextracted += 1,
            (false, _) => report.updated += 1,
        }
    }
    report.entities_created += outcome.entities_created;
    report.mentions += outcome.mentions;
    drop(report);
    shared.progress.add_records(batch.len() as u64);
}

/// Errors that no retry of single records can fix: the database is gone.
pub(super) fn is_fatal(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
    )
}
