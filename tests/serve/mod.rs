//! `polis serve` over real HTTP: a server on an ephemeral port over a temp copy of
//! a fixture site; files are edited, created and deleted, and what is served and
//! which events arrive are checked. Requests are written by hand on a TCP socket
//! so that paths go out exactly as written (`/../`, `%2e%2e`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use polis::BuildOptions;
use polis::serve::{ServeOptions, Server};

use crate::common::{SiteTest, now};

/// Serves `site` on a free port, at the fixed clock, with what its first
/// build reported.
fn start_reporting(site: &SiteTest) -> (Server, polis::serve::FirstBuild) {
    let mut build = BuildOptions::new(site.root());
    build.now = now();
    Server::start(ServeOptions {
        build,
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        quiet: true,
    })
    .expect("the server starts")
}

fn start(site: &SiteTest) -> Server {
    let (server, first) = start_reporting(site);
    assert!(
        !first.diagnostics.has_errors(),
        "{:?}",
        first.diagnostics.sorted()
    );
    server
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.0 request (so the response is never chunked), path sent verbatim.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[])
}

/// The event stream, read event by event.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: SocketAddr) -> Self {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "GET /__polis/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            reader: BufReader::new(s),
        };
        let (name, _) = events.next();
        assert_eq!(name, "hello", "the first event says the stream is open");
        events
    }

    /// The next event: (name, data). Skips keep-alives and chunk framing.
    fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("read an event");
            assert!(n > 0, "the event stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim());
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    }

    /// Reads events until one named `name` satisfies `f`.
    fn until(&mut self, name: &str, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "no `{name}` event in time");
            let (n, data) = self.next();
            if n == name && f(&data) {
                return data;
            }
        }
    }
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, f(text)).expect("write");
}

