//! `polis serve` in a real browser: headless Chromium driven over WebDriver
//! (chromedriver + fantoccini) opens a page of a temp copy of a fixture site,
//! the test edits the sources on disk, and the page has to follow by itself:
//! a body edit reloads the page (keeping its scroll position), a stylesheet edit
//! swaps the stylesheet in place (no reload, so nothing is lost).
//!
//! Search (issue 17) is tried on the example site itself, as a reader would:
//! a word typed in the header's field on `/nb/` and on `/en/`, the results in
//! that language only, a filter, a result followed; the same with the keyboard
//! alone; and axe-core, run in the page, finds no serious or critical
//! violation on the search page with its results.
//!
//! A separate test binary, so that `cargo test --test integration` needs no
//! browser. Without Debian's `chromium` and `chromium-driver` (which `.ci/run`
//! installs) each test says so loudly and skips itself.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use polis::BuildOptions;
use polis::serve::{ServeOptions, Server};
use serde_json::{Value, json};

#[path = "browser/csp.rs"]
mod csp;
#[path = "browser/requests.rs"]
mod requests;

/// The page under test (`content/live/housing.md`) and its stylesheet.
const PAGE: &str = "en/live/housing/";
const MARKDOWN: &str = "content/live/housing.md";
const STYLESHEET: &str = "themes/test/static/css/style.css";

/// How long a change may take to show in the browser before the test fails.
/// A rebuild takes milliseconds; the rest is slack for a loaded CI machine.
const PATIENCE: Duration = Duration::from_secs(10);

