//! The import report: counts of what happened to the records, every failure with its file,
//! line and reason, and a summary for people (text) or scripts (JSON).

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::record::Location;

/// One record or file that could not be imported.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// The file (`-` for stdin).
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<u64>,
    /// Why.
    pub reason: String,
}

impl Failure {
    /// A failure at a location.
    pub fn at(location: &Location, reason: impl Into<String>) -> Self {
        Self {
            file: location.file.to_string(),
            line: location.line,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// What an import (or re-extraction) did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Articles stored for the first time.
    pub new: u64,
    /// Articles whose content changed and were stored again.
    pub updated: u64,
    /// Articles already stored with this content and extractor: nothing written.
    pub unchanged: u64,
    /// Articles with unchanged content whose entities were extracted again because the
    /// extractor changed.
    pub reextracted: u64,
    /// Records that could not be imported (see `failures`).
    pub failed: u64,
    /// Entities created.
    pub entities_created: u64,
    /// Mentions written.
    pub mentions: u64,
    /// Input files read.
    pub files: u64,
    /// Files in the given directories that are not news input, by extension.
    pub skipped_files: Vec<String>,
    /// Every failure, in the order met.
    pub failures: Vec<Failure>,
    /// Whether a signal stopped the run before the end of the input.
    pub interrupted: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Report {
    /// Records seen, failed ones included.
    pub fn records(&self) -> u64 {
        self.new + self.updated + self.unchanged + self.reextracted + self.failed
    }

    /// Records per second over the whole run.
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.records() as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// Sets the duration.
    pub fn finish(&mut self, elapsed: Duration) {
        self.seconds = elapsed.as_secs_f64();
    }

    /// The process status: 0 when every record was imported, 2 when some failed, 130 when
    /// interrupted.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            130
        } else if self.failed > 0 {
            2
        } else {
            0
        }
    }

    /// A few lines for a person.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{} records in {:.1} s ({:.0}/s): {} new, {} updated, {} unchanged, {} re-extracted, {} failed",
            self.records(),
            self.seconds,
            self.rate(),
            self.new,
            self.updated,
            self.unchanged,
            self.reextracted,
            self.failed
        );
        let _ = writeln!(
            text,
            "{} entities created, {} mentions written, {} files read",
            self.entities_created, self.mentions, self.files
        );
        if !self.skipped_files.is_empty() {
            let _ = writeln!(
                text,
                "{} files skipped (not .txt, .json, .jsonl, .ndjson, .xml, .rss, .atom or .gz of those): {}",
                self.skipped_files.len(),
                self.skipped_files.join(", ")
            );
        }
        if self.interrupted {
            let _ = writeln!(text, "interrupted: run the same command again to finish");
        }
        text
    }
}
