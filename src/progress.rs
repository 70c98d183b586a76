//! Progress of long work (the image variants of a cold build; later the
//! search index and deploys): a bar on a terminal (indicatif), a plain line
//! every few seconds when stderr is a log (CI), nothing when quiet. Work that
//! is done within a couple of seconds shows nothing at all.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether and how progress is shown: what the command line asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Nothing (`--quiet`, and the library's default).
    #[default]
    Never,
    /// A bar on a terminal, plain lines otherwise.
    OnStderr,
    /// Plain lines only: for work in the background of `serve`, whose
    /// rebuilds print lines of their own that a bar would garble.
    Lines,
}

/// How long work runs before its progress is shown, and how often a plain
/// line is printed. `POLIS_PROGRESS_AFTER_MS` overrides the first (tests).
const SHOW_AFTER: Duration = Duration::from_secs(2);
const LINE_EVERY: Duration = Duration::from_secs(5);

/// The progress of one piece of work: `total` steps, counted from any thread.
#[derive(Debug)]
pub struct Progress {
    label: &'static str,
    total: u64,
    done: AtomicU64,
    start: Instant,
    show_after: Duration,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Hidden,
    /// Drawn once the work has run for `show_after`.
    Bar(ProgressBar),
    /// When the last line was printed; `None` before the first.
    Lines(Mutex<Option<Instant>>),
}

impl Progress {
    /// Progress of `total` steps of `label` ("image variants"), shown as
    /// `show` says.
    pub fn new(show: Show, label: &'static str, total: u64) -> Self {
        let show_after = std::env::var("POLIS_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(SHOW_AFTER, Duration::from_millis);
        let kind = match show {
            _ if total == 0 => Kind::Hidden,
            Show::Never => Kind::Hidden,
            Show::OnStderr if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
                let style = ProgressStyle::with_template(
                    "{msg} [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                bar.set_style(style);
                bar.set_message(label);
                Kind::Bar(bar)
            }
            Show::OnStderr | Show::Lines => Kind::Lines(Mutex::new(None)),
        };
        Progress {
            label,
            total,
            done: AtomicU64::new(0),
            start: Instant::now(),
            show_after,
            kind,
        }
    }

    /// Counts `n` more steps done.
    pub fn inc(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let elapsed = self.start.elapsed();
        match &self.kind {
            Kind::Hidden => {}
            Kind::Bar(bar) => {
                if bar.is_hidden() && elapsed >= self.show_after {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                bar.set_position(done);
            }
            Kind::Lines(last) => {
                if elapsed < self.show_after || done >= self.total {
                    return;
                }
                let Ok(mut last) = last.lock() else { return };
                if last.is_none_or(|t| t.elapsed() >= LINE_EVERY) {
                    *last = Some(Instant::now());
                    eprintln!("{}", self.line(done));
                }
            }
        }
    }

    /// Ends the display: the bar is cleared; in a log, a last line says how
    /// long the work took, when any line was printed before it.
    pub fn finish(&self) {
        match &self.kind {
            Kind::Hidden => {}
            Kind::Bar(bar) => bar.finish_and_clear(),
            Kind::Lines(last) => {
                let printed = last.lock().map(|l| l.is_some()).unwrap_or(false);
                if printed || self.start.elapsed() >= self.show_after {
                    eprintln!("{}", self.line(self.done.load(Ordering::Relaxed)));
                }
            }
        }
    }

    fn line(&self, done: u64) -> String {
        format!(
            "{}: {done}/{} ({:.0} s)",
            self.label,
            self.total,
            self.start.elapsed().as_secs_f64()
        )
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Kind::Bar(bar) = &self.kind
            && !bar.is_finished()
        {
            bar.finish_and_clear();
        }
    }
}
