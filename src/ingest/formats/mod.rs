//! Input formats: finding the input files, undoing gzip, telling the format, and reading
//! records out of it. Each reader hands every record, and every failure with its file and
//! line, to a sink; a bad record never stops the good ones after it.
//!
//! Formats, by extension and else by content: the seed text format (`.txt`), JSON Lines
//! (`.jsonl`, `.ndjson`), a JSON array or JSON Lines (`.json`), RSS 2.0 and Atom (`.xml`,
//! `.rss`, `.atom`), and any of these gzip-compressed (`.gz`, or by the gzip magic bytes).

mod feed;
mod json;
mod seed;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

use super::record::{Location, RawRecord};

/// What a reader yields.
#[derive(Debug)]
pub enum Event {
    /// A record, not yet validated.
    Record(Location, RawRecord),
    /// A record, or a whole file, that cannot be read.
    Failure(Location, String),
}

/// One input: a file or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file and its size in bytes.
    File(PathBuf, u64),
    /// Standard input (`-`).
    Stdin,
}

/// The inputs named on the command line, directories walked recursively (sorted, hidden
/// entries skipped), plus the paths that could not be used.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The files to read, in order.
    pub inputs: Vec<Input>,
    /// Paths that do not exist or cannot be read, with the reason.
    pub missing: Vec<(String, String)>,
    /// Files found in directories that are not news input (by extension), skipped.
    pub skipped: Vec<PathBuf>,
}

impl Inputs {
    /// The total size of the input files, for progress; stdin counts as unknown (0).
    pub fn total_bytes(&self) -> u64 {
        self.inputs
            .iter()
            .map(|input| match input {
                Input::File(_, size) => *size,
                Input::Stdin => 0,
            })
            .sum()
    }
}

/// Expands the command line's paths into inputs.
pub fn expand(paths: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut inputs),
            Ok(meta) => inputs.inputs.push(Input::File(path.clone(), meta.len())),
            Err(error) => inputs
                .missing
                .push((path.display().to_string(), error.to_string())),
        }
    }
    inputs
}

fn walk(dir: &Path, inputs: &mut Inputs) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            inputs
                .missing
                .push((dir.display().to_string(), error.to_string()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            !path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with('.'))
        })
        .collect();
    paths.sort();
    for path in paths {
        // symlink_metadata: a link to a directory is not followed, so no cycles.
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(&path, inputs),
            Ok(_) if extension_format(&path).is_none() => inputs.skipped.push(path),
            Ok(_) => match std::fs::metadata(&path) {
                Ok(meta) => inputs.inputs.push(Input::File(path, meta.len())),
                Err(error) => inputs
                    .missing
                    .push((path.display().to_string(), error.to_string())),
            },
            Err(error) => inputs
                .missing
                .push((path.display().to_string(), error.to_string())),
        }
    }
}

/// The formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Seed,
    JsonLines,
    /// `.json`: an array, or objects one per line; the content decides.
    Json,
    Feed,
}

fn extension_format(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let extension = name.rsplit_once('.')?.1;
    match extension {
        "txt" => Some(Format::Seed),
        "jsonl" | "ndjson" => Some(Format::JsonLines),
        "json" => Some(Format::Json),
        "xml" | "rss" | "atom" => Some(Format::Feed),
        _ => None,
    }
}

/// Tells the format from the first bytes of the (decompressed) content.
fn sniff_format(start: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(start);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("date ") {
        Some(Format::Seed)
    } else if text.starts_with('{') {
        Some(Format::JsonLines)
    } else if text.starts_with('[') {
        Some(Format::Json)
    } else if text.starts_with('<') {
        Some(Format::Feed)
    } else {
        None
    }
}

/// Counts the bytes read through it, for the progress bar.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.counter.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

/// Reads every record of one input into `sink`. `progress` counts the raw bytes read. The
/// sink returns `false` to stop early (on interruption).
pub fn read_input(input: &Input, progress: &Arc<AtomicU64>, sink: &mut dyn FnMut(Event) -> bool) {
    let (name, raw, by_extension): (Arc<str>, Box<dyn Read + Send>, _) = match input {
        Input::Stdin => (Arc::from("-"), Box::new(io::stdin()), None),
        Input::File(path, _) => {
            let name: Arc<str> = Arc::from(path.display().to_string());
            match File::open(path) {
                Ok(file) => (name, Box::new(file), extension_format(path)),
                Err(error) => {
                    sink(Event::Failure(
                        file_location(&name),
                        format!("cannot open: {error}"),
                    ));
                    return;
                }
            }
        }
    };
    let counted = Counting {
        inner: raw,
        counter: Arc::clone(progress),
    };
    read_content(name, by_extension, Box::new(counted), sink);
}

