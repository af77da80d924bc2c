//! `newsgraph serve`: binds the address, connects (starting the private database if needed),
//! migrates, and serves until SIGINT or SIGTERM.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::ServeArgs;
use crate::database::Database;
use crate::http::{self, AppState, HttpConfig};
use crate::shutdown::Signals;

/// How long requests in flight may finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves the API.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut signals = Signals::install()?;
    // Bind first: a port in use is reported before anything else is started.
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let database = tokio::select! {
        database = Database::connect(&args.database) => database?,
        signal = signals.recv() => anyhow::bail!("interrupted by {signal} during start-up"),
    };
    if let Err(error) = database.migrate().await {
        database.close().await?;
        return Err(error);
    }
    let state = AppState {
        pool: database.pool.clone(),
    };
    let config = HttpConfig {
        request_timeout: args.request_timeout(),
    };
    let app = http::router(state, &config);
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    tracing::info!(addr = %local, "listening");
    let shutdown = async move {
        let signal = signals.recv().await;
        tracing::info!(signal, "shutting down");
    };
    let served = crate::server::serve(listener, app, shutdown, SHUTDOWN_GRACE).await;
    database.close().await?;
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
