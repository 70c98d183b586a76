//! Issue 18: the web editor asks no third party. `/admin/` of a copy of the
//! example site is opened in Chromium and signed in to with a token against
//! a stand-in for GitHub's API (`[editor] api_root`, as for GitHub
//! Enterprise), then a new entry's form is opened; every request the
//! browser sent meanwhile, read from the DevTools network events, goes to
//! the site or to that API. What the page's policy stopped (Sveltia's update
//! check on unpkg.com, among others) is listed, and the CMS works without it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::Response;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};

use super::{Browser, in_browser, serve_root};

/// Records every violation of the page's policy, before its own scripts.
const WATCH: &str = r#"
(() => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
  });
})();
"#;

#[tokio::test(flavor = "multi_thread")]
async fn issue_18_the_editor_asks_no_third_party_while_loading_and_signing_in() {
    let api = FakeGitHub::start().await;
    let api_root = format!("http://{}/api/v3", api.addr);
    in_browser(move |b| async move {
        let site = github_copy(&api_root);
        let server = serve_root(site.path());
        b.without_live_reload().await;
        b.preload(WATCH).await;
        let admin = format!("{}admin/", server.url());
        b.client.goto(&admin).await.expect("open the editor");
        b.click_button("Sign In Using Access Token").await;
        b.wait_for(
            "the token dialog",
            "(() => { const i = [...document.querySelectorAll('input')].filter((e) => e.offsetParent && e.type !== 'file').pop(); \
             if (i) i.setAttribute('data-test-target', 'token'); return !!i; })()",
        )
        .await;
        b.client
            .find(fantoccini::Locator::Css("[data-test-target=token]"))
            .await
            .expect("the token's field")
            .send_keys("ghp_test")
            .await
            .expect("type the token");
        b.click_button("Sign In").await;
        b.wait_within(
            std::time::Duration::from_secs(30),
            "the collections are listed after signing in",
            "document.body.innerText.includes('Expat takeover') && document.body.innerText.includes('Municipalities')",
        )
        .await;
        b.click_text("Expat takeover").await;
        b.click_button("Create New Entry").await;
        b.wait_for("the form", "document.body.innerText.includes('Creating')")
            .await;
        // The icons are drawn with the vendored font, not its ligatures' names.
        b.wait_for(
            "the icon font is loaded",
            "document.fonts.check('24px \"Material Symbols Outlined\"', 'add') && [...document.fonts].some((f) => f.family.includes('Material Symbols') && f.status === 'loaded')",
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;

        let requests = Requests::read(&b).await;
        let site_host = url::Url::parse(&admin).unwrap().host_str().unwrap().to_string()
            + ":"
            + &url::Url::parse(&admin).unwrap().port().unwrap().to_string();
        let api_host = api.addr.to_string();
        let violations: Vec<String> = serde_json::from_value(b.eval("window.__violations").await)
            .expect("a list of violations");
        eprintln!(
            "/admin/ sent requests to: {:?}\nthe policy stopped: {violations:#?}\nthe API was asked: {:#?}",
            requests.sent_hosts(),
            api.seen(),
        );
        assert!(
            requests.sent.iter().any(|u| u.contains("/admin/cms/sveltia-cms.")),
            "the script is among the requests read: {:?}",
            requests.sent
        );
        assert!(
            api.seen().iter().any(|r| r.starts_with("GET /api/v3/user")),
            "signed in against the stand-in API: {:?}",
            api.seen()
        );
        let allowed: BTreeSet<String> = [site_host, api_host].into();
        let elsewhere: Vec<&String> = requests
            .sent
            .iter()
            .filter(|u| !u.starts_with("data:") && !u.starts_with("blob:"))
            .filter(|u| host_port(u).is_none_or(|h| !allowed.contains(&h)))
            .collect();
        assert!(elsewhere.is_empty(), "/admin/ asked a third party: {elsewhere:?}");
        // The policy stopped only what would have gone elsewhere (Sveltia's
        // update check on unpkg.com, for one): the editor needs none of it.
        for v in &violations {
            let blocked = v.split_once(' ').map_or("", |(_, u)| u);
            assert!(
                host_port(blocked).is_none_or(|h| !allowed.contains(&h)),
                "the policy stopped a request to the site or the API: {v}"
            );
        }
        drop(server);
    })
    .await;
}

/// `host:port` of an address.
fn host_port(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?))
}

/// A temp copy of the example site whose editor signs in to `api_root`,
/// without forks (the stand-in has no fork API).
fn github_copy(api_root: &str) -> tempfile::TempDir {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temp folder");
    for sub in ["content", "themes", "vendor", "data"] {
        super::copy_dir(&repo.join(sub), &dir.path().join(sub));
    }
    let toml = std::fs::read_to_string(repo.join("site.toml")).expect("site.toml");
    let toml = toml.replace("open_authoring = true", "open_authoring = false");
    std::fs::write(
        dir.path().join("site.toml"),
        format!("{toml}api_root = \"{api_root}\"\n"),
    )
    .expect("write site.toml");
    dir
}

