//! Servers for the integration tests: the real Pushgateway (and Prometheus) on free loopback
//! ports, stopped on drop; and a scripted loopback HTTP server for the faults a real gateway
//! cannot produce on demand (503s, a hang, a 400).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::tools::{PROMETHEUS, PUSHGATEWAY};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed (and reaped) on drop, whatever happens in the test.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's scratch directory: held only to be removed once the server is stopped.
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn wait_ready(mut self, path: &str, auth: Option<(&str, &str)>) -> Self {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::blocking::Client::new();
        loop {
            let mut req = client.get(format!("{}{path}", self.url));
            if let Some((u, p)) = auth {
                req = req.basic_auth(u, Some(p));
            }
            if req.send().is_ok_and(|r| r.status().is_success()) {
                return self;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited early with {status}");
            }
            assert!(Instant::now() < deadline, "server at {} not ready in 30 s", self.url);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The real Pushgateway, optionally with a `--web.config.file` (basic auth); `None` when it
    /// is not installed (the test is skipped: see `tools`).
    pub fn pushgateway(web_config: Option<&str>, auth: Option<(&str, &str)>) -> Option<Self> {
        let bin = PUSHGATEWAY.find()?;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cmd = Command::new(bin);
        cmd.arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--persistence.file=")
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(text) = web_config {
            let path = dir.path().join("web.yml");
            std::fs::write(&path, text).unwrap();
            cmd.arg(format!("--web.config.file={}", path.display()));
        }
        let child = cmd.spawn().expect("start pushgateway");
        Some(Self { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }.wait_ready("/-/ready", auth))
    }

    /// The real Prometheus with `config` (a prometheus.yml text) and the files to place beside
    /// it; `None` when it is not installed (the test is skipped).
    pub fn prometheus(config: &str, files: &[(&str, &Path)]) -> Option<Self> {
        let bin = PROMETHEUS.find()?;
        let dir = tempfile::tempdir().unwrap();
        for (name, src) in files {
            let dest = dir.path().join(name);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(src, dest).unwrap();
        }
        std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
        Some(Self::start_prometheus(&bin, dir, &[]))
    }

    /// Starts Prometheus (`bin`) on `dir`'s `prometheus.yml` and `data/`, with `extra` flags.
    fn start_prometheus(bin: &Path, dir: tempfile::TempDir, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(bin)
            .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=warn")
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus");
        Self { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }.wait_ready("/-/ready", None)
    }
}

impl Server {
    /// The real Prometheus serving the TSDB blocks in `blocks` (as `promtool tsdb
    /// create-blocks-from` writes them), with a retention long enough to keep them all: time
    /// retention counts back from the newest block, and the default 15 days would delete the
    /// older ones at startup. `None` when Prometheus is not installed (the test is skipped).
    pub fn prometheus_on_blocks(blocks: &Path) -> Option<Self> {
        let bin = PROMETHEUS.find()?;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        for entry in std::fs::read_dir(blocks).unwrap() {
            let entry = entry.unwrap();
            copy_dir(&entry.path(), &data.join(entry.file_name()));
        }
        std::fs::write(dir.path().join("prometheus.yml"), "global:\n  scrape_interval: 1m\n").unwrap();
        Some(Self::start_prometheus(&bin, dir, &["--storage.tsdb.retention.time=100y"]))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// One scripted answer of the fake gateway.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer with this status and body.
    Status(u16, &'static str),
    /// Read the request, then never answer (until the test ends).
    Hang,
}

/// A loopback HTTP server answering requests from a script; the last reply repeats.
pub struct FakeGateway {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Requests received.
    pub hits: Arc<AtomicUsize>,
    /// Request lines received (method and path).
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    port: u16,
    handle: Option<JoinHandle<()>>,
}

impl FakeGateway {
    /// Starts serving `script`.
    pub fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, r, s) = (hits.clone(), requests.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let n = h.fetch_add(1, Ordering::SeqCst);
                let line = read_request(&mut stream);
                r.lock().unwrap().push(line);
                match script.get(n).or(script.last()).cloned().unwrap_or(Reply::Status(200, "")) {
                    Reply::Hang => held.push(stream),
                    Reply::Status(code, body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                }
            }
        });
        Self { url: format!("http://127.0.0.1:{port}"), hits, requests, stop, port, handle: Some(handle) }
    }
}

fn read_request(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    first.trim().to_owned()
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
