//! `newsgraph import` and `newsgraph reextract`: connect, migrate, run the importer, print
//! the report, and exit 0 (all imported), 2 (some records failed) or 130 (interrupted).

use std::process::ExitCode;
use std::sync::Arc;

use crate::config::{ImportArgs, ReextractArgs, ReportFormat};
use crate::database::Database;
use crate::ingest::{self, Report, formats};
use crate::shutdown::Signals;

use super::{cancel_on_signal, load_extractor};

/// Imports the paths.
pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::install()?;
    let inputs = formats::expand(&args.paths);
    let extractor = load_extractor(args.pipeline.model.model_dir.clone()).await?;
    let database = tokio::select! {
        database = Database::connect(&args.database) => database?,
        signal = signals.recv() => anyhow::bail!("interrupted by {signal} while connecting"),
    };
    let cancel = cancel_on_signal(signals);
    let options = args.pipeline.options();
    let result = match database.migrate().await {
        Ok(()) => {
            ingest::import(
                &database.pool,
                Arc::new(extractor),
                inputs,
                &options,
                cancel,
            )
            .await
        }
        Err(error) => Err(error),
    };
    database.close().await?;
    let report = result?;
    Ok(print(&report, args.report))
}

/// Re-extracts stored articles.
pub async fn run_reextract(args: ReextractArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::install()?;
    let extractor = load_extractor(args.pipeline.model.model_dir.clone()).await?;
    let database = tokio::select! {
        database = Database::connect(&args.database) => database?,
        signal = signals.recv() => anyhow::bail!("interrupted by {signal} while connecting"),
    };
    let cancel = cancel_on_signal(signals);
    let options = args.pipeline.options();
    let result = match database.migrate().await {
        Ok(()) => {
            ingest::reextract::reextract(
                &database.pool,
                Arc::new(extractor),
                args.all,
                &options,
                cancel,
            )
            .await
        }
        Err(error) => Err(error),
    };
    database.close().await?;
    let report = result?;
    Ok(print(&report, args.report))
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
