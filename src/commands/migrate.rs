//! `newsgraph migrate`: applies pending migrations and exits.

use std::process::ExitCode;

use crate::config::DatabaseArgs;
use crate::database::Database;
use crate::shutdown::Signals;

/// Connects, migrates, disconnects.
pub async fn run(args: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::install()?;
    let database = tokio::select! {
        database = Database::connect(&args) => database?,
        signal = signals.recv() => anyhow::bail!("interrupted by {signal} while connecting"),
    };
    let result = database.migrate().await;
    database.close().await?;
    result?;
    tracing::info!("the database schema is up to date");
    Ok(ExitCode::SUCCESS)
}
