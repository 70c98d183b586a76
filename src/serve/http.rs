//! The HTTP side of `serve` (axum): files from the current snapshot, the
//! live-reload script and its event stream.
//!
//! Only the snapshot's files are served; a request path never reaches the file
//! system, so `..`, encoded dots, backslashes and symlinks lead nowhere.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::sync::{oneshot, watch};
use tokio_stream::wrappers::BroadcastStream;
use tower_http::compression::CompressionLayer;

use super::{Event, Shared};
use crate::error::{Error, Result};
use crate::model::OutputPath;
use crate::output::Held;

pub const EVENTS_PATH: &str = "/__polis/events";
pub const SCRIPT_PATH: &str = "/__polis/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");

#[derive(Clone)]
struct AppState {
    shared: Arc<Shared>,
    /// Turns true when the server stops, which ends the event streams (a
    /// graceful shutdown waits for every open response).
    stopping: watch::Receiver<bool>,
}

/// Serves on `listener` from a thread of its own until `shutdown` fires.
pub fn spawn(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    shutdown: oneshot::Receiver<()>,
) -> Result<std::thread::JoinHandle<()>> {
    let io = |op, source| Error::Io {
        op,
        path: ".".into(),
        source,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("polis-http")
        .enable_all()
        .build()
        .map_err(|e| io("starting the HTTP runtime", e))?;
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(|e| io("listening", e))?
    };
    std::thread::Builder::new()
        .name("polis-serve".into())
        .spawn(move || {
            runtime.block_on(async move {
                let (stop_tx, stopping) = watch::channel(false);
                let app = router(AppState { shared, stopping });
                let stop = async move {
                    let _ = shutdown.await;
                    let _ = stop_tx.send(true);
                };
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stop)
                    .await
                {
                    eprintln!("error: the server stopped: {e}");
                }
            });
        })
        .map_err(|e| io("starting the server thread", e))
}

fn router(state: AppState) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback_service(get(file).with_state(state.clone()))
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = std::result::Result<axum::response::sse::Event, Infallible>>> {
    // Subscribe before reading the current state, so nothing falls in between.
    let updates = BroadcastStream::new(state.shared.events.subscribe())
        // A reader too slow to keep up misses events; it catches up on the next.
        .filter_map(|e| async move { e.ok() });
    // `hello` first: the client knows it is subscribed. Then the errors of the
    // last rebuild, if it failed, for the overlay.
    let current = std::iter::once(Event::Hello).chain(state.shared.current_error());
    let mut stopping = state.stopping.clone();
    let stream = futures_util::stream::iter(current)
        .chain(updates)
        .map(|e| Ok(sse_event(&e)))
        .take_until(async move {
            let _ = stopping.wait_for(|s| *s).await;
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn sse_event(e: &Event) -> axum::response::sse::Event {
    let data = match e {
        Event::Ok | Event::Hello => "{}".to_string(),
        other => serde_json::to_string(other).unwrap_or_else(|_| "{}".into()),
    };
    axum::response::sse::Event::default()
        .event(e.name())
        .data(data)
}

async fn file(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(rel) = request_path(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad request path\n").into_response();
    };
    let snapshot = state.shared.snapshot.load_full();
    let files = &snapshot.files;
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.clone()
    };
    if let Some(held) = files.get(&OutputPath::new(key.as_str())) {
        return respond_held(StatusCode::OK, &key, held, &headers);
    }
    // An image variant not made yet: made now, and the request waits for it,
    // so that a page never shows a broken image.
    if let Some(images) = &snapshot.images {
        let images = images.clone();
        let path = OutputPath::new(key.as_str());
        let made = tokio::task::spawn_blocking(move || images.requested(&path)).await;
        match made {
            Ok(Some(Some(bytes))) => return respond(StatusCode::OK, &key, &bytes, &headers),
            Ok(Some(None)) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "this image could not be made: its file changed or cannot be read; the rebuild says why\n",
                )
                    .into_response();
            }
            Ok(None) => {}
            Err(_) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "making the image failed\n",
                )
                    .into_response();
            }
        }
    }
    if !rel.ends_with('/') && files.contains_key(&OutputPath::new(format!("{rel}/index.html"))) {
        // `/en/live` → `/en/live/`, as static hosts do.
        let mut location = format!("{}/", uri.path());
        if let Some(q) = uri.query() {
            location.push('?');
            location.push_str(q);
        }
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    match files.get(&OutputPath::new("404.html")) {
        Some(held) => respond_held(StatusCode::NOT_FOUND, "404.html", held, &HeaderMap::new()),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

/// The output path a request asks for, relative and decoded, or `None` for a
/// path that tries to leave the site (`..`, `.`, backslashes, NUL) or is not
/// UTF-8.
fn request_path(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let rel = decoded.strip_prefix('/').unwrap_or(&decoded);
    if rel.split('/').any(|seg| seg == ".." || seg == ".") {
        return None;
    }
    Some(rel.to_string())
}

/// [`respond`] with a file `serve` holds, decompressed first.
fn respond_held(status: StatusCode, path: &str, held: &Held, request: &HeaderMap) -> Response {
    match held.bytes() {
        Ok(bytes) => respond(status, path, &bytes, request),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

fn respond(status: StatusCode, path: &str, bytes: &Bytes, request: &HeaderMap) -> Response {
    let mime = crate::output::content_type_of(path);
    let body = if mime.starts_with("text/html") {
        inject_script(bytes)
    } else {
        bytes.clone()
    };
    let etag = format!("W/\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh && status == StatusCode::OK {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(body));
        *r.status_mut() = status;
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The page with the live-reload script before its last `</body>`.
fn inject_script(html: &Bytes) -> Bytes {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let at = memchr_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out.into()
}

fn memchr_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_never_leave_the_site() {
        assert_eq!(request_path("/en/live/").as_deref(), Some("en/live/"));
        assert_eq!(
            request_path("/en/kommuner/b%C3%A6rum/").as_deref(),
            Some("en/kommuner/bærum/")
        );
        for bad in [
            "/../etc/passwd",
            "/en/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/a/./b",
            "/a%5c..%5cb",
            "/a\\b",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(request_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = Bytes::from_static(b"<p>&lt;/body&gt;</p></body></html>");
        let out = inject_script(&html);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "<p>&lt;/body&gt;</p><script src=\"/__polis/livereload.js\"></script></body></html>"
        );
        let bare = inject_script(&Bytes::from_static(b"<p>x"));
        assert!(bare.ends_with(b"</script>"));
    }
}