/// Runs in every document the browser opens, before the page's own scripts:
/// counts the documents loaded in this tab (so a test can tell a reload from
/// none), and notes when the live-reload script's event stream has said
/// `hello` (so a test edits only once the page is listening).
const PRELOAD: &str = r#"
(() => {
  const loads = Number(sessionStorage.getItem("test-loads") || 0) + 1;
  sessionStorage.setItem("test-loads", String(loads));
  window.__testLoads = loads;
  window.__testListening = false;
  const Native = window.EventSource;
  window.EventSource = function (url, init) {
    const events = new Native(url, init);
    events.addEventListener("hello", () => { window.__testListening = true; });
    return events;
  };
  window.EventSource.prototype = Native.prototype;
})();
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_body_edit_shows_in_the_open_page_by_itself() {
    in_browser(|b| async move {
        let site = Site::new(0);
        let server = site.serve();
        b.open(&format!("{}{PAGE}", server.url())).await;
        assert!(!b.text().await.contains("zebrafinch"));

        let edited = Instant::now();
        site.edit(MARKDOWN, |md| md + "\nA paragraph about the zebrafinch.\n");
        b.wait_for(
            "the new paragraph shows",
            "document.body.textContent.includes('zebrafinch')",
        )
        .await;
        eprintln!("body edit → shown in the browser: {:?}", edited.elapsed());
        // The page reloaded itself: the test never navigated.
        assert!(b.loads().await >= 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stylesheet_edit_is_swapped_in_without_losing_the_scroll_position() {
    in_browser(|b| async move {
        // Long enough to scroll well past 800 px.
        let site = Site::new(200);
        let server = site.serve();
        b.open(&format!("{}{PAGE}", server.url())).await;
        let href = b
            .eval("document.querySelector('link[rel~=stylesheet]').href")
            .await;
        assert_eq!(href, json!(format!("{}css/style.css", server.url())));
        b.eval("window.scrollTo(0, 800)").await;
        assert_eq!(b.scroll_y().await, 800.0);

        let edited = Instant::now();
        site.edit(STYLESHEET, |css| {
            css + "\nbody { outline: 3px solid rgb(1, 2, 3) }\n"
        });
        b.wait_for(
            "the edited stylesheet applies",
            "getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'",
        )
        .await;
        eprintln!(
            "stylesheet edit → applied in the browser: {:?}",
            edited.elapsed()
        );
        assert_eq!(b.loads().await, 1, "the page reloaded for a stylesheet");
        assert_eq!(b.scroll_y().await, 800.0);
        // The old <link> goes once the new one has loaded.
        b.wait_for(
            "the old stylesheet is removed",
            "document.querySelectorAll('link[rel~=stylesheet]').length === 1",
        )
        .await;

        // A body edit reloads the page, and the reader stays where they were.
        let edited = Instant::now();
        site.edit(MARKDOWN, |md| md + "\nThe kingfisher paragraph.\n");
        b.wait_for(
            "the reloaded page shows the edit, scrolled back to 800",
            "document.body.textContent.includes('kingfisher') && window.scrollY === 800",
        )
        .await;
        eprintln!(
            "body edit → reloaded and scrolled back: {:?}",
            edited.elapsed()
        );
        assert_eq!(b.loads().await, 2);
        // The reloaded page has the edited stylesheet too.
        let outline = b.eval("getComputedStyle(document.body).outlineColor").await;
        assert_eq!(outline, json!("rgb(1, 2, 3)"));
    })
    .await;
}

/// How long a search may take in the browser. Pagefind loads its WebAssembly
/// and the index chunks on the first search; slack for a loaded CI machine.
const SEARCH_PATIENCE: Duration = Duration::from_secs(30);

/// The results the search page shows now: (href, kind and date line).
const RESULTS: &str = "[...document.querySelectorAll('.search-results .search-result')]\
    .map(li => [li.querySelector('a').getAttribute('href'), \
    li.querySelector('.search-result-meta').textContent])";

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_pages_in_the_readers_language_and_filters_them() {
    in_browser(|b| async move {
        let server = serve_example();
        let base = server.url();

        // Norwegian, typed into the header's field on the Norwegian home page:
        // the inflected "skattekortet" finds the pages about "skattekort".
        b.open(&format!("{base}nb/")).await;
        let field = b
            .client
            .find(Locator::Css("header #site-search-q"))
            .await
            .expect("a search field in the header");
        field
            .send_keys(&("skattekortet".to_string() + &Key::Enter.to_string()))
            .await
            .expect("type into the field");
        b.wait_for_results("/nb/sok/").await;
        let nb = b.results().await;
        assert!(
            nb.iter().all(|(href, _)| href.starts_with("/nb/")),
            "a Norwegian search shows Norwegian pages only: {nb:?}"
        );
        assert!(
            nb.iter().any(|(href, _)| href.contains("skatt")),
            "{nb:?}"
        );
        // The words found are marked in the excerpts, and the count is said.
        let marked = b
            .eval("[...document.querySelectorAll('.search-results mark')].map(m => m.textContent.toLowerCase())")
            .await;
        assert!(
            marked.as_array().is_some_and(|m| m.iter().any(|w| w.as_str().is_some_and(|w| w.starts_with("skattekort")))),
            "{marked}"
        );
        let status = b.eval("document.querySelector('.search-status').textContent").await;
        assert!(status.as_str().is_some_and(|s| s.contains("skattekortet")), "{status}");

        // A filter, chosen with the mouse: the topic "Arbeid" (work) keeps
        // the pages under /nb/jobbe/ and drops the others ("Om oss").
        assert!(nb.iter().any(|(href, _)| !href.starts_with("/nb/jobbe/")), "{nb:?}");
        b.client
            .find(Locator::Css("select[name='filter-Tema']"))
            .await
            .expect("a topic filter, named in Norwegian")
            .select_by_value("Arbeid")
            .await
            .expect("choose a topic");
        b.wait_within(
            SEARCH_PATIENCE,
            "only the work pages show",
            &format!("(r => r.length > 0 && r.every(([href]) => href.startsWith('/nb/jobbe/')))({RESULTS})"),
        )
        .await;

        // Following a result opens its page.
        let (href, _) = b.results().await.remove(0);
        b.client
            .find(Locator::Css(".search-results a"))
            .await
            .expect("a result link")
            .click()
            .await
            .expect("follow the result");
        b.wait_for(
            "the result's page opens",
            &format!("location.pathname === {}", json!(href)),
        )
        .await;

        // English, from the English home page: English pages only.
        b.open(&format!("{base}en/")).await;
        b.client
            .find(Locator::Css("header #site-search-q"))
            .await
            .expect("a search field in the header")
            .send_keys(&("housing".to_string() + &Key::Enter.to_string()))
            .await
            .expect("type into the field");
        b.wait_for_results("/en/search/").await;
        let en = b.results().await;
        assert!(
            en.iter().all(|(href, _)| href.starts_with("/en/")),
            "an English search shows English pages only: {en:?}"
        );
        assert!(en.iter().any(|(href, _)| href.contains("housing")), "{en:?}");
        // The kind filter: articles only, where there were other kinds too.
        assert!(en.iter().any(|(_, meta)| !meta.starts_with("Article")), "{en:?}");
        b.client
            .find(Locator::Css("select[name='filter-Kind']"))
            .await
            .expect("a kind filter")
            .select_by_value("Article")
            .await
            .expect("choose a kind");
        b.wait_for_filtered("Article").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_works_with_the_keyboard_alone_and_passes_axe() {
    in_browser(|b| async move {
        let server = serve_example();
        b.open(&format!("{}en/", server.url())).await;
        // Tab from the top of the page to the header's field, type, Enter.
        b.tab_to("#site-search-q", 20).await;
        b.press_keys("housing").await;
        b.press_keys(&Key::Enter.to_string()).await;
        b.wait_for_results("/en/search/").await;
        assert!(
            b.results()
                .await
                .iter()
                .all(|(href, _)| href.starts_with("/en/")),
            "{:?}",
            b.results().await
        );

        // Tab to the kind filter, pick the first kind with the arrow key.
        b.tab_to("select[name='filter-Kind']", 60).await;
        b.press_keys(&Key::Down.to_string()).await;
        let chosen = b
            .eval("document.querySelector(\"select[name='filter-Kind']\").value")
            .await;
        let chosen = chosen.as_str().expect("a kind").to_string();
        assert!(!chosen.is_empty(), "the arrow key chose a kind");
        b.wait_for_filtered(&chosen).await;

        // Nothing serious for axe on the search page with its results, at a
        // desktop's width and at a phone's.
        b.assert_axe_passes("the search page at 1024 px").await;
        b.client
            .set_window_size(390, 844)
            .await
            .expect("a phone-sized window");
        b.assert_axe_passes("the search page at 390 px").await;

        // Tab on to the first result, Enter opens it.
        let (href, _) = b.results().await.remove(0);
        b.tab_to(".search-results a", 20).await;
        b.press_keys(&Key::Enter.to_string()).await;
        b.wait_for(
            "the result's page opens",
            &format!("location.pathname === {}", json!(href)),
        )
        .await;
    })
    .await;
}

/// `polis serve` of the example site (the repository itself), as an editor
/// runs it: the search index is the one serve makes.
fn serve_example() -> Server {
    serve_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// A temp copy of `tests/fixtures/incremental/site` with the test theme it
/// names (`tests/fixtures/_theme`).
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// The copy, with `paragraphs` more paragraphs in the page under test.
    fn new(paragraphs: usize) -> Site {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("a temp folder");
        copy_dir(&repo.join("tests/fixtures/incremental/site"), dir.path());
        copy_dir(
            &repo.join("tests/fixtures/_theme"),
            &dir.path().join("themes/test"),
        );
        let site = Site { dir };
        site.edit(MARKDOWN, |mut md| {
            for i in 0..paragraphs {
                md += &format!("\nFiller paragraph {i}, to make the page long enough to scroll.\n");
            }
            md
        });
        site
    }

    fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn serve(&self) -> Server {
        serve_root(&self.root())
    }

    /// Rewrites a file in place, as an editor saving it does.
    fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let path = self.dir.path().join(rel);
        let text = std::fs::read_to_string(&path).expect("read the file to edit");
        std::fs::write(&path, f(text)).expect("write the edited file");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the folder");
        let dest = to.join(entry.path().strip_prefix(from).expect("inside the folder"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy a file");
        }
    }
}

/// Runs `test` in a headless Chromium behind a chromedriver of its own, and
/// ends the browser session afterwards, also when the test fails. Without
/// chromium or chromedriver, says so loudly and skips the test.
async fn in_browser<F, Fut>(test: F)
where
    F: FnOnce(Browser) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(find_program);
    let (Some(chromium), Some(chromedriver)) = (chromium, find_program("chromedriver")) else {
        // `.ci/run` installs them and sets this, so that CI cannot skip.
        assert!(
            std::env::var_os("POLIS_REQUIRE_BROWSER").is_none(),
            "POLIS_REQUIRE_BROWSER is set, but chromium or chromedriver is not on the PATH"
        );
        eprintln!(
            "\n!!!!!!!! SKIPPED: chromium/chromedriver not found; install Debian's \
             chromium and chromium-driver (.ci/run does) !!!!!!!!\n"
        );
        return;
    };
    let driver = Driver::start(&chromedriver);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1024,768",
            ],
        }),
    );
    // The DevTools network events, for a test that lists every request
    // (`requests::Requests`).
    caps.insert("goog:loggingPrefs".into(), json!({ "performance": "ALL" }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url())
        .await
        .expect("chromedriver starts a browser session");
    let browser = Browser {
        client: client.clone(),
    };
    // A task of its own, so that a failing test ends in a `JoinError` here.
    let outcome = tokio::spawn(async move {
        browser.preload(PRELOAD).await;
        test(browser).await;
    })
    .await;
    // Ending the session quits the browser; the driver goes when dropped.
    let _ = client.close().await;
    drop(driver);
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
}

/// The browser a test drives.
struct Browser {
    client: Client,
}

impl Browser {
    /// Has `source` run in every new document before its own scripts, through
    /// the Chrome DevTools Protocol (WebDriver has no command for it; chromedriver
    /// passes CDP commands on).
    async fn preload(&self, source: &str) {
        self.client
            .issue_cmd(Cdp {
                cmd: "Page.addScriptToEvaluateOnNewDocument",
                params: json!({ "source": source }),
            })
            .await
            .expect("chromedriver runs the CDP command");
    }

    /// Opens `url` and waits until its live-reload script listens.
    async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("open the page");
        self.wait_for(
            "the page listens for reloads",
            "window.__testListening === true",
        )
        .await;
    }

    async fn eval(&self, expr: &str) -> Value {
        self.client
            .execute(&format!("return {expr};"), vec![])
            .await
            .unwrap_or_else(|e| panic!("evaluating `{expr}`: {e}"))
    }

    /// The value a JavaScript promise settles to (a rejection as its text).
    async fn eval_async(&self, promise: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1]; \
             Promise.resolve({promise}).then(done, (e) => done(String(e)));"
        );
        self.client
            .execute_async(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("evaluating `{promise}`: {e}"))
    }

    async fn text(&self) -> String {
        self.eval("document.body.textContent")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// How many documents this tab has loaded.
    async fn loads(&self) -> u64 {
        self.eval("window.__testLoads")
            .await
            .as_u64()
            .expect("a count")
    }

    async fn scroll_y(&self) -> f64 {
        self.eval("window.scrollY")
            .await
            .as_f64()
            .expect("a number")
    }

    /// Waits until the search page at `path` shows results.
    async fn wait_for_results(&self, path: &str) {
        self.wait_within(
            SEARCH_PATIENCE,
            &format!("the search page {path} shows results"),
            &format!(
                "location.pathname === {} && document.querySelectorAll('.search-results a').length > 0",
                json!(path)
            ),
        )
        .await;
    }

    /// Waits until every result shown is of the `kind` chosen.
    async fn wait_for_filtered(&self, kind: &str) {
        self.wait_within(
            SEARCH_PATIENCE,
            &format!("only results of the kind {kind} show"),
            &format!(
                "(r => r.length > 0 && r.every(([_, meta]) => meta.startsWith({})))({RESULTS})",
                json!(kind)
            ),
        )
        .await;
    }

    async fn results(&self) -> Vec<(String, String)> {
        serde_json::from_value(self.eval(RESULTS).await).expect("a list of results")
    }

    /// Presses and releases each key of `keys`, as a keyboard does, in
    /// whatever has the focus.
    async fn press_keys(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".to_string());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("the keys are pressed");
    }

    /// Presses Tab until the element with the focus matches `selector`, at
    /// most `max` times.
    async fn tab_to(&self, selector: &str, max: usize) {
        let test = format!(
            "!!document.activeElement && document.activeElement.matches({})",
            json!(selector)
        );
        for _ in 0..max {
            if self.eval(&test).await == json!(true) {
                return;
            }
            self.press_keys(&Key::Tab.to_string()).await;
        }
        let at = self
            .eval("document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
            .await;
        panic!("{max} presses of Tab did not reach `{selector}`; the focus is on {at}");
    }

    /// Runs axe-core in the page and fails on any serious or critical
    /// violation. Where axe-core is not installed, says so loudly and skips,
    /// unless `POLIS_REQUIRE_BROWSER` is set (`.ci/run` installs it).
    async fn assert_axe_passes(&self, what: &str) {
        let path = std::env::var_os("POLIS_AXE_JS").map_or_else(
            || PathBuf::from("/opt/sitecheck/node/node_modules/axe-core/axe.min.js"),
            PathBuf::from,
        );
        let Ok(axe) = std::fs::read_to_string(&path) else {
            assert!(
                std::env::var_os("POLIS_REQUIRE_BROWSER").is_none(),
                "POLIS_REQUIRE_BROWSER is set, but axe-core is not at {} (POLIS_AXE_JS)",
                path.display()
            );
            eprintln!(
                "
!!!!!!!! SKIPPED axe on {what}: axe-core not at {} (set POLIS_AXE_JS) !!!!!!!!
",
                path.display()
            );
            return;
        };
        self.client
            .execute(&axe, vec![])
            .await
            .expect("axe-core loads in the page");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): ' +
                          v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("axe runs");
        assert_eq!(found, json!([]), "axe on {what}");
    }

    /// Polls the JavaScript `condition` until it is true, for up to [`PATIENCE`].
    /// Errors count as false: the page may be between two documents.
    async fn wait_for(&self, what: &str, condition: &str) {
        self.wait_within(PATIENCE, what, condition).await;
    }

    async fn wait_within(&self, patience: Duration, what: &str, condition: &str) {
        let start = Instant::now();
        let mut last = None;
        while start.elapsed() < patience {
            match self
                .client
                .execute(&format!("return {condition};"), vec![])
                .await
            {
                Ok(Value::Bool(true)) => return,
                Ok(v) => last = Some(format!("{v}")),
                Err(e) => last = Some(format!("error: {e}")),
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let page = self.text().await;
        panic!(
            "timed out after {patience:?} waiting until {what} (`{condition}` was {last:?}); \
             the page says:\n{}",
            page.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
}

/// A Chrome DevTools Protocol command, sent through chromedriver's
/// `goog/cdp/execute` extension.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(program: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(program);
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command.spawn().expect("start chromedriver");
        let driver = Driver { child, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < PATIENCE,
                "chromedriver does not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `name` on the `PATH`.
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Issue 18: the web editor, on a copy of the example site, with Sveltia
/// CMS's in-browser test repository (no network, no account): the
/// collections are there, a municipality guide is filled in through the form
/// in both languages (saving it empty is refused), saved, and the files the
/// CMS wrote, read back from the browser's storage, build and pass
/// `polis check --deny-warnings` in the site.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_guide_made_in_the_editor_builds_and_passes_the_check() {
    in_browser(|b| async move {
        let site = example_copy();
        let server = serve_root(site.path());
        b.open_editor(&server).await;
        b.click_button("Work with Test Repository").await;
        b.wait_for(
            "the collections are listed",
            "document.body.innerText.includes('Expat takeover') && document.body.innerText.includes('Municipalities')",
        )
        .await;
        b.click_button("Create New Entry").await;
        b.wait_for("the form", "document.body.innerText.includes('Creating')")
            .await;

        // Saving the empty form is refused, and nothing is written.
        b.click_button("Save").await;
        b.wait_for(
            "the form says what is missing",
            "document.body.innerText.includes('This field is required.')",
        )
        .await;
        assert_eq!(b.saved_files().await, json!({}));

        b.type_into("Title", "Ski").await;
        b.type_into("Description", "A guide to living in Ski.").await;
        b.choose("Region", "follo").await;
        b.choose("County", "Akershus").await;
        b.type_into("Population", "32000").await;
        b.type_into("Commute minutes", "11").await;
        b.type_into("Area km2", "165.5").await;
        b.type_into("Latitude", "59.72").await;
        b.type_into("Longitude", "10.83").await;
        b.type_into("Website", "https://www.nordre-follo.kommune.no/")
            .await;
        b.type_into("Welcome service", "ski@welcome.example").await;
        b.set_value("Last reviewed", "2026-11-01").await;
        b.click_button("Add Industries").await;
        b.type_into("Industries", "Trade").await;
        // The Norwegian side: only what is translated.
        b.click_role("radio", "Norwegian Bokmål").await;
        b.type_into("Title", "Ski").await;
        b.type_into("Description", "En guide til livet i Ski.").await;
        b.click_button("Add Industries").await;
        b.type_into("Industries", "Handel").await;
        b.click_button("Save").await;
        b.wait_for(
            "the entry is saved",
            "document.body.innerText.includes('Entry saved')",
        )
        .await;

        let files = b.saved_files().await;
        let files = files.as_object().expect("a map of files");
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "content/municipalities/ski/index.md",
                "content/municipalities/ski/index.nb.md"
            ]
        );
        let en = files["content/municipalities/ski/index.md"].as_str().unwrap();
        let nb = files["content/municipalities/ski/index.nb.md"]
            .as_str()
            .unwrap();
        eprintln!("the editor wrote:\n{en}\n{nb}");
        // TOML front matter; shared facts only in the default language's file.
        assert!(en.starts_with("+++\n") && nb.starts_with("+++\n"));
        for shared in ["population = 32000", "region = \"follo\"", "lat = 59.72"] {
            assert!(en.contains(shared), "{shared} missing from\n{en}");
            assert!(!nb.contains(shared), "{shared} repeated in\n{nb}");
        }
        assert!(nb.contains("industries = [ \"Handel\" ]"), "{nb}");

        drop(server);
        for (rel, text) in files {
            let path = site.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text.as_str().unwrap()).unwrap();
        }
        let out = check_and_build(site.path());
        assert!(out.join("en/municipalities/ski/index.html").is_file());
        assert!(
            out.join("nb/kommuner/ski/index.html").is_file()
                || out.join("nb/municipalities/ski/index.html").is_file()
        );
    })
    .await;
}

/// Issue 18, the other half: a contributor's takeover week made in the web
/// editor, as with the guide above. The test repository holds the example's
/// municipality guides, so that the week's municipality is picked from them
/// (a relation). The form is filled in both languages, with the required
/// portrait uploaded from a real photo and described (saving without it is
/// refused); the two pages and the photo the CMS wrote build and pass
/// `polis check --deny-warnings` in the site.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_takeover_week_made_in_the_editor_builds_and_passes_the_check() {
    in_browser(|b| async move {
        let site = example_copy();
        let server = serve_root(site.path());
        b.open_editor(&server).await;
        // The repository holds the example's guides, for the relation.
        let guides = example_files(site.path(), "content/municipalities");
        b.put_files(&guides).await;
        b.click_button("Work with Test Repository").await;
        b.wait_for(
            "the collections are listed",
            "document.body.innerText.includes('Expat takeover')",
        )
        .await;
        b.click_text("Expat takeover").await;
        b.wait_for(
            "the takeover collection is open",
            "document.body.innerText.includes('This collection has no entries yet.')",
        )
        .await;
        b.click_button("Create New Entry").await;
        b.wait_for("the form", "document.body.innerText.includes('Creating')")
            .await;
        b.type_into("Title", "Week 39: Sofia Rossi, nurse in Drammen")
            .await;
        b.type_into(
            "Description",
            "Sofia from Italy on night shifts at the hospital and autumn by the river in Drammen.",
        )
        .await;
        b.type_into("Week", "2026-W39").await;
        b.type_into("Contributor", "Sofia Rossi").await;
        b.type_into("Origin", "Italy").await;
        b.type_into("Occupation", "Nurse").await;
        b.choose("Municipality", "Drammen").await;
        // Without the portrait, which is required, saving is refused.
        b.click_button("Save").await;
        b.wait_for(
            "the form says the portrait is missing",
            "document.body.innerText.includes('This field is required.')",
        )
        .await;
        assert!(
            b.saved_bytes()
                .await
                .keys()
                .all(|path| !path.starts_with("content/takeover/")),
            "a takeover was saved without its portrait"
        );

        // The portrait, a real photo from the example, through the field's
        // file picker, with its description.
        let photo = site
            .path()
            .join("content/takeover/2026-w40-ana-silva/portrait.jpg");
        b.upload("portrait.src", &photo, None).await;
        b.type_into(
            "Description (alt text)",
            "Sofia in her nurse's uniform by the river",
        )
        .await;

        // The Norwegian side: what is said in the page's language.
        b.click_role("radio", "Norwegian Bokmål").await;
        b.type_into("Title", "Uke 39: Sofia Rossi, sykepleier i Drammen")
            .await;
        b.type_into(
            "Description",
            "Sofia fra Italia om nattevakter på sykehuset og høst ved elva i Drammen.",
        )
        .await;
        b.type_into("Origin", "Italia").await;
        b.type_into("Occupation", "Sykepleier").await;
        // The same photo again: the editor sees a file of that name in the
        // page's folder already, and replacing it with itself is right.
        b.upload("portrait.src", &photo, Some("Replace")).await;
        b.type_into(
            "Description (alt text)",
            "Sofia i sykepleieruniform ved elva",
        )
        .await;
        b.click_button("Save").await;
        b.wait_for(
            "the entry is saved",
            "document.body.innerText.includes('Entry saved')",
        )
        .await;

        // What the editor wrote for the takeover (the guides were there).
        let files: std::collections::BTreeMap<String, Vec<u8>> = b
            .saved_bytes()
            .await
            .into_iter()
            .filter(|(path, _)| path.starts_with("content/takeover/"))
            .collect();
        let dir = "content/takeover/week-39-sofia-rossi-nurse-in-drammen";
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                format!("{dir}/index.md"),
                format!("{dir}/index.nb.md"),
                format!("{dir}/portrait.jpg"),
            ]
        );
        // The photo is the one chosen, byte for byte, in the page's folder.
        assert!(
            files[&format!("{dir}/portrait.jpg")] == std::fs::read(&photo).unwrap(),
            "the saved portrait differs from the photo uploaded"
        );
        let en = std::str::from_utf8(&files[&format!("{dir}/index.md")]).unwrap();
        let nb = std::str::from_utf8(&files[&format!("{dir}/index.nb.md")]).unwrap();
        eprintln!("the editor wrote:\n{en}\n{nb}");
        // TOML front matter; shared facts only in the default language's file.
        assert!(en.starts_with("+++\n") && nb.starts_with("+++\n"));
        for shared in [
            "week = \"2026-W39\"",
            "contributor = \"Sofia Rossi\"",
            "municipality = \"drammen\"",
        ] {
            assert!(en.contains(shared), "{shared} missing from\n{en}");
            assert!(!nb.contains(shared), "{shared} repeated in\n{nb}");
        }
        for (text, said) in [
            (en, ["origin = \"Italy\"", "occupation = \"Nurse\""]),
            (nb, ["origin = \"Italia\"", "occupation = \"Sykepleier\""]),
        ] {
            for said in said {
                assert!(text.contains(said), "{said} missing from\n{text}");
            }
            // The portrait is the file beside the page, with its description.
            assert!(
                text.contains("[portrait]\nsrc = \"portrait.jpg\"\nalt = \"Sofia "),
                "{text}"
            );
        }

        drop(server);
        for (rel, bytes) in &files {
            let path = site.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let out = check_and_build(site.path());
        for page in [
            "en/takeover/week-39-sofia-rossi-nurse-in-drammen/index.html",
            "nb/takeover/week-39-sofia-rossi-nurse-in-drammen/index.html",
        ] {
            assert!(out.join(page).is_file(), "{page} was not built");
        }
    })
    .await;
}

