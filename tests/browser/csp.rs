//! The example site under its own Content-Security-Policy (issue 19, item 3):
//! built as CI builds it, served by a small static host that reads the
//! `_headers` polis wrote (as Netlify and Cloudflare Pages do), so every page
//! has the policy twice, from the header and from its `<meta>`; Chromium opens
//! pages of each kind, plays a video embed and runs a search, and no
//! `securitypolicyviolation` event may fire.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use polis::BuildOptions;
use polis::diag::Diagnostics;
use serde_json::Value;

use super::{Browser, in_browser};

/// Records every violation of the page's policies, before its own scripts
/// run (a DevTools script is not itself subject to the page's policy).
const WATCH: &str = r#"
(() => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(
      `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} (${e.disposition})`
    );
  });
})();
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_example_site_runs_under_its_content_security_policy() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let out = dir.path().join("public");
    let built = out.clone();
    tokio::task::spawn_blocking(move || build_example(&built))
        .await
        .expect("the build ends");
    let headers = std::fs::read_to_string(out.join("_headers")).expect("`_headers` is written");
    assert!(
        headers.contains("Content-Security-Policy: "),
        "`_headers` has the policy:\n{headers}"
    );
    // The editor at /admin/ runs Sveltia CMS, which the pages' policy would
    // stop, and a host adds up the headers of every rule that matches: no
    // rule may give /admin/ the policy, and every page still has it.
    let host = StaticHost {
        root: out.clone(),
        rules: parse_headers(&headers),
    };
    for (path, policy) in [
        ("/admin/", false),
        ("/admin/config.yml", false),
        ("/", true),
        ("/index.html", true),
        ("/en/live/", true),
        ("/nb/", true),
        ("/404.html", true),
    ] {
        let r = host.respond(&path.parse().unwrap());
        assert_eq!(
            r.headers().contains_key("content-security-policy"),
            policy,
            "{path} under:\n{headers}"
        );
    }
    let addr = StaticHost::start(out, &headers).await;
    let base = format!("http://{addr}/");

    in_browser(move |b| async move {
        b.preload(WATCH).await;
        for page in [
            "en/",
            "nb/",
            "en/live/",
            "en/municipalities/",
            "en/events/",
            "en/news/",
            "en/reports/",
            "en/about/",
            "en/no-such-page/",
        ] {
            visit(&b, &format!("{base}{page}")).await;
            assert_no_violations(&b, page).await;
        }
        // The home page's photos show their placeholders through `style`
        // attributes, each named by its hash.
        visit(&b, &base).await;
        let meta = b
            .eval("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
            .await;
        let styled = b
            .eval("document.querySelectorAll('[style]').length")
            .await;
        assert!(
            styled.as_u64() > Some(0)
                && meta
                    .as_str()
                    .is_some_and(|m| m.contains("style-src-attr 'unsafe-hashes' 'sha256-")),
            "{styled} styled elements; policy {meta}"
        );

        // A takeover week with a YouTube embed: nothing from YouTube until
        // the click, then its player in a frame the policy allows.
        let video = "en/takeover/2026-w40-ana-silva/";
        visit(&b, &format!("{base}{video}")).await;
        b.wait_for(
            "the video's play button shows",
            "document.querySelector('.video-frame[data-video-embed] .video-play') !== null \
             && !document.querySelector('.video-frame[data-video-embed] .video-play').hidden",
        )
        .await;
        b.eval("document.querySelector('.video-frame[data-video-embed] .video-play').click()")
            .await;
        b.wait_for(
            "the player's frame is in the page",
            "document.querySelector('.video-frame iframe[src^=\"https://www.youtube-nocookie.com/\"]') !== null",
        )
        .await;
        // The frame's load is checked against `frame-src` before any request.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_no_violations(&b, video).await;

        // The search page: its script, Pagefind's module and WebAssembly.
        let search = "en/search/?q=drammen";
        visit(&b, &format!("{base}{search}")).await;
        b.wait_for(
            "the search shows results",
            "document.querySelectorAll('.search-results li').length > 0",
        )
        .await;
        assert_no_violations(&b, search).await;

        // The watch itself works: an inline script the policy does not name
        // is stopped and reported.
        b.eval(
            "(() => { const s = document.createElement('script'); \
             s.textContent = 'window.__ran = true'; document.body.appendChild(s); })()",
        )
        .await;
        b.wait_for(
            "the inline script is reported",
            "window.__violations.length > 0",
        )
        .await;
        assert_eq!(b.eval("window.__ran === undefined").await, Value::Bool(true));
    })
    .await;
}