#[test]
fn serves_the_site_as_a_static_host_would() {
    let site = SiteTest::new("incremental/site");
    let server = start(&site);
    let addr = server.addr;

    let page = get(addr, "/en/live/housing/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.contains("Finding a home"));
    assert!(
        html.contains("<script src=\"/__polis/livereload.js\"></script></body>"),
        "the live-reload script is injected"
    );
    assert!(
        html.contains(&format!("http://{addr}/en/live/housing/")),
        "links go to the served address, not the production base URL"
    );

    let redirect = get(addr, "/en/live/housing?x=1");
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/en/live/housing/?x=1"));

    let css = get(addr, "/css/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        get(addr, "/en/atom.xml").header("content-type"),
        Some("application/xml; charset=utf-8")
    );

    let missing = get(addr, "/en/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("<html"),
        "the site's own 404 page is served"
    );

    let head = request(addr, "HEAD", "/en/live/housing/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");

    let etag = page.header("etag").expect("an ETag").to_string();
    let again = request(
        addr,
        "GET",
        "/en/live/housing/",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let gz = request(
        addr,
        "GET",
        "/en/live/housing/",
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(gz.body.starts_with(&[0x1f, 0x8b]), "a gzip stream");

    let post = request(addr, "POST", "/en/live/housing/", &[]);
    assert_eq!(post.status, 405);
    server.stop();
}

#[test]
fn request_paths_never_reach_files_outside_the_site() {
    let site = SiteTest::new("incremental/site");
    // A secret beside the site root, and a symlink in the content to it.
    let secret = site.temp_path("secret.txt");
    std::fs::write(&secret, "TOP SECRET").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, site.root().join("content/live/link.txt")).unwrap();
    let server = start(&site);
    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/en/..%2F..%2F..%2Fsecret.txt",
        "/..%5C..%5Csecret.txt",
        "/%2e%2e%5csite.toml",
        "//etc/passwd",
        "/etc/passwd",
        "/site.toml",
        "/content/live/housing.md",
        "/en/live/link.txt",
        "/live/link.txt",
    ] {
        let r = get(server.addr, path);
        assert!(
            matches!(r.status, 400 | 404),
            "{path} gave {} {}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains("TOP SECRET"), "{path} leaked a file");
        assert!(!r.text().contains("base_url"), "{path} leaked site.toml");
    }
}

#[test]
fn an_edit_reloads_only_the_pages_it_changed() {
    let site = SiteTest::new("incremental/site");
    let server = start(&site);
    let mut events = Events::open(server.addr);

    let page = site.root().join("content/live/transport.md");
    edit(&page, |t| {
        t.replace("Trains and buses.", "Trains, trams and buses.")
    });
    let data = events.until("reload", |d| d.contains("/en/live/transport/index.html"));
    assert!(
        !data.contains("/en/live/housing/index.html"),
        "an untouched page is not reloaded: {data}"
    );
    assert!(
        get(server.addr, "/en/live/transport/")
            .text()
            .contains("trams")
    );

    // A new page appears in its section's listing. Written whole and renamed
    // into place, as editors save: a file created empty and then filled can
    // be read in between on a loaded machine (CI saw a rebuild of the empty
    // file reload the page before the one with its title).
    let draft = site.root().join("schools.md.new");
    std::fs::write(
        &draft,
        "+++\ntitle = \"Schools\"\ndate = 2026-06-01\n+++\n\nPublic schools are free.\n",
    )
    .unwrap();
    std::fs::rename(&draft, site.root().join("content/live/schools.md")).unwrap();
    events.until("reload", |d| d.contains("/en/live/schools/index.html"));
    assert_eq!(get(server.addr, "/en/live/schools/").status, 200);
    assert!(get(server.addr, "/en/live/").text().contains("Schools"));

    // A deleted page is gone.
    std::fs::remove_file(site.root().join("content/live/schools.md")).unwrap();
    events.until("reload", |d| d.contains("/en/live/schools/index.html"));
    assert_eq!(get(server.addr, "/en/live/schools/").status, 404);

    // A stylesheet edit names the stylesheet, so pages can swap it in place.
    let css = site.theme_dir().join("static/css/style.css");
    edit(&css, |t| t + "\nbody { outline: 1px solid red; }\n");
    let data = events.until("reload", |d| d.contains("/css/style.css"));
    assert!(!data.contains("index.html"), "{data}");
}

#[test]
fn an_edit_s_reload_names_no_file_of_the_search_index() {
    // The index is made apart from a rebuild, after it, and carried along
    // unchanged by the rebuilds made meanwhile: a reload that compared it
    // with the files before named every index file as changed by the first
    // edit after the server started, and each later edit named the files
    // of the index made after the edit before.
    let site = SiteTest::new("search/basic");
    let server = start(&site);
    let mut events = Events::open(server.addr);
    let page = site.root().join("content/live/housing.md");
    for word in ["zebra", "finch"] {
        edit(&page, |t| t + &format!("\nA {word} in the garden.\n"));
        let data = events.until("reload", |d| d.contains("/en/live/housing/index.html"));
        assert!(!data.contains("/pagefind/"), "{data}");
        // The index's own reload, once it is made, names its files.
        events.until("reload", |d| d.contains("/pagefind/"));
    }
}

#[test]
fn a_broken_edit_shows_where_and_keeps_the_last_good_site() {
    let site = SiteTest::new("incremental/site");
    let server = start(&site);
    let mut events = Events::open(server.addr);
    let page = site.root().join("content/live/housing.md");
    let good = std::fs::read_to_string(&page).unwrap();

    edit(&page, |t| t.replacen("title = ", "title = = ", 1));
    let data = events.until("build-error", |_| true);
    let json: serde_json::Value = serde_json::from_str(&data).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["path"], "content/live/housing.md");
    assert_eq!(d["line"], 2);
    assert!(d["column"].as_u64().is_some(), "{d}");
    assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    // The last good page is still served, and a new browser sees the error.
    assert!(
        get(server.addr, "/en/live/housing/")
            .text()
            .contains("Finding a home")
    );
    let mut late = Events::open(server.addr);
    late.until("build-error", |d| d.contains("housing.md"));

    // A missing link target is an error too, at its line and column.
    std::fs::write(&page, good.replace("transport.md#tickets", "nowhere.md")).unwrap();
    let data = events.until("build-error", |d| d.contains("nowhere.md"));
    assert!(data.contains("\"line\":7"), "{data}");

    std::fs::write(
        &page,
        good.replace("Renting comes first.", "Renting is first."),
    )
    .unwrap();
    events.until("build-ok", |_| true);
    events.until("reload", |d| d.contains("/en/live/housing/index.html"));
    assert!(
        get(server.addr, "/en/live/housing/")
            .text()
            .contains("Renting is first.")
    );
}

#[test]
fn many_readers_during_rebuilds_always_get_whole_pages() {
    let site = SiteTest::new("incremental/site");
    let server = start(&site);
    let addr = server.addr;
    let page = site.root().join("content/live/transport.md");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..200)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let path = if i % 2 == 0 {
                    "/en/live/transport/"
                } else {
                    "/en/"
                };
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n == 0 {
                    let r = get(addr, path);
                    assert_eq!(r.status, 200, "{path}");
                    let text = r.text();
                    assert!(text.trim_end().ends_with("</html>"), "a whole page");
                    assert_eq!(text.matches("<html").count(), 1);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut events = Events::open(addr);
    for v in 0..5 {
        edit(&page, |t| format!("{t}\nVersion {v}.\n"));
        events.until("reload", |d| d.contains("/en/live/transport/index.html"));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let served: usize = readers
        .into_iter()
        .map(|r| r.join().expect("no failed request"))
        .sum();
    assert!(served >= 200);
}

#[test]
fn a_taken_port_moves_on_to_the_next_free_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let site = SiteTest::new("incremental/site");
    let mut build = BuildOptions::new(site.root());
    build.now = now();
    let (server, _) = Server::start(ServeOptions {
        build,
        bind: "127.0.0.1".parse().unwrap(),
        port,
        quiet: true,
    })
    .expect("the server starts on another port");
    assert_ne!(server.addr.port(), port);
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert_eq!(get(server.addr, "/en/").status, 200);
}

/// Waits until no event has come for `quiet`.
fn settle(events: &mut Events, quiet: Duration) {
    events
        .reader
        .get_ref()
        .set_read_timeout(Some(quiet))
        .unwrap();
    loop {
        let mut line = String::new();
        match events.reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(_) => break,
        }
    }
}

