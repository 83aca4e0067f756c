//! A small Chrome DevTools Protocol driver: starts Debian's headless Chromium, opens each
//! page in a browser context of its own (an empty cache), and records what the page did:
//! console errors, exceptions, every request with its status and bytes on the wire.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// How long Chromium may take to start, a command to be answered, a page to load.
const START: Duration = Duration::from_secs(30);
const COMMAND: Duration = Duration::from_secs(30);
const LOAD: Duration = Duration::from_secs(30);
/// How long a condition a test waits for may take to become true.
const CONDITION: Duration = Duration::from_secs(15);

/// `$QANTAR_TEST_CHROMIUM`, else Debian's `/usr/bin/chromium`; a test that needs it fails
/// when it is missing rather than passing without a browser.
pub fn chromium_path() -> PathBuf {
    let path = std::env::var_os("QANTAR_TEST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "no Chromium at {} (install Debian's `chromium` or set QANTAR_TEST_CHROMIUM): \
         the browser tests cannot run without it",
        path.display()
    );
    path
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;
type Sessions = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Value>>>>;

/// A running headless Chromium; killed, and its profile removed, on drop.
pub struct Browser {
    child: Child,
    conn: Connection,
    /// Declared after `child`, but removed only once `drop` has killed the process.
    _profile: tempfile::TempDir,
}

/// The one WebSocket to the browser; page sessions are multiplexed over it (flatten).
#[derive(Clone)]
struct Connection {
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    sessions: Sessions,
    next: Arc<AtomicU64>,
}

impl Browser {
    /// Starts Chromium headless on a free DevTools port and connects to it.
    pub async fn launch() -> Browser {
        let profile = tempfile::Builder::new()
            .prefix("qantar-chromium-")
            .tempdir()
            .unwrap();
        let mut child = Command::new(chromium_path())
            .args([
                "--headless",
                // CI runs as root, where Chromium's sandbox refuses to start; the browser
                // only ever opens the test's own pages on 127.0.0.1.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                // Without these Chromium calls Google's hosts at start.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Chromium starts");
        let url = devtools_url(&mut child).await;
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot connect to Chromium's DevTools at {url}: {e}"));
        Browser {
            child,
            conn: Connection::open(ws),
            _profile: profile,
        }
    }

    /// A new tab in a browser context of its own: no cache, no cookies from other pages.
    pub async fn page(&self) -> Page {
        let conn = self.conn.clone();
        let context = conn
            .call(None, "Target.createBrowserContext", json!({}))
            .await["browserContextId"]
            .as_str()
            .expect("a browser context id")
            .to_string();
        let target = conn
            .call(
                None,
                "Target.createTarget",
                json!({"url": "about:blank", "browserContextId": context}),
            )
            .await["targetId"]
            .as_str()
            .expect("a target id")
            .to_string();
        let session = conn
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target, "flatten": true}),
            )
            .await["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        let (tx, events) = mpsc::unbounded_channel();
        conn.sessions.lock().unwrap().insert(session.clone(), tx);
        let page = Page {
            conn,
            context,
            session,
            events,
            record: Record::default(),
            scripts_off: false,
        };
        for domain in ["Page", "Runtime", "Network", "Log"] {
            page.call(&format!("{domain}.enable"), json!({})).await;
        }
        page
    }
}

impl Drop for Browser {
    /// Asks Chromium to close, so its helper processes are gone before the profile is
    /// removed; kills it if it has not exited within five seconds.
    fn drop(&mut self) {
        self.conn.send_and_forget("Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads Chromium's stderr until it names its DevTools address; keeps draining it after.
async fn devtools_url(child: &mut Child) -> String {
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, mut lines) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut said = Vec::new();
    let deadline = tokio::time::Instant::now() + START;
    loop {
        match tokio::time::timeout_at(deadline, lines.recv()).await {
            Ok(Some(line)) => {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_string();
                }
                said.push(line);
            }
            Ok(None) => panic!(
                "Chromium exited before listening for DevTools:\n{}",
                said.join("\n")
            ),
            Err(_) => panic!(
                "Chromium did not listen for DevTools within {START:?}:\n{}",
                said.join("\n")
            ),
        }
    }
}

impl Connection {
    fn open<S>(ws: tokio_tungstenite::WebSocketStream<S>) -> Connection
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sink, mut stream) = ws.split();
        let (out, mut outgoing) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let sessions: Sessions = Arc::default();
        let (p, s) = (Arc::clone(&pending), Arc::clone(&sessions));
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if let Some(id) = value.get("id").and_then(Value::as_u64) {
                    if let Some(reply) = p.lock().unwrap().remove(&id) {
                        let _ = reply.send(value);
                    }
                } else if let Some(session) = value.get("sessionId").and_then(Value::as_str)
                    && let Some(events) = s.lock().unwrap().get(session)
                {
                    let _ = events.send(value);
                }
            }
            // The browser is gone: every caller still waiting hears so at once.
            p.lock().unwrap().clear();
            s.lock().unwrap().clear();
        });
        Connection {
            out,
            pending,
            sessions,
            next: Arc::new(AtomicU64::new(1)),
        }
    }

    /// Sends one command and waits for its answer; a protocol error fails the test.
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = session.into();
        }
        self.out
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|_| panic!("the DevTools connection closed before {method}"));
        let reply = tokio::time::timeout(COMMAND, rx)
            .await
            .unwrap_or_else(|_| panic!("Chromium did not answer {method} within {COMMAND:?}"))
            .unwrap_or_else(|_| panic!("the DevTools connection closed during {method}"));
        if let Some(error) = reply.get("error") {
            panic!("{method} failed: {error}");
        }
        reply["result"].clone()
    }

    /// Sends a command without waiting for its answer (for `Drop`).
    fn send_and_forget(&self, method: &str, params: Value) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let message = json!({"id": id, "method": method, "params": params});
        let _ = self.out.send(Message::text(message.to_string()));
    }
}

