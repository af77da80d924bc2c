//! Re-extraction of stored articles after the model changed: pages of articles whose
//! extractor version is not the current one, extracted on all cores and written back in
//! one transaction per page, exactly as an import writes them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use newsgraph_extract::Extractor;
use sqlx::PgPool;
use uuid::Uuid;

use super::pipeline::{Change, ImportOptions, extract_all, is_fatal};
use super::progress::Progress;
use super::record::ArticleInput;
use super::report::{Failure, Report};
use super::store;
use crate::db::articles;

/// Re-extracts every article not extracted by the current model (every article with
/// `all`). Interruptible between pages; a re-run continues where it stopped.
pub async fn reextract(
    pool: &PgPool,
    extractor: Arc<Extractor>,
    all: bool,
    options: &ImportOptions,
    cancel: Arc<AtomicBool>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let version = extractor.version().to_owned();
    let total = articles::count_to_reextract(pool, &version, all)
        .await
        .context("cannot count the articles to re-extract")?;
    let done = Arc::new(AtomicU64::new(0));
    let progress = Progress::start_items(u64::try_from(total).unwrap_or(0), Arc::clone(&done));
    let mut report = Report::default();
    let mut after = Uuid::nil();
    let page_size = i64::try_from(options.batch_size).unwrap_or(500);
    while !cancel.load(Ordering::Relaxed) {
        let page = articles::page_to_reextract(pool, &version, all, after, page_size)
            .await
            .context("cannot read articles to re-extract")?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        let (outcome, failures) = extract_page(pool, &extractor, &version, page, options.jobs)
            .await
            .context("cannot write re-extracted articles")?;
        for failure in failures {
            progress.println(&format!("failed: {failure}"));
            report.failed += 1;
            report.failures.push(failure);
        }
        report.reextracted += outcome.articles.len() as u64;
        report.entities_created += outcome.entities_created;
        report.mentions += outcome.mentions;
        done.fetch_add(outcome.articles.len() as u64, Ordering::Relaxed);
        progress.add_records(outcome.articles.len() as u64);
    }
    progress.finish();
    report.interrupted = cancel.load(Ordering::Relaxed);
    report.finish(started.elapsed());
    Ok(report)
}

/// Extracts a page of stored articles again, on `jobs` threads, and stores the extractions
/// (the articles' rows stay as they are). Returns what storing did and the articles that
/// could not be extracted.
pub(super) async fn extract_page(
    pool: &PgPool,
    extractor: &Arc<Extractor>,
    version: &str,
    page: Vec<articles::StoredArticle>,
    jobs: usize,
) -> anyhow::Result<(store::BatchOutcome, Vec<Failure>)> {
    let (prepared, prepared_ids, failures) = extract_stored(extractor, page, jobs).await?;
    match store::store_extractions(pool, version, &prepared, &prepared_ids).await {
        Ok(outcome) => Ok((outcome, failures)),
        Err(error) if is_fatal(&error) => Err(error.into()),
        Err(error) => {
            // One article the database refuses must not stop every later run at this page:
            // the others are stored one by one, and it is reported.
            tracing::warn!(error = %error, "page refused; storing its articles one by one");
            let mut failures = failures;
            let mut outcome = store::BatchOutcome::default();
            for (single, id) in prepared.iter().zip(&prepared_ids) {
                match store::store_extractions(pool, version, std::slice::from_ref(single), &[*id])
                    .await
                {
                    Ok(one) => {
                        outcome.articles.extend(one.articles);
                        outcome.entities_created += one.entities_created;
                        outcome.mentions += one.mentions;
                    }
                    Err(error) if is_fatal(&error) => return Err(error.into()),
                    Err(error) => failures.push(Failure {
                        file: single.article.url.clone(),
                        line: None,
                        reason: format!("the database refused its entities: {error}"),
                    }),
                }
            }
            Ok((outcome, failures))
        }
    }
}

/// Extracts and links these stored articles again inside the caller's transaction, which
/// holds the ingest lock (an undo of a curation: the articles stored under its rules).
/// Returns how many were stored; an article that cannot be extracted fails the whole.
pub async fn reresolve_in(
    conn: &mut sqlx::PgConnection,
    extractor: &Arc<Extractor>,
    ids: &[Uuid],
    jobs: usize,
) -> anyhow::Result<u64> {
    /// Articles read and extracted at a time.
    const PAGE: usize = 500;
    let version = extractor.version().to_owned();
    let mut stored = 0;
    for chunk in ids.chunks(PAGE) {
        let page = articles::stored_by_ids(&mut *conn, chunk)
            .await
            .context("cannot read stored articles")?;
        let (prepared, prepared_ids, failures) = extract_stored(extractor, page, jobs).await?;
        if let Some(failure) = failures.first() {
            anyhow::bail!("cannot extract a stored article again: {failure}");
        }
        let outcome = store::store_extractions_in(conn, &version, &prepared, &prepared_ids)
            .await
            .context("cannot store re-resolved articles")?;
        stored += outcome.articles.len() as u64;
    }
    Ok(stored)
}

/// Extracts stored articles on `jobs` threads: what to store, the articles' ids in the same
/// order, and the articles that could not be extracted.
async fn extract_stored(
    extractor: &Arc<Extractor>,
    page: Vec<articles::StoredArticle>,
    jobs: usize,
) -> anyhow::Result<(Vec<store::Prepared>, Vec<Uuid>, Vec<Failure>)> {
    let ids: HashMap<String, Uuid> = page.iter().map(|a| (a.url.clone(), a.id)).collect();
    let work = page
        .into_iter()
        .map(|stored| (Change::Reextracted, None, article_of(stored)))
        .collect();
    let worker = Arc::clone(extractor);
    let (batch, failures) = tokio::task::spawn_blocking(move || extract_all(&worker, work, jobs))
        .await
        .context("the extraction task failed")?;
    let prepared: Vec<store::Prepared> = batch.into_iter().map(|(_, p)| p).collect();
    let prepared_ids: Vec<Uuid> = prepared.iter().map(|p| ids[&p.article.url]).collect();
    Ok((prepared, prepared_ids, failures))
}

/// The importer's input for a stored article.
fn article_of(stored: articles::StoredArticle) -> ArticleInput {
    let mut content_hash = [0u8; 32];
    if stored.content_hash.len() == 32 {
        content_hash.copy_from_slice(&stored.content_hash);
    }
    ArticleInput {
        url: stored.url,
        domain: stored.domain,
        source_name: stored.source_name,
        title: stored.title,
        body: stored.body,
        published_at: stored.published_at,
        language: stored.language,
        content_hash,
    }
}
