//! Progress of an import: a bar with rate and ETA when stderr is a terminal, otherwise a
//! plain line every ten seconds. Failures are printed through it so they do not tear the bar.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often plain progress lines are written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// The progress display of one run.
pub struct Progress {
    bar: Option<ProgressBar>,
    records: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    ticker: Mutex<Option<JoinHandle<()>>>,
}

impl Progress {
    /// Starts showing progress over `total_bytes` of input, as counted in `bytes`.
    pub fn start(total_bytes: u64, bytes: Arc<AtomicU64>) -> Self {
        Self::with_template(
            total_bytes,
            bytes,
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta}) {msg}",
        )
    }

    /// Starts showing progress over `total` items, as counted in `done`.
    pub fn start_items(total: u64, done: Arc<AtomicU64>) -> Self {
        Self::with_template(
            total,
            done,
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, ETA {eta})",
        )
    }

    fn with_template(total_bytes: u64, bytes: Arc<AtomicU64>, template: &str) -> Self {
        let records = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
            bar
        });
        let ticker = {
            let (bar, records, stop) = (bar.clone(), Arc::clone(&records), Arc::clone(&stop));
            std::thread::spawn(move || tick(bar, total_bytes, &bytes, &records, &stop))
        };
        Self {
            bar,
            records,
            stop,
            ticker: Mutex::new(Some(ticker)),
        }
    }

    /// Counts records done.
    pub fn add_records(&self, count: u64) {
        self.records.fetch_add(count, Ordering::Relaxed);
    }

    /// Prints a line above the bar (or to stderr).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Stops and clears the display.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.lock().expect("the ticker lock").take() {
            ticker.join().ok();
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn tick(
    bar: Option<ProgressBar>,
    total: u64,
    bytes: &AtomicU64,
    records: &AtomicU64,
    stop: &AtomicBool,
) {
    let started = Instant::now();
    let mut last_line = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let done = records.load(Ordering::Relaxed);
        match &bar {
            Some(bar) => {
                bar.set_position(bytes.load(Ordering::Relaxed));
                bar.set_message(format!("{done} records"));
            }
            None if last_line.elapsed() >= PLAIN_EVERY => {
                last_line = Instant::now();
                let seconds = started.elapsed().as_secs_f64().max(0.001);
                eprintln!(
                    "progress: {done} records ({:.0}/s), {} of {} done",
                    done as f64 / seconds,
                    bytes.load(Ordering::Relaxed),
                    total
                );
            }
            None => {}
        }
    }
}