/// Issue 18, times: an event made in the editor by someone whose browser
/// runs on New York's clock. The start and end fields say they are typed in
/// Oslo time; the CMS stores 18:00 as typed, without an offset, a TOML local
/// datetime that polis reads on the site's clock: the event's calendar file
/// starts at 17:00 UTC, 18:00 in Oslo in December, not at 18:00 in New York.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_an_event_time_made_in_the_editor_is_the_time_meant_in_oslo() {
    in_browser(|b| async move {
        let site = example_copy();
        let server = serve_root(site.path());
        b.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setTimezoneOverride",
                params: json!({ "timezoneId": "America/New_York" }),
            })
            .await
            .expect("chromedriver runs the CDP command");
        b.open_editor(&server).await;
        assert_eq!(
            b.eval("Intl.DateTimeFormat().resolvedOptions().timeZone")
                .await,
            json!("America/New_York")
        );
        b.click_button("Work with Test Repository").await;
        b.wait_for(
            "the collections are listed",
            "document.body.innerText.includes('Events')",
        )
        .await;
        b.click_text("Events").await;
        b.wait_for(
            "the events collection is open",
            "document.body.innerText.includes('Conferences, welcome evenings')",
        )
        .await;
        b.click_button("Create New Entry").await;
        b.wait_for("the form", "document.body.innerText.includes('Creating')")
            .await;
        b.wait_for(
            "the hint names the clock",
            "document.body.innerText.includes('In Oslo time (Europe/Oslo)')",
        )
        .await;
        b.type_into("Title", "Winter welcome evening").await;
        b.type_into("Description", "Meet other newcomers over coffee at the library.")
            .await;
        b.set_value("Start", "2026-12-10T18:00").await;
        b.set_value("End", "2026-12-10T21:00").await;
        b.type_into("Venue", "Deichman Bjørvika").await;
        b.type_into("Address", "Anne-Cath. Vestlys plass 1, 0150 Oslo")
            .await;
        b.type_into("Organiser", "Oslo Region Alliance").await;
        // Three options: radio buttons, not a list.
        let clicked = b
            .eval(
                "(() => { const el = [...document.querySelectorAll('label, [role=radio], input[type=radio]')] \
                 .find((e) => (e.textContent || e.value || '').trim() === 'en+nb'); \
                 if (!el) return false; el.scrollIntoView({ block: 'center' }); el.click(); return true; })()",
            )
            .await;
        assert_eq!(clicked, json!(true), "no option en+nb");
        b.click_role("radio", "Norwegian Bokmål").await;
        b.type_into("Title", "Velkomstkveld om vinteren").await;
        b.type_into("Description", "Møt andre nyankomne over en kopp kaffe på biblioteket.")
            .await;
        b.type_into("Organiser", "Osloregionen").await;
        b.click_button("Save").await;
        b.wait_for(
            "the entry is saved",
            "document.body.innerText.includes('Entry saved')",
        )
        .await;

        let files = b.saved_files().await;
        let files = files.as_object().expect("a map of files");
        let en = files["content/events/winter-welcome-evening.md"]
            .as_str()
            .unwrap_or_else(|| panic!("{:?}", files.keys()));
        eprintln!("the editor wrote:\n{en}");
        // A TOML local datetime, as typed (Sveltia adds the milliseconds).
        assert!(en.contains("start = 2026-12-10T18:00:00"), "{en}");
        assert!(en.contains("end = 2026-12-10T21:00:00"), "{en}");

        drop(server);
        for (rel, text) in files {
            std::fs::write(site.path().join(rel), text.as_str().unwrap()).unwrap();
        }
        let out = check_and_build(site.path());
        let ics = std::fs::read_to_string(out.join("en/events/winter-welcome-evening/event.ics"))
            .unwrap();
        assert!(ics.contains("DTSTART:20261210T170000Z"), "{ics}");
        assert!(ics.contains("DTEND:20261210T200000Z"), "{ics}");
    })
    .await;
}