/// Every request of the tab that left the browser, from chromedriver's
/// DevTools log (not those the page's policy stopped).
struct Requests {
    sent: Vec<String>,
}

/// chromedriver's log of DevTools events (`goog:loggingPrefs`).
#[derive(Debug)]
struct PerformanceLog;

impl WebDriverCompatibleCommand for PerformanceLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "performance" }).to_string()),
        )
    }
}

impl Requests {
    async fn read(b: &Browser) -> Requests {
        let log = b
            .client
            .issue_cmd(PerformanceLog)
            .await
            .expect("chromedriver gives its performance log");
        let mut urls = std::collections::BTreeMap::new();
        let mut blocked_ids = BTreeSet::new();
        for entry in log.as_array().expect("a list of log entries") {
            let Some(event) = entry["message"]
                .as_str()
                .and_then(|m| serde_json::from_str::<Value>(m).ok())
            else {
                continue;
            };
            let params = &event["message"]["params"];
            match event["message"]["method"].as_str() {
                Some("Network.requestWillBeSent") => {
                    if let (Some(id), Some(url)) = (
                        params["requestId"].as_str(),
                        params["request"]["url"].as_str(),
                    ) {
                        urls.entry(id.to_string())
                            .or_insert_with(Vec::new)
                            .push(url.to_string());
                    }
                }
                Some("Network.loadingFailed") if params["blockedReason"].is_string() => {
                    if let Some(id) = params["requestId"].as_str() {
                        blocked_ids.insert(id.to_string());
                    }
                }
                _ => {}
            }
        }
        let sent = urls
            .into_iter()
            .filter(|(id, _)| !blocked_ids.contains(id))
            .flat_map(|(_, list)| list)
            .collect();
        Requests { sent }
    }

    fn sent_hosts(&self) -> BTreeSet<String> {
        self.sent
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .map(|u| {
                u.host_str()
                    .map_or_else(|| u.scheme().to_string(), str::to_string)
            })
            .collect()
    }
}

/// A stand-in for GitHub's REST and GraphQL API with an empty repository
/// that the token's owner may write to; it notes every request.
struct FakeGitHub {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl FakeGitHub {
    async fn start() -> FakeGitHub {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("an address");
        let app = axum::Router::new().fallback(move |request: Request<Body>| {
            let log = log.clone();
            async move { answer(request, addr, &log).await }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeGitHub { addr, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn answer(
    request: Request<Body>,
    addr: std::net::SocketAddr,
    log: &Mutex<Vec<String>>,
) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let path = uri.path();
    let (status, value) = if method == Method::OPTIONS {
        (StatusCode::NO_CONTENT, Value::Null)
    } else if path == "/api/v3/user" {
        (
            StatusCode::OK,
            json!({
                "login": "tester", "id": 1, "name": "Test Person",
                "email": "tester@example.org",
                "html_url": "https://github.com/tester",
                "avatar_url": format!("http://{addr}/avatar.png"),
            }),
        )
    } else if path.starts_with("/api/v3/repos/") && path.contains("/collaborators/") {
        (StatusCode::NO_CONTENT, Value::Null)
    } else if path.starts_with("/api/v3/repos/") && path.contains("/git/trees/") {
        (
            StatusCode::OK,
            json!({ "sha": "c0ffee", "tree": [], "truncated": false }),
        )
    } else if matches!(path, "/graphql" | "/api/graphql") {
        (StatusCode::OK, graphql(&body))
    } else {
        (StatusCode::NOT_FOUND, json!({ "message": "Not Found" }))
    };
    let line = format!(
        "{method} {}{}",
        uri.path(),
        if matches!(path, "/graphql" | "/api/graphql") {
            format!(
                " {}",
                body.chars()
                    .take(120)
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        } else {
            String::new()
        }
    );
    if method != Method::OPTIONS {
        log.lock()
            .unwrap()
            .push(format!("{line} -> {}", status.as_u16()));
    }
    let mut response = Response::new(if value.is_null() {
        Body::empty()
    } else {
        Body::from(value.to_string())
    });
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "authorization, content-type, accept, cache-control, if-none-match",
        ),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("*"),
    );
    response
}

/// The GraphQL answers an empty repository on `main` gives.
fn graphql(body: &str) -> Value {
    let mut repository = serde_json::Map::new();
    if body.contains("defaultBranchRef") {
        repository.insert("defaultBranchRef".into(), json!({ "name": "main" }));
    }
    if body.contains("ref(qualifiedName") && body.contains("history(first: 1)") {
        repository.insert(
            "ref".into(),
            json!({ "target": { "history": { "nodes": [{ "oid": "c0ffee", "message": "start" }] } } }),
        );
    }
    if body.contains("pullRequests") {
        repository.insert(
            "pullRequests".into(),
            json!({ "nodes": [], "pageInfo": { "hasNextPage": false, "endCursor": null } }),
        );
    }
    json!({ "data": { "repository": repository } })
}
