//! Logging: tracing-subscriber writing to stderr, human-readable by default, JSON on request.
//! The level comes from RUST_LOG (default `info`). Nothing here decides what is logged.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Lines are written by a background thread, so a request
/// never waits on stderr; keep the returned guard alive until exit, it flushes on drop.
/// Safe to call more than once (later calls do nothing), so tests may call it too.
pub fn init(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    // Buffered: the writer thread drains every queued line, then flushes once, so a busy
    // server makes one write per batch of lines rather than one per line.
    let (writer, guard) =
        tracing_appender::non_blocking(std::io::BufWriter::new(std::io::stderr()));
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal());
    let _already_set = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
    guard
}
