//! Watching the site's sources and rebuilding on change.
//!
//! notify's debouncer (50 ms) folds an editor's atomic save (write a temp file,
//! rename it over the old one) or a branch switch touching hundreds of files into
//! one batch. Batches that arrive while a rebuild runs are merged into the next
//! one, so the site catches up in one rebuild, not one per event.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::search::Reindexer;
use super::session::Session;
use super::{DiagnosticJson, Event, Shared, Snapshot, error_event};
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::model::SourcePath;

/// The folders under the site root whose files are sources. Nothing polis
/// writes goes into any of them.
pub const WATCHED_DIRS: &[&str] = &[
    "content",
    "templates",
    "themes",
    "assets",
    "i18n",
    crate::config::DATA_DIR,
];

/// How long the debouncer waits for more events before it hands a batch over.
/// An editor's save (a temp file written and renamed) takes well under this; a
/// branch switch takes longer, but events arriving during a rebuild are folded
/// into the next one anyway.
const DEBOUNCE: Duration = Duration::from_millis(5);

enum Msg {
    Changed(Vec<PathBuf>),
    Stop,
}

#[derive(Debug)]
pub struct Watcher {
    tx: Sender<Msg>,
    thread: std::thread::JoinHandle<()>,
}

impl Watcher {
    pub fn start(session: Session, shared: Arc<Shared>, quiet: bool) -> Result<Watcher> {
        let root = session.options().root.clone();
        let (tx, rx) = channel();
        let events = tx.clone();
        let filter_root = root.clone();
        let mut debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
            let paths: Vec<PathBuf> = match res {
                Ok(events) => events
                    .into_iter()
                    // Reads (polis's own, while it builds) change nothing.
                    .filter(|e| !e.event.kind.is_access())
                    .flat_map(|e| e.event.paths)
                    .filter(|p| is_source(&filter_root, p))
                    .collect(),
                // The watcher lost track (an overflow): rebuild from scratch.
                Err(_) => vec![filter_root.join(crate::config::CONFIG_FILE)],
            };
            if !paths.is_empty() {
                let _ = events.send(Msg::Changed(paths));
            }
        })
        .map_err(|e| watch_error(&root, e))?;
        debouncer
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| watch_error(&root, e))?;
        let mut watched = Vec::new();
        for dir in WATCHED_DIRS {
            let path = root.join(dir);
            if path.is_dir() {
                debouncer
                    .watch(&path, RecursiveMode::Recursive)
                    .map_err(|e| watch_error(&path, e))?;
                watched.push(path);
            }
        }
        let reindexer = Reindexer::start(session.search_index().clone(), shared.clone(), quiet)?;
        let thread = std::thread::Builder::new()
            .name("polis-rebuild".into())
            .spawn(move || {
                let mut rebuilder = Rebuilder {
                    session,
                    shared,
                    quiet,
                    failed: false,
                    reindexer,
                };
                rebuilder.run(&rx, |path| {
                    // A watched folder created after the start (a new
                    // `templates/`): watch it from now on.
                    if path.parent() == Some(root.as_path())
                        && path.is_dir()
                        && !watched.iter().any(|w| w == path)
                        && WATCHED_DIRS.iter().any(|d| path.ends_with(d))
                        && debouncer.watch(path, RecursiveMode::Recursive).is_ok()
                    {
                        watched.push(path.to_path_buf());
                    }
                });
            })
            .map_err(|source| Error::Io {
                op: "starting the rebuild thread",
                path: ".".into(),
                source,
            })?;
        Ok(Watcher { tx, thread })
    }

    pub fn stop(self) {
        let _ = self.tx.send(Msg::Stop);
        let _ = self.thread.join();
    }
}

fn watch_error(path: &Path, e: notify::Error) -> Error {
    Error::Option(format!("cannot watch `{}`: {e}", path.display()))
}

/// Whether a changed path is one of the site's sources: `site.toml`, or a file
/// under a watched folder that is not hidden, a swap or a backup file.
pub fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    if first == crate::config::CONFIG_FILE {
        return true;
    }
    WATCHED_DIRS.contains(&first.as_ref()) && parts.all(|p| !crate::load::is_ignored(&p))
}

struct Rebuilder {
    session: Session,
    shared: Arc<Shared>,
    quiet: bool,
    /// Whether the last rebuild failed, so that its fix is announced.
    failed: bool,
    /// Makes each good rebuild's search index after its pages are served.
    reindexer: Reindexer,
}

impl Rebuilder {
    fn run(&mut self, rx: &Receiver<Msg>, mut on_path: impl FnMut(&Path)) {
        while let Ok(msg) = rx.recv() {
            let Msg::Changed(mut paths) = msg else {
                return;
            };
            // Everything that arrived meanwhile goes into the same rebuild.
            while let Ok(msg) = rx.try_recv() {
                match msg {
                    Msg::Changed(more) => paths.extend(more),
                    Msg::Stop => return,
                }
            }
            paths.sort();
            paths.dedup();
            for p in &paths {
                on_path(p);
            }
            self.rebuild(&paths);
        }
    }

    fn rebuild(&mut self, paths: &[PathBuf]) {
        let start = Instant::now();
        let mut diags = Diagnostics::default();
        let result = self.session.rebuild_changed(paths, &mut diags);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let mut err = std::io::stderr().lock();
        match result {
            Ok(rebuilt) => {
                self.shared.snapshot.store(Arc::new(Snapshot {
                    files: rebuilt.files,
                    images: Some(rebuilt.images),
                }));
                if !self.quiet {
                    for d in diags.sorted() {
                        let _ = writeln!(err, "{d}");
                    }
                    let _ = writeln!(
                        err,
                        "rebuilt in {ms:.0} ms: {} file{} changed",
                        rebuilt.changed.len(),
                        if rebuilt.changed.len() == 1 { "" } else { "s" }
                    );
                }
                if self.failed {
                    self.failed = false;
                    self.shared.set_error(None);
                    let _ = self.shared.events.send(Event::Ok);
                }
                let changed = rebuilt
                    .changed
                    .iter()
                    .map(|p| format!("/{}", p.as_str()))
                    .collect();
                let _ = self.shared.events.send(Event::Reload {
                    changed,
                    build_ms: (ms * 10.0).round() / 10.0,
                });
                if let Some(pending) = rebuilt.search {
                    self.reindexer.queue(pending);
                }
            }
            Err(e) => {
                let event = match e {
                    Error::Diagnostics => error_event(&diags),
                    other => {
                        let d = Diagnostic::error(
                            &SourcePath::new(crate::config::CONFIG_FILE),
                            None,
                            other.to_string(),
                        );
                        Event::Error {
                            diagnostics: vec![DiagnosticJson::from(&d)],
                        }
                    }
                };
                if !self.quiet {
                    for d in diags.sorted() {
                        let _ = writeln!(err, "{d}");
                    }
                    if let Event::Error { diagnostics } = &event
                        && !diags.has_errors()
                    {
                        for d in diagnostics {
                            let _ = writeln!(err, "{}", d.text);
                        }
                    }
                    let _ = writeln!(
                        err,
                        "rebuild failed in {ms:.0} ms; still serving the last good build"
                    );
                }
                self.failed = true;
                self.shared.set_error(Some(event.clone()));
                let _ = self.shared.events.send(event);
            }
        }
    }
}