/// Issue 18, the sections' own pages: the Live section's `_index.md` and
/// its translation, in the test repository as in the example, are listed
/// once, at the top of the Live collection, opened there, given a weight (once, for both
/// languages) and a new Norwegian title, and saved. The CMS writes both
/// files in TOML between `+++`, the weight in each, and keeps the keys its
/// form does not show (`sort_by`, the Norwegian `slug` and
/// `translated_from`); the site with them builds and passes `polis check
/// --deny-warnings`, and the Norwegian section page has its new title. The
/// home page, a file of "Section pages", is given a new Norwegian title the
/// same way, and keeps its `[extra]` hero.
#[tokio::test(flavor = "multi_thread")]
async fn issue_18_a_section_page_edited_in_the_editor_builds_and_passes_the_check() {
    in_browser(|b| async move {
        let site = example_copy();
        let server = serve_root(site.path());
        b.open_editor(&server).await;
        let mut index = serde_json::Map::new();
        for rel in [
            "content/live/_index.md",
            "content/live/_index.nb.md",
            "content/_index.md",
            "content/_index.nb.md",
        ] {
            let text = std::fs::read_to_string(site.path().join(rel)).unwrap();
            index.insert(rel.into(), json!(text));
        }
        b.put_files(&index).await;
        b.click_button("Work with Test Repository").await;
        b.wait_for(
            "the collections are listed",
            "document.body.innerText.includes('Section pages')",
        )
        .await;
        // The section's page is at the top of its collection, and is not
        // listed again as one of its pages.
        b.click_text("Live").await;
        b.wait_for(
            "the Live collection lists its page",
            "document.body.innerText.includes('Section page')",
        )
        .await;
        let listed = b.eval("document.body.innerText").await;
        assert!(
            listed.as_str().unwrap().contains("which has one entry"),
            "{listed}"
        );
        b.client
            .goto(&format!(
                "{}admin/#/collections/live/entries/_index",
                server.url()
            ))
            .await
            .expect("open the Live section's page");
        b.wait_for("the form", "document.body.innerText.includes('Weight')")
            .await;
        b.type_into("Weight", "3").await;
        b.click_role("radio", "Norwegian Bokmål").await;
        b.set_value("Title", "Å bo i Osloregionen").await;
        b.click_button("Save").await;
        b.wait_for(
            "the entry is saved",
            "document.body.innerText.includes('Entry saved')",
        )
        .await;

        // The home page, a file of "Section pages": its Norwegian title.
        b.client
            .goto(&format!(
                "{}admin/#/collections/section_pages/entries/home",
                server.url()
            ))
            .await
            .expect("open the home page");
        b.wait_for(
            "the home page's form",
            "document.body.innerText.includes('Home page')",
        )
        .await;
        b.click_role("radio", "Norwegian Bokmål").await;
        b.set_value("Title", "Velkommen til Osloregionen").await;
        b.click_button("Save").await;
        let start = Instant::now();
        let files = loop {
            let files = b.saved_files().await;
            if files["content/_index.nb.md"]
                .as_str()
                .is_some_and(|t| t.contains("Velkommen til Osloregionen"))
            {
                break files;
            }
            assert!(start.elapsed() < PATIENCE, "the home page was not saved");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let files = files.as_object().expect("a map of files");
        let home = files["content/_index.nb.md"].as_str().unwrap();
        eprintln!("the editor wrote:\n{home}");
        assert!(home.starts_with("+++\n"), "{home}");
        assert!(
            home.contains("\n[extra]\nhero = "),
            "the hero is kept:\n{home}"
        );
        assert!(!home.contains("weight"), "{home}");

        let en = files["content/live/_index.md"].as_str().unwrap();
        let nb = files["content/live/_index.nb.md"].as_str().unwrap();
        eprintln!("the editor wrote:\n{en}\n{nb}");
        assert!(en.starts_with("+++\n") && nb.starts_with("+++\n"));
        for (text, said) in [
            (
                en,
                &["title = \"Live\"", "weight = 3", "sort_by = \"weight\""][..],
            ),
            (
                nb,
                &[
                    "title = \"Å bo i Osloregionen\"",
                    "weight = 3",
                    "sort_by = \"weight\"",
                    "slug = \"bo\"",
                    "translated_from = ",
                ][..],
            ),
        ] {
            for said in said {
                assert!(text.contains(said), "{said} missing from\n{text}");
            }
        }

        drop(server);
        for (rel, text) in files {
            std::fs::write(site.path().join(rel), text.as_str().unwrap()).unwrap();
        }
        let out = check_and_build(site.path());
        let page = std::fs::read_to_string(out.join("nb/bo/index.html")).unwrap();
        assert!(page.contains("Å bo i Osloregionen"), "{page}");
        let home = std::fs::read_to_string(out.join("nb/index.html")).unwrap();
        assert!(home.contains("Velkommen til Osloregionen"), "{home}");
    })
    .await;
}

/// The text files under `dir` of the site at `root`: path → text.
fn example_files(root: &Path, dir: &str) -> serde_json::Map<String, Value> {
    let mut files = serde_json::Map::new();
    for entry in walkdir::WalkDir::new(root.join(dir)) {
        let entry = entry.expect("walk the folder");
        if entry.path().extension().is_some_and(|e| e == "md") {
            let rel = entry.path().strip_prefix(root).unwrap();
            let text = std::fs::read_to_string(entry.path()).expect("read the page");
            files.insert(rel.to_string_lossy().into_owned(), json!(text));
        }
    }
    files
}

/// A temp copy of the example site (site.toml, content, theme, vendored CMS)
/// whose editor saves into the browser instead of GitHub.
fn example_copy() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temp folder");
    // data/: the map's base, which the site's pages draw.
    for sub in ["content", "themes", "vendor", "data"] {
        copy_dir(&repo.join(sub), &dir.path().join(sub));
    }
    let toml = std::fs::read_to_string(repo.join("site.toml")).expect("site.toml");
    assert!(
        toml.trim_end()
            .ends_with("script = \"vendor/sveltia-cms/sveltia-cms.js\"")
    );
    std::fs::write(
        dir.path().join("site.toml"),
        toml + "backend = \"test-repo\"\n",
    )
    .expect("write site.toml");
    dir
}

