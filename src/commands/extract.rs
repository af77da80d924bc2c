//! `newsgraph extract [FILE|-]`: the extraction engine on JSON Lines, without a database.

use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::process::ExitCode;

use anyhow::Context;

use crate::config::ExtractArgs;

use super::load_extractor;

/// Runs the engine over the input. Malformed lines are reported on stderr (and answered with
/// an `error` field) without changing the exit status, which is 0 unless the input cannot be
/// read, so that one bad line never fails a whole batch job.
pub async fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let extractor = load_extractor(args.model.model_dir.clone()).await?;
    let input = args.input;
    let stats = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let stdout = io::stdout().lock();
        let output = BufWriter::with_capacity(1 << 16, stdout);
        let errors = io::stderr().lock();
        if input.as_os_str() == "-" {
            let reader = BufReader::with_capacity(1 << 16, io::stdin().lock());
            newsgraph_extract::run_jsonl(reader, output, errors, &extractor)
                .context("cannot extract")
        } else {
            let file =
                File::open(&input).with_context(|| format!("cannot open {}", input.display()))?;
            let reader = BufReader::with_capacity(1 << 16, file);
            newsgraph_extract::run_jsonl(reader, output, errors, &extractor)
                .with_context(|| format!("cannot extract from {}", input.display()))
        }
    })
    .await
    .context("the extraction task failed")??;
    if stats.malformed > 0 {
        tracing::warn!(
            lines = stats.lines,
            malformed = stats.malformed,
            "some input lines were malformed"
        );
    }
    Ok(ExitCode::SUCCESS)
}
