//! `check --external`: asks the server of every external link whether the page
//! is there. Never on by default, since it depends on other people's servers.
//!
//! Polite and repeatable: at most `per_host` requests at once to one host, a
//! timeout on each, retries with backoff that honour `Retry-After`, `HEAD` first
//! and `GET` when a server refuses `HEAD`. Answers are kept in `links.json` in
//! the cache folder (`.polis-cache/` unless `[images] cache_dir`, `--cache-dir`
//! or `POLIS_CACHE_DIR` say otherwise; a good answer for a day, a bad one for
//! an hour), so the next run asks only about what is new or stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::lint::ExternalLink;
use crate::diag::Diagnostic;

/// How to ask; [`Settings::default`] is what `--external` uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// For one request, connecting and reading included.
    pub timeout: Duration,
    /// Requests at once to one host.
    pub per_host: usize,
    /// Hosts asked at once.
    pub hosts: usize,
    /// Further tries after a timeout, a refused connection, a 429 or a 5xx.
    pub retries: u32,
    /// The first wait before a retry; doubled on each one.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; a server asking for more is
    /// reported as refusing.
    pub max_retry_after: Duration,
    /// How long a good answer is kept in the cache.
    pub ok_ttl: Duration,
    /// How long a bad answer is kept in the cache.
    pub failed_ttl: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(10),
            per_host: 2,
            hosts: 8,
            retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(30),
            ok_ttl: Duration::from_secs(24 * 3600),
            failed_ttl: Duration::from_secs(3600),
        }
    }
}

/// The cache file, in the cache folder.
pub const CACHE_FILE: &str = "links.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Answer {
    /// Unix seconds of the answer.
    checked: i64,
    /// The final status after redirects, when a server answered.
    status: Option<u16>,
    /// Why the link is broken; `None` when it is fine.
    problem: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    links: BTreeMap<String, Answer>,
}

/// Checks the links' addresses (each once, whatever number of pages use it) and
/// returns a warning at every use of a broken one.
pub fn check_links(
    cache_dir: &Path,
    links: &[ExternalLink],
    settings: &Settings,
) -> Vec<Diagnostic> {
    let cache_path = cache_dir.join(CACHE_FILE);
    let mut cache = read_cache(&cache_path);
    let now = jiff::Timestamp::now().as_second();
    let fresh = |a: &Answer| {
        let ttl = if a.problem.is_none() {
            settings.ok_ttl
        } else {
            settings.failed_ttl
        };
        now.saturating_sub(a.checked) < ttl.as_secs() as i64 && a.checked <= now
    };
    let urls: BTreeSet<&str> = links.iter().map(|l| without_fragment(&l.url)).collect();
    let mut by_host: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for url in urls {
        if cache.links.get(url).is_some_and(fresh) {
            continue;
        }
        by_host.entry(host_of(url)).or_default().push(url);
    }
    let answers = ask_all(by_host, settings, now);
    cache.version = 1;
    cache.links.extend(answers);
    // A cache that cannot be written costs the next run time, not this one its
    // result.
    write_cache(&cache_path, &cache);

    let mut diags = Vec::new();
    for link in links {
        let Some(problem) = cache
            .links
            .get(without_fragment(&link.url))
            .and_then(|a| a.problem.as_deref())
        else {
            continue;
        };
        diags.push(
            Diagnostic::warning(
                &link.file,
                Some(link.pos),
                format!("the external link `{}` is broken: {problem}", link.url),
            )
            .with_help("correct the address or remove the link; if the site is only down for now, check again later")
            .with_code("link-external"),
        );
    }
    diags
}

fn without_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(u, _)| u)
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
        })
        .unwrap_or_default()
}

/// The answers of earlier runs; none when there are none, or they cannot be
/// read (the cache only saves time).
fn read_cache(path: &Path) -> Cache {
    crate::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Cache>(&b).ok())
        .filter(|c| c.version == 1)
        .unwrap_or_default()
}

/// Saves the answers for the next run; a cache that cannot be saved costs only
/// time, so a failure goes unreported.
fn write_cache(path: &Path, cache: &Cache) {
    if let Some(dir) = path.parent() {
        let _ = crate::fs::create_dir_all(dir);
    }
    if let Ok(json) = serde_json::to_vec_pretty(cache) {
        let _ = crate::fs::write_atomic(path, &json);
    }
}