fn serve_root(root: &Path) -> Server {
    let mut build = BuildOptions::new(root);
    build.now = "2026-11-23T12:00:00Z".parse().unwrap();
    let (server, first) = Server::start(ServeOptions {
        build,
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        quiet: true,
    })
    .expect("the server starts");
    assert!(
        !first.diagnostics.has_errors(),
        "{:?}",
        first.diagnostics.sorted()
    );
    server
}

/// `polis check --deny-warnings` (the binary, as CI runs it) and a build
/// (photos checked, not encoded: a debug build takes minutes for AVIF);
/// the folder built into.
fn check_and_build(root: &Path) -> PathBuf {
    let check = Command::new(env!("CARGO_BIN_EXE_polis"))
        .args([
            "check",
            "--deny-warnings",
            "--now",
            "2026-11-23T12:00:00Z",
            "--root",
        ])
        .arg(root)
        .output()
        .expect("run polis check");
    assert!(
        check.status.success(),
        "polis check failed:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let mut options = BuildOptions::new(root);
    options.now = "2026-11-23T12:00:00Z".parse().unwrap();
    options.images = polis::pipeline::ImageWork::Skip;
    let mut diags = polis::diag::Diagnostics::default();
    let out = root.join("public");
    let built = polis::build_to_dir(&options, &out, true, &mut diags);
    assert!(built.is_ok() && diags.is_empty(), "{:?}", diags.sorted());
    out
}

/// Finds the form control labelled `label` (the last one, so a list's new
/// item wins over the list), scrolling the form until it is rendered, and
/// marks it `data-test-target` for WebDriver.
const MARK_CONTROL: &str = r#"
const [label, mark] = arguments;
const clean = (s) => s.replace(/[\u2068\u2069]/g, '').trim().replace(/\s*\*$/, '');
const labels = [...document.querySelectorAll('[id$=-label]')].filter((e) => e.offsetParent);
const found = labels.filter((e) => clean(e.textContent) === label).pop();
if (!found) {
  if (labels.length) labels[labels.length - 1].scrollIntoView({ block: 'start' });
  return false;
}
found.scrollIntoView({ block: 'center' });
document.querySelectorAll('[data-test-target]').forEach((e) => e.removeAttribute('data-test-target'));
const control = document.querySelector(`[aria-labelledby="${found.id}"]`);
if (!control) return false;
control.setAttribute('data-test-target', mark);
return true;
"#;

impl Browser {
    /// No live reload: the serve's photos finishing in the background must
    /// not reload the editor halfway through a form.
    async fn without_live_reload(&self) {
        self.preload(
            "window.EventSource = function () { return { addEventListener() {}, close() {} }; };",
        )
        .await;
    }

    /// The web editor of the site `server` serves, without live reload.
    async fn open_editor(&self, server: &Server) {
        self.without_live_reload().await;
        self.client
            .goto(&format!("{}admin/", server.url()))
            .await
            .expect("open the editor");
    }

    async fn mark(&self, label: &str) -> fantoccini::elements::Element {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            let found = self
                .client
                .execute(MARK_CONTROL, vec![json!(label), json!("1")])
                .await
                .expect("run the finder");
            if found == json!(true) {
                return self
                    .client
                    .find(fantoccini::Locator::Css("[data-test-target='1']"))
                    .await
                    .expect("the marked control");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let page = self.eval("document.body.innerText").await;
        panic!("no form field labelled `{label}`:\n{page}");
    }

    /// Types `text` into the field labelled `label`, as a person would.
    async fn type_into(&self, label: &str, text: &str) {
        let field = self.mark(label).await;
        // Something may cover the field for a moment (a popup closing).
        let start = Instant::now();
        while let Err(e) = field.click().await {
            assert!(start.elapsed() < PATIENCE, "focus the field `{label}`: {e}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        field.send_keys(text).await.expect("type into the field");
    }

    /// Sets a date field (typing a date depends on the browser's locale).
    async fn set_value(&self, label: &str, value: &str) {
        let field = self.mark(label).await;
        self.client
            .execute(
                "const [el, v] = arguments; \
                 Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, v); \
                 el.dispatchEvent(new Event('input', { bubbles: true })); \
                 el.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![serde_json::to_value(&field).unwrap(), json!(value)],
            )
            .await
            .expect("set the date");
    }

    /// Picks `option` in the select labelled `label`.
    async fn choose(&self, label: &str, option: &str) {
        self.mark(label)
            .await
            .click()
            .await
            .expect("open the select");
        self.click_role("option", option).await;
    }

    /// Clicks the visible link, option or tab whose text is `name`.
    async fn click_text(&self, name: &str) {
        let script = r#"
const [name] = arguments;
const clean = (s) => (s || '').replace(/[\u2068\u2069]/g, '').replace(/\s+/g, ' ').trim();
const all = [...document.querySelectorAll('a, [role=option], [role=link], [role=tab], [role=menuitem], [role=treeitem], button')];
const el = all.filter((e) => e.offsetParent && (clean(e.textContent) === name || clean(e.dataset.label) === name))
  .sort((a, b) => clean(a.textContent).length - clean(b.textContent).length)[0];
if (!el) return false;
el.scrollIntoView({ block: 'center' });
el.click();
return true;
"#;
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            let clicked = self
                .client
                .execute(script, vec![json!(name)])
                .await
                .expect("run the click");
            if clicked == json!(true) {
                tokio::time::sleep(Duration::from_millis(300)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let seen = self
            .client
            .execute(
                "const [name] = arguments; return [...document.querySelectorAll('*')].filter((e) => e.children.length === 0 && e.textContent.includes(name)).map((e) => { let p = e; for (let i = 0; i < 4 && p.parentElement; i++) p = p.parentElement; return p.outerHTML.slice(0, 1500); });",
                vec![json!(name)],
            )
            .await
            .expect("look for the text");
        panic!("nothing to click named `{name}`; the text is in: {seen}");
    }

    async fn click_button(&self, name: &str) {
        self.click_role("button", name).await;
    }

    /// Clicks the first visible element with `role` whose accessible name
    /// (aria-label or text, without bidi isolates) is `name`.
    async fn click_role(&self, role: &str, name: &str) {
        let script = r#"
const [role, name] = arguments;
const clean = (s) => (s || '').replace(/[\u2068\u2069]/g, '').trim();
const all = [...document.querySelectorAll(role === 'button' ? 'button, [role=button]' : `[role=${role}]`)];
// A button's text may start with its icon's name (`add Add Industries`).
const text = (e) => clean(e.textContent).replace(/\s+/g, ' ');
const el = all.find((e) => e.offsetParent && (clean(e.getAttribute('aria-label')) === name
  || text(e) === name || text(e).endsWith(' ' + name)
  || clean(e.getAttribute('aria-label')).startsWith(name + ' (')));
if (!el) return false;
el.scrollIntoView({ block: 'center' });
el.click();
return true;
"#;
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            let clicked = self
                .client
                .execute(script, vec![json!(role), json!(name)])
                .await
                .expect("run the click");
            if clicked == json!(true) {
                tokio::time::sleep(Duration::from_millis(300)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let seen = self
            .eval("[...document.querySelectorAll('button, [role]')].filter((e) => e.offsetParent).map((e) => e.getAttribute('aria-label') || e.textContent.trim()).join(' | ')")
            .await;
        panic!("no {role} `{name}`; there are: {seen}");
    }

    /// Puts `files` (path → text) into the test repository, as if they had
    /// been saved before; Sveltia reads them when it opens the repository.
    async fn put_files(&self, files: &serde_json::Map<String, Value>) {
        let result = self
            .client
            .execute_async(
                r#"
const [files, done] = arguments;
(async () => {
  let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('sveltia-cms-test', { create: true });
  for (const [path, text] of Object.entries(files)) {
    const parts = path.split('/');
    let d = dir;
    for (const part of parts.slice(0, -1)) d = await d.getDirectoryHandle(part, { create: true });
    const w = await (await d.getFileHandle(parts[parts.length - 1], { create: true })).createWritable();
    await w.write(text);
    await w.close();
  }
  done(true);
})().catch((e) => done(String(e)));
"#,
                vec![Value::Object(files.clone())],
            )
            .await
            .expect("write into the browser's storage");
        assert_eq!(result, json!(true));
    }

    /// Gives the file at `path` to the file picker of the visible field
    /// `key_path` (an image or file widget), as choosing it in the
    /// system's dialog would; `on_conflict` answers the editor's question
    /// when the page's folder has a file of that name already.
    ///
    /// The picker is emptied first: Sveltia keeps one picker per field across
    /// the language tabs and does not empty it after reading, so the same
    /// photo chosen again on the Norwegian side would fire no `change` and be
    /// ignored (in a real Chrome too, when one picks the same file twice).
    async fn upload(&self, key_path: &str, path: &Path, on_conflict: Option<&str>) {
        let selector = format!("section[data-key-path={}]", json!(key_path));
        let found = self
            .client
            .execute(
                "const [sel] = arguments; \
                 const section = [...document.querySelectorAll(sel)].filter((e) => e.offsetParent).pop(); \
                 if (!section) return false; \
                 section.scrollIntoView({ block: 'center' }); \
                 document.querySelectorAll('[data-test-target]').forEach((e) => e.removeAttribute('data-test-target')); \
                 const input = section.querySelector('input[type=file]'); \
                 input.value = ''; \
                 input.setAttribute('data-test-target', 'file'); \
                 return true;",
                vec![json!(selector)],
            )
            .await
            .expect("find the file picker");
        assert_eq!(found, json!(true), "no visible field {key_path}");
        self.client
            .find(Locator::Css("[data-test-target='file']"))
            .await
            .expect("the marked file picker")
            .send_keys(path.to_str().expect("a UTF-8 path"))
            .await
            .expect("give the file to the picker");
        if let Some(answer) = on_conflict {
            self.wait_for(
                "the editor asks about the file of the same name",
                "document.body.innerText.includes('File Name Conflict Resolution')",
            )
            .await;
            self.click_button(answer).await;
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        self.wait_for(
            &format!("the field {key_path} shows {name}"),
            &format!(
                "[...document.querySelectorAll({})].some((e) => e.offsetParent && e.innerText.includes({}))",
                json!(selector),
                json!(name)
            ),
        )
        .await;
    }

    /// What the test repository holds, as bytes: path → contents.
    async fn saved_bytes(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        let files = self
            .client
            .execute_async(
                r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = {};
  const walk = async (dir, prefix) => {
    for await (const [name, h] of dir.entries()) {
      if (h.kind === 'directory') await walk(h, prefix + name + '/');
      else out[prefix + name] = Array.from(new Uint8Array(await (await h.getFile()).arrayBuffer()));
    }
  };
  try {
    const root = await navigator.storage.getDirectory();
    await walk(await root.getDirectoryHandle('sveltia-cms-test'), '');
  } catch (e) {}
  done(out);
})();
"#,
                vec![],
            )
            .await
            .expect("read the browser's storage");
        serde_json::from_value(files).expect("path → bytes")
    }

    /// What the test repository holds: path → text, from the browser's
    /// origin-private file system, where Sveltia's test backend saves.
    async fn saved_files(&self) -> Value {
        self.client
            .execute_async(
                r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = {};
  const walk = async (dir, prefix) => {
    for await (const [name, h] of dir.entries()) {
      if (h.kind === 'directory') await walk(h, prefix + name + '/');
      else out[prefix + name] = await (await h.getFile()).text();
    }
  };
  try {
    const root = await navigator.storage.getDirectory();
    await walk(await root.getDirectoryHandle('sveltia-cms-test'), '');
  } catch (e) {}
  const sorted = {};
  for (const k of Object.keys(out).sort()) sorted[k] = out[k];
  done(sorted);
})();
"#,
                vec![],
            )
            .await
            .expect("read the browser's storage")
    }
}
