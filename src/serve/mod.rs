//! `serve`: the site built into memory, served over HTTP, rebuilt when a source
//! file changes, and reloaded in the browser.
//!
//! Three parts: [`watch`] turns file events into rebuilds of a [`Session`];
//! each good rebuild replaces the served [`Snapshot`] in one atomic swap (a
//! response comes wholly from one build); [`http`] serves the snapshot and tells
//! browsers what changed over Server-Sent Events.

mod http;
mod search;
pub mod session;
mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::BuildOptions;
use crate::assets::images::Images;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::error::{Error, Result};
use crate::output::Files;
use session::Session;

/// How `serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `base_url` is set by the server to the address it listens on.
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// 0 for any free port; otherwise the first free port from this one up.
    pub port: u16,
    /// Print nothing but problems.
    pub quiet: bool,
}

/// One build's files, as served.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: Arc<Files>,
    /// Makes the build's image variants that are not among `files` yet.
    pub images: Option<Arc<Images>>,
}

/// What browsers are told, as SSE events.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Event {
    /// A good rebuild: the URL paths (`/en/live/index.html`) whose bytes changed.
    Reload { changed: Vec<String>, build_ms: f64 },
    /// A rebuild with errors: the last good site is still served.
    Error { diagnostics: Vec<DiagnosticJson> },
    /// The errors are fixed.
    Ok,
    /// Sent once, first, on every new event stream.
    Hello,
}

impl Event {
    fn name(&self) -> &'static str {
        match self {
            Event::Reload { .. } => "reload",
            // Not `error`: EventSource uses that name for its own connection errors.
            Event::Error { .. } => "build-error",
            Event::Ok => "build-ok",
            Event::Hello => "hello",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub severity: &'static str,
    pub message: String,
    pub help: Vec<String>,
    /// The whole diagnostic as the terminal shows it.
    pub text: String,
}

impl From<&Diagnostic> for DiagnosticJson {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticJson {
            path: d.path.to_string(),
            line: d.pos.map(|p| p.line),
            column: d.pos.map(|p| p.col),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: d.message.clone(),
            help: d.help.clone(),
            text: d.to_string(),
        }
    }
}

/// State shared by the HTTP handlers and the rebuild loop.
#[derive(Debug)]
pub struct Shared {
    snapshot: ArcSwap<Snapshot>,
    events: broadcast::Sender<Event>,
    /// The errors of the last rebuild, for browsers that connect while they last.
    errors: Mutex<Option<Event>>,
}

impl Shared {
    fn new() -> Self {
        Shared {
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
            events: broadcast::channel(256).0,
            errors: Mutex::new(None),
        }
    }

    fn current_error(&self) -> Option<Event> {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_error(&self, event: Option<Event>) {
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = event;
    }
}

/// A running server: its address, and a way to stop it. Dropping it stops it too.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    http: Option<std::thread::JoinHandle<()>>,
    watcher: Option<watch::Watcher>,
}

/// What the first build printed, so that the caller can show it.
#[derive(Debug)]
pub struct FirstBuild {
    pub diagnostics: Diagnostics,
    pub elapsed: std::time::Duration,
    pub pages: usize,
    pub files: usize,
}