/// One request a page made.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub url: String,
    pub status: Option<u64>,
    /// Bytes on the wire, headers included, once it finished.
    pub bytes: Option<u64>,
    pub failed: Option<String>,
}

impl Request {
    fn done(&self) -> bool {
        self.bytes.is_some() || self.failed.is_some()
    }

    /// On this machine's loopback: 127.0.0.1, or no network at all (data:, blob:).
    pub fn is_local(&self) -> bool {
        self.url.starts_with("http://127.0.0.1:")
            || self.url.starts_with("http://127.0.0.1/")
            || self.url.starts_with("data:")
            || self.url.starts_with("blob:")
    }
}

/// What a page did since it was last navigated.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Console errors and failed assertions, uncaught exceptions, browser log errors.
    pub errors: Vec<String>,
    /// Every request, in the order sent; a redirect is a request of its own.
    pub requests: Vec<Request>,
}

impl Record {
    /// Every way the page went wrong, one line each: errors, failed requests, HTTP
    /// errors, requests that left 127.0.0.1.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.errors.clone();
        for r in &self.requests {
            if let Some(why) = &r.failed {
                problems.push(format!("request failed ({why}): {}", r.url));
            }
            if let Some(status) = r.status.filter(|s| *s >= 400) {
                problems.push(format!("HTTP {status}: {}", r.url));
            }
            if !r.is_local() {
                problems.push(format!("request outside 127.0.0.1: {}", r.url));
            }
        }
        problems
    }

    fn note(&mut self, method: &str, params: &Value) {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        match method {
            "Runtime.consoleAPICalled" => {
                let kind = text(&params["type"]);
                if kind == "error" || kind == "assert" {
                    let args: Vec<String> = params["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| match &a["value"] {
                            Value::String(s) => s.clone(),
                            Value::Null => text(&a["description"]),
                            v => v.to_string(),
                        })
                        .collect();
                    self.errors
                        .push(format!("console.{kind}: {}", args.join(" ")));
                }
            }
            "Runtime.exceptionThrown" => {
                let d = &params["exceptionDetails"];
                let what = d["exception"]["description"]
                    .as_str()
                    .unwrap_or_else(|| d["text"].as_str().unwrap_or("?"));
                self.errors.push(format!("uncaught exception: {what}"));
            }
            "Log.entryAdded" if params["entry"]["level"] == "error" => {
                let e = &params["entry"];
                self.errors.push(format!(
                    "log ({}): {} {}",
                    text(&e["source"]),
                    text(&e["text"]),
                    text(&e["url"])
                ));
            }
            "Network.requestWillBeSent" => self.requests.push(Request {
                id: text(&params["requestId"]),
                url: text(&params["request"]["url"]),
                status: None,
                bytes: None,
                failed: None,
            }),
            "Network.responseReceived" => {
                if let Some(r) = self.last(&params["requestId"]) {
                    r.status = params["response"]["status"].as_u64();
                }
            }
            "Network.loadingFinished" => {
                if let Some(r) = self.last(&params["requestId"]) {
                    r.bytes = params["encodedDataLength"].as_f64().map(|b| b as u64);
                }
            }
            "Network.loadingFailed" => {
                if let Some(r) = self.last(&params["requestId"]) {
                    r.failed = Some(text(&params["errorText"]));
                }
            }
            _ => {}
        }
    }

    /// The latest request of an id (a redirect reuses its id for the next hop).
    fn last(&mut self, id: &Value) -> Option<&mut Request> {
        let id = id.as_str()?;
        self.requests.iter_mut().rev().find(|r| r.id == id)
    }
}

