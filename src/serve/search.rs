//! serve's search index (issue 17): made in the background after each good
//! rebuild, so that a page reload never waits for it.
//!
//! A rebuild leaves its index to serve ([`SearchWork::Deferred`]) and serves
//! the files of the last index made meanwhile ([`Index::carry_into`]). One
//! worker thread ([`Reindexer`]) makes the index of the newest rebuild; the
//! rebuilds that arrive while it works wait, and only the latest of them is
//! indexed (the latest edit wins). A finished index goes into the served
//! snapshot in one atomic swap, and browsers are told which of its files
//! changed.
//!
//! [`SearchWork::Deferred`]: crate::pipeline::SearchWork::Deferred

use std::io::Write;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::{Event, Shared, Snapshot};
use crate::error::{Error, Result};
use crate::model::OutputPath;
use crate::output::{Files, Held};
use crate::search::{BUNDLE_DIR, Pending};

/// The files of the last index made, under [`BUNDLE_DIR`].
#[derive(Debug, Default)]
pub struct Index {
    files: Mutex<Arc<Files>>,
}

impl Index {
    /// Adds the last index's files to a rebuild's `files`, which have none of
    /// their own until the new index is made.
    pub fn carry_into(&self, files: &mut Files) {
        let index = self.files.lock().unwrap_or_else(|e| e.into_inner()).clone();
        files.extend(index.iter().map(|(p, b)| (p.clone(), b.clone())));
    }

    /// Forgets the index (a rebuild without search).
    pub fn clear(&self) {
        *self.files.lock().unwrap_or_else(|e| e.into_inner()) = Arc::default();
    }

    /// Makes the index of `pending` and serves it: the snapshot being served
    /// gets the new index's files in place of the old one's. Returns the
    /// paths that changed (`/pagefind/…`), sorted.
    /// `pool`: where Pagefind's parallel work runs (every core without one).
    pub fn make_and_serve(
        &self,
        pending: Pending,
        shared: &Shared,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<Vec<String>> {
        let new: Files = pending
            .build_on(pool)?
            .into_iter()
            .map(|(p, b)| {
                let held = Held::pack(&p, b);
                (p, held)
            })
            .collect();
        let new = Arc::new(new);
        let old = std::mem::replace(
            &mut *self.files.lock().unwrap_or_else(|e| e.into_inner()),
            new.clone(),
        );
        let mut changed: Vec<String> = new
            .iter()
            .filter(|(p, b)| old.get(*p) != Some(*b))
            .map(|(p, _)| p)
            .chain(old.keys().filter(|p| !new.contains_key(*p)))
            .map(|p| format!("/{}", p.as_str()))
            .collect();
        changed.sort_unstable();
        // A compare-and-swap: a rebuild's snapshot stored meanwhile is kept,
        // with this index put into it.
        shared.snapshot.rcu(|current| {
            let mut files: Files = current
                .files
                .iter()
                .filter(|(p, _)| !in_bundle(p))
                .map(|(p, b)| (p.clone(), b.clone()))
                .collect();
            files.extend(new.iter().map(|(p, b)| (p.clone(), b.clone())));
            Snapshot {
                files: Arc::new(files),
                images: current.images.clone(),
            }
        });
        Ok(changed)
    }
}

/// Whether `path` is a file of the search index (under [`BUNDLE_DIR`]).
pub(super) fn in_bundle(path: &OutputPath) -> bool {
    path.as_str()
        .strip_prefix(BUNDLE_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The worker thread that makes the index of each good rebuild, the latest
/// first. It ends when the `Reindexer` is dropped, once the index it is
/// making is done.
#[derive(Debug)]
pub struct Reindexer {
    tx: Sender<Pending>,
}

impl Reindexer {
    pub fn start(index: Arc<Index>, shared: Arc<Shared>, quiet: bool) -> Result<Reindexer> {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("polis-search-index".into())
            .spawn(move || work(&rx, &index, &shared, quiet))
            .map_err(|source| Error::Io {
                op: "starting the search index thread",
                path: ".".into(),
                source,
            })?;
        Ok(Reindexer { tx })
    }

    /// Has the index of `pending` made, once the one being made is done.
    pub fn queue(&self, pending: Pending) {
        let _ = self.tx.send(pending);
    }
}

fn work(rx: &Receiver<Pending>, index: &Index, shared: &Shared, quiet: bool) {
    // One thread for Pagefind: an index made after an edit leaves the other
    // core to the next edit's rebuild, which the reader is waiting for.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "polis-pagefind".into())
        .build()
        .ok();
    while let Ok(mut pending) = rx.recv() {
        // Rebuilds that came while the last index was made: the newest wins.
        while let Ok(newer) = rx.try_recv() {
            pending = newer;
        }
        let start = Instant::now();
        let result = index.make_and_serve(pending, shared, pool.as_ref());
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let mut err = std::io::stderr().lock();
        match result {
            Ok(changed) => {
                if !quiet {
                    let _ = writeln!(err, "search index made in {ms:.0} ms");
                }
                if !changed.is_empty() {
                    let _ = shared.events.send(Event::Reload {
                        changed,
                        build_ms: (ms * 10.0).round() / 10.0,
                    });
                }
            }
            // The pages are served all the same; the last index stays.
            Err(e) => {
                let _ = writeln!(err, "error: the search index was not made: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_bundle_is_the_bundle_folder_only() {
        assert!(in_bundle(&OutputPath::new("pagefind/pagefind.js")));
        assert!(!in_bundle(&OutputPath::new("pagefind.html")));
        assert!(!in_bundle(&OutputPath::new("pagefinder/x.js")));
        assert!(!in_bundle(&OutputPath::new("en/index.html")));
    }
}