impl Server {
    /// Binds, builds the site once, and starts serving and watching in the
    /// background. Fails only when no port can be bound or the site cannot be
    /// built at all (an unreadable `site.toml`); errors in the content are served
    /// as an overlay like any later ones.
    pub fn start(options: ServeOptions) -> Result<(Server, FirstBuild)> {
        let listener = bind(options.bind, options.port)?;
        let addr = listener.local_addr().map_err(|source| Error::Io {
            op: "reading the server's address",
            path: ".".into(),
            source,
        })?;
        let mut build = options.build.clone();
        // The watcher's paths are absolute; so must the root they are compared
        // with be (the CLI gives an absolute one, a library caller may not).
        build.root = std::path::absolute(&build.root).map_err(|source| Error::Io {
            op: "resolving the site folder",
            path: build.root.clone(),
            source,
        })?;
        build.base_url = Some(format!("http://{}", display_addr(addr)));
        // Plain asset names: a stylesheet edit then changes no page, and the
        // browser swaps the stylesheet in without a reload.
        build.fingerprint_assets = false;
        // The first page at once: a photo's variants are made when a browser
        // asks for them, and meanwhile in the background.
        build.images = crate::pipeline::ImageWork::OnRequest;
        // The page at once, the search index in the background (issue 17).
        build.search = crate::pipeline::SearchWork::Deferred;
        build.progress = if options.quiet {
            crate::progress::Show::Never
        } else {
            crate::progress::Show::Lines
        };
        let shared = Arc::new(Shared::new());
        let mut session = Session::new(build);

        let start = Instant::now();
        let mut diagnostics = Diagnostics::default();
        let (pages, files) = match session.rebuild(&mut diagnostics) {
            Ok(rebuilt) => {
                let pages = rebuilt.summary.pages.iter().map(|(_, n)| n).sum();
                shared.snapshot.store(Arc::new(Snapshot {
                    files: rebuilt.files,
                    images: Some(rebuilt.images),
                }));
                // The first index before the first page: search works from
                // the start; later ones are made in the background.
                if let Some(pending) = rebuilt.search {
                    session
                        .search_index()
                        .make_and_serve(pending, &shared, None)?;
                }
                (pages, shared.snapshot.load().files.len())
            }
            Err(Error::Diagnostics) => {
                shared.set_error(Some(error_event(&diagnostics)));
                (0, 0)
            }
            Err(e) => return Err(e),
        };
        let first = FirstBuild {
            diagnostics,
            elapsed: start.elapsed(),
            pages,
            files,
        };

        let watcher = watch::Watcher::start(session, shared.clone(), options.quiet)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let http = http::spawn(listener, shared.clone(), rx)?;
        Ok((
            Server {
                addr,
                shared,
                shutdown: Some(tx),
                http: Some(http),
                watcher: Some(watcher),
            },
            first,
        ))
    }

    /// The files being served now.
    pub fn files(&self) -> Arc<Files> {
        self.shared.snapshot.load().files.clone()
    }

    /// The address readers open: `http://127.0.0.1:1111/`.
    pub fn url(&self) -> String {
        format!("http://{}/", display_addr(self.addr))
    }

    /// Stops watching and serving, and waits until both have ended.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(w) = self.watcher.take() {
            w.stop();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.http.take() {
            let _ = h.join();
        }
        // The photos' variants still being made in the background: they
        // would go on writing to the cache after `stop` (a test's site is
        // gone by then, and its cache folder made again).
        if let Some(images) = &self.shared.snapshot.load().images {
            images.stop_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

fn display_addr(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        // Listening everywhere: links still have to work from this machine.
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// Binds `port`, or the next free port above it when it is taken.
fn bind(ip: IpAddr, port: u16) -> Result<TcpListener> {
    let tries = if port == 0 { 1 } else { 100 };
    let mut last = None;
    for p in (0..tries).filter_map(|i| port.checked_add(i)) {
        match TcpListener::bind((ip, p)) {
            Ok(l) => {
                l.set_nonblocking(true).map_err(|source| Error::Io {
                    op: "setting up the server socket",
                    path: ".".into(),
                    source,
                })?;
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(source) => {
                return Err(Error::Io {
                    op: "binding the server's address",
                    path: format!("{ip}:{p}").into(),
                    source,
                });
            }
        }
    }
    Err(Error::Option(format!(
        "no free port from {port} to {}: {}",
        port.saturating_add(tries - 1),
        last.map_or_else(String::new, |e| e.to_string())
    )))
}

fn error_event(diags: &Diagnostics) -> Event {
    Event::Error {
        diagnostics: diags
            .sorted()
            .iter()
            .filter(|d| d.is_error())
            .map(DiagnosticJson::from)
            .collect(),
    }
}

/// Blocks until Ctrl-C (or, on Unix, SIGTERM).
pub fn wait_for_stop_signal() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            op: "waiting for Ctrl-C",
            path: ".".into(),
            source,
        })?;
    runtime
        .block_on(async {
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
                tokio::select! {
                    r = tokio::signal::ctrl_c() => r,
                    _ = term.recv() => Ok(()),
                }
            }
            #[cfg(not(unix))]
            tokio::signal::ctrl_c().await
        })
        .map_err(|source| Error::Io {
            op: "waiting for Ctrl-C",
            path: ".".into(),
            source,
        })
}
