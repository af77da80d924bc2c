//! `newsgraph import`, `newsgraph reextract` and `newsgraph resolve`: connect, migrate, run
//! the importer, print the report, and exit 0 (all done), 2 (some records failed) or 130
//! (interrupted).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use newsgraph_extract::Extractor;

use crate::config::{DatabaseArgs, ImportArgs, ReextractArgs, ReportFormat, ResolveArgs};
use crate::database::Database;
use crate::ingest::{self, ImportOptions, Report, formats};
use crate::shutdown::Signals;

use super::{cancel_on_signal, load_extractor};

/// Imports the paths.
pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let inputs = formats::expand(&args.paths);
    let session = Session::open(&args.database, args.pipeline.model.model_dir.clone()).await?;
    let result = ingest::import(
        &session.database.pool,
        Arc::clone(&session.extractor),
        inputs,
        &ImportOptions::from(&args.pipeline),
        Arc::clone(&session.cancel),
    )
    .await;
    let report = session.close(result).await?;
    Ok(print(&report, args.report))
}

/// Re-extracts stored articles.
pub async fn run_reextract(args: ReextractArgs) -> anyhow::Result<ExitCode> {
    let session = Session::open(&args.database, args.pipeline.model.model_dir.clone()).await?;
    let result = ingest::reextract::reextract(
        &session.database.pool,
        Arc::clone(&session.extractor),
        args.all,
        &ImportOptions::from(&args.pipeline),
        Arc::clone(&session.cancel),
    )
    .await;
    let report = session.close(result).await?;
    Ok(print(&report, args.report))
}

/// Resolves stored articles again and retires the entities left unnamed.
pub async fn run_resolve(args: ResolveArgs) -> anyhow::Result<ExitCode> {
    let session = Session::open(&args.database, args.pipeline.model.model_dir.clone()).await?;
    let result = ingest::resolve::resolve(
        &session.database.pool,
        Arc::clone(&session.extractor),
        &ImportOptions::from(&args.pipeline),
        Arc::clone(&session.cancel),
    )
    .await;
    session.database.close().await?;
    let report = result?;
    match args.report {
        ReportFormat::Text => eprint!("{}", report.summary()),
        ReportFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(error) => eprintln!("newsgraph: error: cannot write the report: {error}"),
        },
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// What a long-running database command works with.
struct Session {
    database: Database,
    extractor: Arc<Extractor>,
    cancel: Arc<AtomicBool>,
}

impl Session {
    /// Loads the model, connects (a signal meanwhile aborts), migrates, and turns later
    /// signals into a cancellation flag.
    async fn open(database: &DatabaseArgs, model_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut signals = Signals::install()?;
        let extractor = Arc::new(load_extractor(model_dir).await?);
        let database = tokio::select! {
            database = Database::connect(database) => database?,
            signal = signals.recv() => anyhow::bail!("interrupted by {signal} while connecting"),
        };
        if let Err(error) = database.migrate().await {
            database.close().await?;
            return Err(error);
        }
        Ok(Self {
            database,
            extractor,
            cancel: cancel_on_signal(signals),
        })
    }

    /// Disconnects (stopping the private database when this was its last user), then hands
    /// back the command's result.
    async fn close(self, result: anyhow::Result<Report>) -> anyhow::Result<Report> {
        self.database.close().await?;
        result
    }
}

fn print(report: &Report, format: ReportFormat) -> ExitCode {
    match format {
        ReportFormat::Text => eprint!("{}", report.summary()),
        ReportFormat::Json => match serde_json::to_string_pretty(report) {
            Ok(json) => println!("{json}"),
            Err(error) => eprintln!("newsgraph: error: cannot write the report: {error}"),
        },
    }
    ExitCode::from(report.exit_code())
}
