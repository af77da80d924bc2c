//! `newsgraph serve`: binds the address, connects (starting the private database if needed),
//! migrates, imports what `--import` names, and serves until SIGINT or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{DatabaseArgs, ServeArgs};
use crate::database::Database;
use crate::feed::Feed;
use crate::http::{self, HttpConfig};
use crate::ingest::{self, ImportOptions, formats};
use crate::replicas::Standby;
use crate::shutdown::Signals;

use super::load_extractor;

/// How long requests in flight may finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the API.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::install()?;
    // Bind first: a port in use is reported before anything else is started.
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let extractor = Arc::new(load_extractor(args.pipeline.model.model_dir.clone()).await?);
    let mut database_args = args.database.clone();
    database_args.db_statement_timeout =
        statement_timeout(args.database.db_statement_timeout, args.request_timeout);
    // Before connecting: a malformed standby URL stops start-up before anything is started.
    let standbys = crate::database::standbys(&args.read_database_urls, &database_args)?;
    let database = tokio::select! {
        database = Database::connect(&database_args) => database?,
        signal = signals.recv() => anyhow::bail!("interrupted by {signal} during start-up"),
    };
    let prepared = prepare(&database, &args, &extractor, &mut signals).await;
    let served = match prepared {
        Ok(true) => {
            let config = http_config(&args, &database_args, standbys);
            let state = http::state(database.pool.clone(), extractor, &config);
            // What the start-up import wrote is read from standbys that have replayed it.
            state.reads.seen_primary().await;
            if let Some(directory) = &state.directory {
                directory.preload();
            }
            if let Some(index) = &state.text_index {
                index.preload();
            }
            let generic = state.generic.clone();
            let feed = Arc::clone(&state.streams.feed);
            let served = serve(
                listener,
                http::router(state, &config),
                signals,
                args.header_read_timeout,
                feed,
            )
            .await;
            generic.0.close().await;
            served
        }
        Ok(false) => Ok(()),
        Err(error) => Err(error),
    };
    database.close().await?;
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The statement timeout `serve` gives its sessions, in seconds: the configured one, but
/// shorter than the request timeout. A request that times out is answered 503 and its query
/// abandoned, and PostgreSQL would otherwise go on running it for the rest of the statement
/// timeout, holding a connection and a core nobody waits for.
fn statement_timeout(configured: u64, request_timeout: u64) -> u64 {
    let below = request_timeout
        .saturating_sub((request_timeout / 10).max(1))
        .max(1);
    configured.min(below)
}

fn http_config(args: &ServeArgs, database: &DatabaseArgs, standbys: Vec<Standby>) -> HttpConfig {
    HttpConfig {
        request_timeout: args.request_timeout(),
        export_timeout: Duration::from_secs(args.export_timeout),
        max_body_bytes: usize::try_from(args.max_body_bytes).unwrap_or(usize::MAX),
        write_tokens: args.write_tokens.clone(),
        read_tokens: args.read_tokens.clone(),
        cors_origins: args
            .cors_origins
            .iter()
            .map(|origin| origin.trim())
            .filter(|origin| !origin.is_empty())
            .map(str::to_owned)
            .collect(),
        rate_limit_per_minute: args.rate_limit,
        trust_forwarded_for: args.trust_forwarded_for,
        entity_directory: args.entity_directory,
        text_index: args.text_index,
        max_streams: args.max_streams,
        ui: !args.no_ui,
        rollup_min_articles: args.rollup_min_articles,
        jobs: ImportOptions::from(&args.pipeline).jobs,
        standbys,
        read_max_lag: Duration::from_secs(args.read_max_lag),
        session: crate::database::session(database),
    }
}

/// Migrates and runs the start-up import. Returns `false` when a signal interrupted it.
async fn prepare(
    database: &Database,
    args: &ServeArgs,
    extractor: &Arc<newsgraph_extract::Extractor>,
    signals: &mut Signals,
) -> anyhow::Result<bool> {
    database.migrate().await?;
    if args.import.is_empty() {
        return Ok(true);
    }
    let inputs = formats::expand(&args.import);
    let cancel = Arc::new(AtomicBool::new(false));
    let options = ImportOptions::from(&args.pipeline);
    let import = ingest::import(
        &database.pool,
        Arc::clone(extractor),
        inputs,
        &options,
        Arc::clone(&cancel),
    );
    tokio::pin!(import);
    let report = tokio::select! {
        report = &mut import => report?,
        signal = signals.recv() => {
            tracing::info!(signal, "stopping the start-up import");
            cancel.store(true, Ordering::Relaxed);
            import.await?;
            return Ok(false);
        }
    };
    for line in report.summary().lines() {
        tracing::info!("import: {line}");
    }
    Ok(true)
}

async fn serve(
    listener: TcpListener,
    app: axum::Router,
    mut signals: Signals,
    header_read_timeout: u64,
    feed: Arc<Feed>,
) -> anyhow::Result<()> {
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    tracing::info!(addr = %local, "listening");
    let shutdown = async move {
        let signal = signals.recv().await;
        tracing::info!(signal, "shutting down");
        // Live streams never end by themselves: they end now, and clients reconnect to
        // another server with their last event id.
        feed.close();
    };
    let timeouts = crate::server::Timeouts {
        header_read: Duration::from_secs(header_read_timeout),
        grace: SHUTDOWN_GRACE,
    };
    crate::server::serve(listener, app, shutdown, timeouts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_time_out_before_the_request_does() {
        assert_eq!(statement_timeout(30, 30), 27);
        assert_eq!(statement_timeout(10, 30), 10);
        assert_eq!(statement_timeout(300, 5), 4);
        assert_eq!(statement_timeout(30, 1), 1);
    }
}