fn build_example(out: &Path) {
    let mut options = BuildOptions::new(Path::new(env!("CARGO_MANIFEST_DIR")));
    options.now = "2026-11-23T12:00:00Z".parse().unwrap();
    // The pages are what is under test; encoding the photos in a debug build
    // takes minutes (tests/example does the same).
    options.images = polis::pipeline::ImageWork::Skip;
    let mut diags = Diagnostics::default();
    let result = polis::build_to_dir(&options, out, false, &mut diags);
    assert!(
        result.is_ok() && !diags.has_errors(),
        "{:?}",
        diags.sorted()
    );
}

/// Opens `url` and waits until it has loaded, with both policies on it.
async fn visit(b: &Browser, url: &str) {
    b.client.goto(url).await.expect("open the page");
    b.wait_for("the page loads", "document.readyState === 'complete'")
        .await;
    let meta = b
        .eval(
            "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')?.content ?? null",
        )
        .await;
    assert!(meta.is_string(), "{url} has its policy in a <meta>");
    let header = b
        .eval_async("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
        .await;
    assert!(header.is_string(), "{url} is served with the policy header");
}

async fn assert_no_violations(b: &Browser, page: &str) {
    let v = b.eval("window.__violations").await;
    assert_eq!(v, Value::Array(vec![]), "violations on {page}");
}

/// A static host over a built site: `index.html` for folders, the site's
/// `404.html`, each file's type from polis's own table, and the headers of
/// every `_headers` rule whose path matches.
struct StaticHost {
    root: PathBuf,
    rules: Vec<(String, Vec<(String, String)>)>,
}

impl StaticHost {
    async fn start(root: PathBuf, headers: &str) -> SocketAddr {
        let host = Arc::new(StaticHost {
            root,
            rules: parse_headers(headers),
        });
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let host = host.clone();
            async move { host.respond(&uri) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    fn respond(&self, uri: &Uri) -> Response {
        let path = percent_encoding::percent_decode_str(uri.path())
            .decode_utf8_lossy()
            .into_owned();
        let mut rel = path.trim_start_matches('/').to_string();
        if rel.is_empty() || rel.ends_with('/') {
            rel.push_str("index.html");
        }
        let (status, rel, bytes) = match std::fs::read(self.root.join(&rel)) {
            Ok(b) if !rel.contains("..") => (StatusCode::OK, rel, b),
            _ => (
                StatusCode::NOT_FOUND,
                "404.html".to_string(),
                std::fs::read(self.root.join("404.html")).unwrap_or_default(),
            ),
        };
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&polis::output::content_type_of(&rel)).unwrap(),
        );
        for (pattern, headers) in &self.rules {
            let hit = match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => &path == pattern,
            };
            for (name, value) in headers.iter().filter(|_| hit) {
                h.insert(
                    HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    HeaderValue::from_str(value).unwrap(),
                );
            }
        }
        response
    }
}

/// Netlify's and Cloudflare's `_headers`: a path (with `*`) on a line of its
/// own, then its headers indented, `Name: value`.
fn parse_headers(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with([' ', '\t']) {
            let (name, value) = line.trim().split_once(':').expect("`Name: value`");
            rules
                .last_mut()
                .expect("a header after a path")
                .1
                .push((name.trim().to_string(), value.trim().to_string()));
        } else {
            rules.push((line.trim().to_string(), Vec::new()));
        }
    }
    rules
}
