//! The subcommands. Each builds what it needs from its arguments, runs, and cleans up (the
//! private database included) whether it succeeds, fails or is interrupted.

mod migrate;
mod serve;

use std::process::ExitCode;

use anyhow::Context;

use crate::config::{Cli, Command};

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
        }
    })
}