/// Asks every host's addresses: `settings.hosts` hosts at once, and within
/// a host `settings.per_host` requests at once.
fn ask_all(
    by_host: BTreeMap<String, Vec<&str>>,
    settings: &Settings,
    now: i64,
) -> Vec<(String, Answer)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("polis-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let hosts = Mutex::new(by_host.into_values().collect::<Vec<_>>());
    let answers = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..settings.hosts.max(1) {
            s.spawn(|| {
                loop {
                    let Some(urls) = lock(&hosts).pop() else {
                        break;
                    };
                    let queue = Mutex::new(urls);
                    std::thread::scope(|s| {
                        for _ in 0..settings.per_host.max(1) {
                            s.spawn(|| {
                                loop {
                                    let Some(url) = lock(&queue).pop() else {
                                        break;
                                    };
                                    let (status, problem) = ask(&agent, url, settings);
                                    let answer = Answer {
                                        checked: now,
                                        status,
                                        problem,
                                    };
                                    lock(&answers).push((url.to_string(), answer));
                                }
                            });
                        }
                    });
                }
            });
        }
    });
    answers.into_inner().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One address, with retries: the status it last answered, and what is wrong
/// with it (`None` when it is fine).
fn ask(agent: &ureq::Agent, url: &str, settings: &Settings) -> (Option<u16>, Option<String>) {
    let mut wait = settings.backoff;
    let mut tries = 0;
    loop {
        let outcome = request(agent, url);
        let retry_after = match &outcome {
            Outcome::Status(s, after) if *s == 429 || *s >= 500 => Some(*after),
            Outcome::Failed(_, transient) if *transient => Some(None),
            _ => None,
        };
        match retry_after {
            Some(after) if tries < settings.retries => {
                let pause = after.unwrap_or(wait);
                if pause > settings.max_retry_after {
                    return (
                        outcome.status(),
                        Some(format!(
                            "the server asks to wait {} s before asking again",
                            seconds(pause)
                        )),
                    );
                }
                std::thread::sleep(pause);
                wait *= 2;
                tries += 1;
            }
            _ => return outcome.verdict(settings),
        }
    }
}

enum Outcome {
    /// A status, with what `Retry-After` asked for.
    Status(u16, Option<Duration>),
    /// No answer: why, and whether it may be worth asking again.
    Failed(String, bool),
}

impl Outcome {
    fn status(&self) -> Option<u16> {
        match self {
            Outcome::Status(s, _) => Some(*s),
            Outcome::Failed(..) => None,
        }
    }

    fn verdict(self, settings: &Settings) -> (Option<u16>, Option<String>) {
        let problem = match &self {
            Outcome::Status(s, _) if (200..400).contains(s) => None,
            Outcome::Status(s, _) => Some(format!("the server answered {}", status_text(*s))),
            Outcome::Failed(why, _) if why == "timeout" => Some(format!(
                "the server did not answer within {} s",
                seconds(settings.timeout)
            )),
            Outcome::Failed(why, _) => Some(why.clone()),
        };
        (self.status(), problem)
    }
}

/// `HEAD`, and `GET` when the server does not do `HEAD` properly.
fn request(agent: &ureq::Agent, url: &str) -> Outcome {
    let head = send(agent.head(url).call());
    match head {
        Outcome::Status(403 | 404 | 405 | 501, _) => send(agent.get(url).call()),
        other => other,
    }
}

fn send(result: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Outcome {
    match result {
        Ok(response) => {
            let after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Outcome::Status(response.status().as_u16(), after)
        }
        Err(ureq::Error::Timeout(_)) => Outcome::Failed("timeout".into(), true),
        Err(ureq::Error::HostNotFound) => {
            Outcome::Failed("there is no server by that name".into(), false)
        }
        Err(ureq::Error::TooManyRedirects) => {
            Outcome::Failed("it redirects too many times (a loop?)".into(), false)
        }
        Err(ureq::Error::Io(e)) => Outcome::Failed(format!("the connection failed: {e}"), true),
        Err(ureq::Error::ConnectionFailed) => Outcome::Failed("the connection failed".into(), true),
        Err(e) => Outcome::Failed(format!("the request failed: {e}"), false),
    }
}

/// `10`, `0.8`: seconds for a message.
fn seconds(d: Duration) -> String {
    let s = format!("{:.1}", d.as_secs_f64());
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

fn status_text(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if reason.is_empty() {
        status.to_string()
    } else {
        format!("{status} {reason}")
    }
}