#[test]
fn a_branch_switch_and_folder_renames_end_in_the_right_site() {
    let site = SiteTest::new("incremental/site");
    let server = start(&site);
    let mut events = Events::open(server.addr);
    let root = site.root().to_path_buf();
    // As `git checkout` does: many files at once, a folder renamed, another
    // created, files deleted, an editor's swap file that must be ignored.
    for i in 0..60 {
        std::fs::write(
            root.join(format!("content/news/item-{i}.md")),
            format!(
                "+++\ntitle = \"Item {i}\"\ndate = 2026-08-{:02}\n+++\n\nItem {i}.\n",
                i % 28 + 1
            ),
        )
        .unwrap();
    }
    std::fs::rename(root.join("content/work"), root.join("content/jobs")).unwrap();
    std::fs::create_dir_all(root.join("content/study")).unwrap();
    std::fs::write(
        root.join("content/study/_index.md"),
        "+++\ntitle = \"Study\"\n+++\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("content/news/day-1.md")).unwrap();
    std::fs::write(root.join("content/news/.day-2.md.swp"), "garbage").unwrap();
    events.until("reload", |_| true);
    settle(&mut events, Duration::from_millis(800));

    let mut options = BuildOptions::new(&root);
    options.now = now();
    options.base_url = Some(format!("http://{}", server.addr));
    // As `serve` builds: plain asset names.
    options.fingerprint_assets = false;
    let fresh = polis::output::MemoryOutput::new();
    let mut diags = polis::diag::Diagnostics::default();
    polis::build(&options, &fresh, &mut diags).expect("a fresh build");
    let fresh = fresh.into_files();
    let served = server.files();
    let mut a: Vec<_> = served.keys().map(|p| p.as_str()).collect();
    let mut b: Vec<_> = fresh
        .keys()
        .map(|p| p.as_str())
        // Image variants not made yet are made when asked for (below).
        .filter(|p| {
            !p.starts_with("img/") || served.contains_key(&polis::model::OutputPath::new(*p))
        })
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "the served files are a fresh build's");
    for (path, bytes) in &fresh {
        match served.get(path) {
            Some(s) => assert!(s == bytes, "{} differs", path.as_str()),
            None => {
                let r = get(server.addr, &format!("/{}", path.as_str()));
                assert_eq!(r.status, 200, "{}", path.as_str());
                assert!(
                    r.body == bytes.bytes().unwrap(),
                    "{} differs",
                    path.as_str()
                );
            }
        }
    }
    // serve holds its pages compressed (issue 16): less memory than their bytes.
    let page = &served[&polis::model::OutputPath::new("en/jobs/guide/index.html")];
    assert!(page.held_len() * 3 < page.bytes().unwrap().len() * 2);
}