/// One tab, in its own browser context; the context is disposed of on drop.
pub struct Page {
    conn: Connection,
    context: String,
    session: String,
    events: mpsc::UnboundedReceiver<Value>,
    /// What the page did since the last `goto`.
    pub record: Record,
    /// Set by `without_javascript`.
    scripts_off: bool,
}

impl Page {
    async fn call(&self, method: &str, params: Value) -> Value {
        self.conn.call(Some(&self.session), method, params).await
    }

    /// Takes in the events that arrived so far.
    fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.note(&event);
        }
    }

    fn note(&mut self, event: &Value) {
        if let Some(method) = event["method"].as_str() {
            self.record.note(method, &event["params"]);
        }
    }

    /// Waits for the next event and takes it in; `None` at the deadline.
    async fn next_event(&mut self, deadline: tokio::time::Instant) -> Option<Value> {
        let event = tokio::time::timeout_at(deadline, self.events.recv())
            .await
            .ok()?
            .expect("the DevTools connection is open");
        self.note(&event);
        Some(event)
    }

    /// Opens `url` afresh and waits for its load event and for every request it started
    /// by then to finish; the record starts over.
    pub async fn goto(&mut self, url: &str) {
        self.drain();
        self.record = Record::default();
        let deadline = tokio::time::Instant::now() + LOAD;
        let answer = self.call("Page.navigate", json!({"url": url})).await;
        if let Some(error) = answer["errorText"].as_str() {
            panic!("{url} did not open: {error}");
        }
        loop {
            match self.next_event(deadline).await {
                Some(event) if event["method"] == "Page.loadEventFired" => break,
                Some(_) => {}
                None => panic!(
                    "{url} did not fire its load event within {LOAD:?}; requests so far: {:#?}",
                    self.record.requests
                ),
            }
        }
        // What layout starts after the load event (a web font for a glyph, a lazy image
        // near the screen) belongs to the first load too: two frames, then the fonts.
        // Without scripts no frame callback runs, and no image is lazy.
        if !self.scripts_off {
            self.eval(
                "(async () => { await new Promise(r => requestAnimationFrame(() => \
                 requestAnimationFrame(r))); await document.fonts.ready; })()",
            )
            .await;
        }
        self.settle(deadline).await;
    }

    /// Waits until no request is in flight (a script's late fetch, an image a script set).
    pub async fn settle(&mut self, deadline: tokio::time::Instant) {
        self.drain();
        while self.record.requests.iter().any(|r| !r.done()) {
            if self.next_event(deadline).await.is_none() {
                let open: Vec<&Request> =
                    self.record.requests.iter().filter(|r| !r.done()).collect();
                panic!("requests still open after the load event: {open:#?}");
            }
        }
    }

    /// The value of a JavaScript expression in the page (promises awaited); an
    /// exception fails the test.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let answer = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        self.drain();
        if let Some(details) = answer.get("exceptionDetails") {
            panic!("{expression} threw: {details}");
        }
        answer["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page, asking again every 50 ms.
    pub async fn wait_until(&mut self, expression: &str) {
        let deadline = Instant::now() + CONDITION;
        while self.eval(expression).await != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "{expression} did not become true within {CONDITION:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Loads the images a page leaves lazy (below the first screen) and waits until every
    /// image and request is done, so a broken one anywhere on the page is seen.
    pub async fn load_every_image(&mut self) {
        self.eval(
            "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')",
        )
        .await;
        self.wait_until("[...document.images].every(i => i.complete)")
            .await;
        self.settle(tokio::time::Instant::now() + LOAD).await;
    }

    /// A phone's screen: 390 × 844 CSS pixels, touch, a mobile viewport, at twice the
    /// pixel density (so the screenshots are as sharp as a phone's).
    pub async fn phone(&self) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
        self.call(
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": true, "maxTouchPoints": 5}),
        )
        .await;
    }

    /// Runs `source` in every document this page opens, before the page's own scripts:
    /// for what a host (Telegram) puts into the pages it shows.
    pub async fn before_every_document(&self, source: &str) {
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": source}),
        )
        .await;
    }

    /// Turns the page's own scripts off (DevTools' `Runtime.evaluate` still works).
    pub async fn without_javascript(&mut self) {
        self.call(
            "Emulation.setScriptExecutionDisabled",
            json!({"value": true}),
        )
        .await;
        self.scripts_off = true;
    }

    /// What the viewport shows, saved as `target/browser-artifacts/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let shot = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 PNG");
        let path = artifacts().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.conn.sessions.lock().unwrap().remove(&self.session);
        self.conn.send_and_forget(
            "Target.disposeBrowserContext",
            json!({"browserContextId": self.context}),
        );
    }
}

/// `target/browser-artifacts/` (or under `$CARGO_TARGET_DIR`): screenshots and figures.
pub fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::process::repo().join("target"));
    let dir = target.join("browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
