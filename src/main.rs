//! The `newsgraph` binary: parses the command line, sets up logging, and hands over to the
//! library. Errors end the process with a one-line reason and a non-zero status.

use std::process::ExitCode;

use newsgraph::config::Cli;

/// mimalloc rather than glibc's allocator: after `serve` builds its in-memory snapshots
/// (hundreds of MB freed in small pieces), glibc spent a third of a facets request in
/// `_int_malloc` walking its free lists (perf, 1x bench corpus).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::from_env_and_args();
    let logs = newsgraph::telemetry::init(cli.log_format);
    let result = newsgraph::commands::run(cli);
    // Pending log lines first, then the reason, so the reason is the last line.
    drop(logs);
    match result {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line.
            eprintln!("newsgraph: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