/// `polis serve` run as a person runs it, killed when the test ends however it ends.
struct ServeProcess(std::process::Child);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `--root site` from the site's parent folder: the path as people type it.
/// notify reports absolute paths, which a relative root never matched, so no
/// edit was ever seen.
#[test]
fn serve_with_a_relative_root_rebuilds_on_edit() {
    use std::process::{Command, Stdio};

    let site = SiteTest::new("incremental/site");
    let parent = site.root().parent().expect("the site is in a temp folder");
    let child = Command::new(env!("CARGO_BIN_EXE_polis"))
        .args(["serve", "--root", "site", "--port", "0", "--quiet"])
        .current_dir(parent)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run polis serve");
    let mut serve = ServeProcess(child);
    let stdout = serve.0.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read what serve prints");
    let addr: SocketAddr = line
        .strip_prefix("serving the site at http://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("serve printed no address: {line:?}"));
    assert!(
        get(addr, "/en/live/transport/")
            .text()
            .contains("Trains and buses.")
    );

    edit(&site.root().join("content/live/transport.md"), |t| {
        t.replace("Trains and buses.", "Trains, trams and buses.")
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !get(addr, "/en/live/transport/").text().contains("trams") {
        assert!(Instant::now() < deadline, "the edit was never served");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_shows_pages_before_their_images_are_made_and_makes_each_when_asked() {
    let site = crate::images::site();
    let server = start(&site);
    let addr = server.addr;
    // The first build left every variant for later: the page is there, no
    // image file is (the cache was empty).
    let files = server.files();
    assert!(files.contains_key(&polis::model::OutputPath::new(
        "en/places/market/index.html"
    )));
    let made_at_start: Vec<_> = files
        .keys()
        .filter(|p| p.as_str().starts_with("img/"))
        .collect();
    assert!(made_at_start.is_empty(), "{made_at_start:?}");

    let page = get(addr, "/en/places/market/");
    assert_eq!(page.status, 200);
    let html = page.text();
    let mut urls: Vec<String> = crate::common::attr_values(&html, "src")
        .into_iter()
        .chain(
            crate::common::attr_values(&html, "srcset")
                .iter()
                .flat_map(|s| {
                    s.split(", ")
                        .map(|c| c.split(' ').next().unwrap_or("").to_string())
                })
                .collect::<Vec<_>>(),
        )
        .filter(|u| u.contains("/img/"))
        .collect();
    urls.sort();
    urls.dedup();
    assert!(urls.len() >= 9, "every width and format: {urls:?}");
    let mut served = std::collections::BTreeMap::new();
    for url in &urls {
        let path = url.trim_start_matches(&format!("http://{addr}"));
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let ext = path.rsplit('.').next().unwrap_or_default();
        let mime = r.header("content-type").unwrap_or_default().to_string();
        assert_eq!(
            mime,
            mime_guess::from_ext(ext)
                .first_or_octet_stream()
                .to_string(),
            "{path}"
        );
        if ext == "avif" {
            assert_eq!(&r.body[4..12], b"ftypavif", "{path}");
        } else {
            let img = image::load_from_memory(&r.body).expect("a real image");
            let width: u32 = path
                .rsplit('-')
                .next()
                .and_then(|s| s.split('.').next())
                .and_then(|w| w.parse().ok())
                .expect("the width in the name");
            assert_eq!(img.width(), width, "{path}");
        }
        served.insert(path.trim_start_matches('/').to_string(), r.body);
    }
    server.stop();

    // A build from an empty cache of its own makes the same bytes: what a
    // browser got from serve is what the published site has.
    let cache = site.temp_path("cold-cache");
    site.build_with(|o| o.cache_dir = Some(cache.clone()))
        .assert_clean();
    for (path, bytes) in &served {
        assert!(
            site.read_bytes(path) == *bytes,
            "{path}: served bytes differ from the build's"
        );
    }
}

#[test]
fn stop_leaves_no_image_work_behind_to_write_to_the_cache() {
    let site = crate::images::site();
    let server = start(&site);
    // The first build left every variant to the background maker.
    server.stop();
    let cache = site.root().join(".polis-cache");
    let at_stop = crate::common::list_files(&cache);
    // Making this site's variants takes seconds; before the fix, a maker left
    // running wrote more of them here after `stop` had returned.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(
        crate::common::list_files(&cache) == at_stop,
        "written to the cache after stop"
    );
}

#[test]
fn serve_reports_a_damaged_photo_as_the_build_does() {
    let site = crate::images::site();
    site.write(
        "content/places/market/photos/broken.jpg",
        b"\xff\xd8\xff\xe0 this is no JPEG after all",
    );
    site.write(
        "content/places/market/index.md",
        "+++\ntitle = \"Market\"\n+++\n\n![Broken](photos/broken.jpg)\n\n![Stalls](photos/market.jpg)\n",
    );
    let built = site.build();
    built.assert_failed();
    let (server, first) = start_reporting(&site);
    let served: Vec<String> = first
        .diagnostics
        .sorted()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        served.iter().any(|d| d.contains("broken.jpg")),
        "{served:?}"
    );
    assert_eq!(served, built.diagnostics);
    server.stop();
}