/// Reads every record of `bytes` into `sink` as [`read_input`] reads a file called `name`:
/// the same gzip detection, format detection (by `name`'s extension, else by content) and
/// readers. For tests and fuzzing, which need the real code path without files.
pub fn read_bytes(name: &str, bytes: &[u8], sink: &mut dyn FnMut(Event) -> bool) {
    let by_extension = extension_format(Path::new(name));
    let content = io::Cursor::new(bytes.to_vec());
    read_content(Arc::from(name), by_extension, Box::new(content), sink);
}

/// Undoes gzip, tells the format (`by_extension`, else by content) and runs its reader.
fn read_content(
    name: Arc<str>,
    by_extension: Option<Format>,
    raw: Box<dyn Read + Send>,
    sink: &mut dyn FnMut(Event) -> bool,
) {
    let location = file_location(&name);
    let mut reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 16, raw));
    let is_gzip = match reader.fill_buf() {
        Ok(start) => start.starts_with(&[0x1f, 0x8b]),
        Err(error) => {
            sink(Event::Failure(location, format!("cannot read: {error}")));
            return;
        }
    };
    if is_gzip {
        reader = Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(reader),
        ));
    }
    let format = match by_extension {
        Some(format) => Some(format),
        None => match reader.fill_buf() {
            Ok(start) => sniff_format(start),
            Err(error) => {
                sink(Event::Failure(location, read_error(is_gzip, &error)));
                return;
            }
        },
    };
    let Some(format) = format else {
        sink(Event::Failure(
            location,
            "unknown format: expected the seed text format, JSON Lines, a JSON array, RSS or Atom"
                .to_owned(),
        ));
        return;
    };
    let context = ReadContext { name, is_gzip };
    match format {
        Format::Seed => seed::read(reader, &context, sink),
        Format::JsonLines => json::read_lines(reader, &context, sink),
        Format::Json => json::read_json(reader, &context, sink),
        Format::Feed => feed::read(reader, &context, sink),
    }
}

/// What the format readers need to know about their input.
struct ReadContext {
    name: Arc<str>,
    is_gzip: bool,
}

impl ReadContext {
    fn at(&self, line: u64) -> Location {
        Location {
            file: Arc::clone(&self.name),
            line: Some(line),
        }
    }

    fn file(&self) -> Location {
        file_location(&self.name)
    }

    /// The failure for an I/O error after `line` lines were read.
    fn read_failure(&self, line: u64, error: &io::Error) -> (Location, String) {
        (
            self.at(line.max(1)),
            format!("{} (after line {line})", read_error(self.is_gzip, error)),
        )
    }
}

fn file_location(name: &Arc<str>) -> Location {
    Location {
        file: Arc::clone(name),
        line: None,
    }
}

fn read_error(is_gzip: bool, error: &io::Error) -> String {
    if is_gzip {
        format!("truncated or corrupt gzip: {error}")
    } else {
        format!("cannot read: {error}")
    }
}

/// Reads the whole input as UTF-8; when it cannot, reports why to the sink and gives `None`.
fn read_text(
    reader: Box<dyn BufRead + Send>,
    context: &ReadContext,
    sink: &mut dyn FnMut(Event) -> bool,
) -> Option<String> {
    match read_utf8(reader, context) {
        Ok(text) => Some(text),
        Err((location, reason)) => {
            sink(Event::Failure(location, reason));
            None
        }
    }
}

/// The largest input read whole (JSON arrays, feeds, seed files), uncompressed: beyond it a
/// gzip bomb or a mistaken file would take the memory of the machine.
pub const MAX_WHOLE_FILE_BYTES: usize = 512 << 20;

/// Reads the whole input as UTF-8, or says where and why it cannot.
fn read_utf8(
    mut reader: Box<dyn BufRead + Send>,
    context: &ReadContext,
) -> Result<String, (Location, String)> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_WHOLE_FILE_BYTES).unwrap_or(u64::MAX) + 1;
    if let Err(error) = reader.by_ref().take(limit).read_to_end(&mut bytes) {
        let line = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        return Err(context.read_failure(line, &error));
    }
    if bytes.len() > MAX_WHOLE_FILE_BYTES {
        return Err((
            context.file(),
            format!(
                "larger than {} MiB{}: a JSON array, feed or seed file is read whole; split it, \
                 or write it as JSON Lines (read line by line, of any size)",
                MAX_WHOLE_FILE_BYTES >> 20,
                if context.is_gzip { " uncompressed" } else { "" }
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let line = 1 + error.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        (context.at(line), "not UTF-8 text".to_owned())
    })
}

/// Line numbers of slices of one text, asked for in order: each question counts only the
/// newlines since the previous one, so numbering every item of a file is linear in its size.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `part`, a slice of the text.
    fn line_of(&mut self, part: &str) -> u64 {
        let offset = (part.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.line_at(offset)
    }

    /// The 1-based line of byte `offset`.
    fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            // Asked out of order: count again from the start.
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests;
