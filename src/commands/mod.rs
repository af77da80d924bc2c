//! The subcommands. Each builds what it needs from its arguments, runs, and cleans up (the
//! private database included) whether it succeeds, fails or is interrupted.

mod entity;
mod extract;
mod healthcheck;
mod import;
mod migrate;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use newsgraph_extract::Extractor;

use crate::config::{Cli, Command};
use crate::shutdown::Signals;

/// Runs the command line's subcommand on a new tokio runtime and returns the process status.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Migrate(args) => migrate::run(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Reextract(args) => import::run_reextract(args).await,
            Command::Resolve(args) => import::run_resolve(args).await,
            Command::Entity(args) => entity::run(args).await,
            Command::Extract(args) => extract::run(args).await,
            Command::Healthcheck(args) => healthcheck::run(&args),
        }
    })
}

/// Loads the extraction model: the one built in, or the one in `dir`.
pub async fn load_extractor(dir: Option<PathBuf>) -> anyhow::Result<Extractor> {
    tokio::task::spawn_blocking(move || match dir {
        Some(dir) => Extractor::from_path(&dir)
            .with_context(|| format!("cannot load the model in {}", dir.display())),
        None => Extractor::load_default().context("cannot load the built-in model"),
    })
    .await
    .context("the model loading task failed")?
}

/// A flag raised by the first SIGINT/SIGTERM, so that long runs stop between batches; a
/// second signal ends the process at once.
fn cancel_on_signal(mut signals: Signals) -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    tokio::spawn(async move {
        let signal = signals.recv().await;
        tracing::warn!(
            signal,
            "stopping after the batch being written; send it again to stop at once"
        );
        flag.store(true, Ordering::Relaxed);
        signals.recv().await;
        std::process::exit(130);
    });
    cancel
}
