//! A tiny HTTP server on 127.0.0.1 for `--external`: slow, failing,
//! redirecting and rate-limiting answers, and a record of what was asked.
//! It stops when the test drops it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// (method, path) of every request, in arrival order.
    pub requests: Vec<(String, String)>,
    pub total: usize,
    /// Requests to `/pause/…` being answered at once (the others may outlive
    /// the client that gave up on them).
    pub concurrent: usize,
    pub max_concurrent: usize,
}

impl Stats {
    pub fn hits(&self, path: &str) -> usize {
        self.requests.iter().filter(|(_, p)| p == path).count()
    }

    pub fn methods(&self, path: &str) -> Vec<&str> {
        self.requests
            .iter()
            .filter(|(_, p)| p == path)
            .map(|(m, _)| m.as_str())
            .collect()
    }
}

pub struct TestServer {
    port: u16,
    stop: Arc<AtomicBool>,
    stats: Arc<Mutex<Stats>>,
}

impl TestServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(Mutex::new(Stats::default()));
        let (s, st) = (stop.clone(), stats.clone());
        std::thread::spawn(move || {
            // Bounded: a test makes a few dozen requests at most.
            for stream in listener.incoming().take(500) {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let st = st.clone();
                std::thread::spawn(move || serve(stream, &st));
            }
        });
        TestServer { port, stop, stats }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, stats: &Mutex<Stats>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() || first.is_empty() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let paused = path.starts_with("/pause/");
    let seen = {
        let mut s = stats.lock().unwrap();
        s.requests.push((method.clone(), path.clone()));
        s.total += 1;
        if paused {
            s.concurrent += 1;
            s.max_concurrent = s.max_concurrent.max(s.concurrent);
        }
        s.hits(&path)
    };
    let (status, headers): (&str, Vec<String>) = match path.as_str() {
        "/ok" => ("200 OK", vec![]),
        "/missing" => ("404 Not Found", vec![]),
        "/slow" => {
            std::thread::sleep(Duration::from_millis(2500));
            ("200 OK", vec![])
        }
        "/redirect" => ("301 Moved Permanently", vec!["Location: /ok".to_string()]),
        "/limited" if seen == 1 => ("429 Too Many Requests", vec!["Retry-After: 1".to_string()]),
        "/limited" => ("200 OK", vec![]),
        "/no-head" if method == "HEAD" => ("405 Method Not Allowed", vec![]),
        "/no-head" => ("200 OK", vec![]),
        "/error" => ("500 Internal Server Error", vec![]),
        p if p.starts_with("/pause/") => {
            std::thread::sleep(Duration::from_millis(150));
            ("200 OK", vec![])
        }
        _ => ("404 Not Found", vec![]),
    };
    let mut out = stream;
    let mut response = format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n");
    for h in headers {
        response.push_str(&h);
        response.push_str("\r\n");
    }
    response.push_str("\r\n");
    if method != "HEAD" {
        response.push_str("ok");
    }
    let _ = out.write_all(response.as_bytes());
    let _ = out.flush();
    if paused {
        stats.lock().unwrap().concurrent -= 1;
    }
}
