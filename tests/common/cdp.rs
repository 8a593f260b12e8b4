//! Headless Chromium driven through the DevTools protocol, for the tests of pages that a person
//! clicks through (`ftsim debug`): a browser started with a fresh profile, a tab per page, and
//! in a tab, scripts evaluated, conditions waited for, clicks and screenshots. Chromium is
//! Debian's (`chromium` on PATH, or `FTSIM_CHROMIUM`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// How often a condition is asked, and how many times before giving up (about 20 s; counted,
/// not timed: the workspace bans the wall clock).
const POLL: Duration = Duration::from_millis(40);
const POLLS_MAX: u32 = 500;

/// A headless Chromium, stopped (and its profile removed) when dropped.
pub struct Browser {
    child: Child,
    profile: PathBuf,
    port: u16,
}

impl Browser {
    /// Starts Chromium with the flags this machine's closed network needs.
    pub fn start(name: &str) -> Browser {
        let profile =
            std::env::temp_dir().join(format!("ftsim-chromium-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("a profile directory");
        let program = std::env::var("FTSIM_CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let child = Command::new(&program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1400,1000",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} starts ({e}): apt-get install chromium"));
        let port = active_port(&profile);
        Browser {
            child,
            profile,
            port,
        }
    }

    /// A new tab showing `url`, once its document has loaded.
    pub fn tab(&self, url: &str) -> Tab {
        let target = http(self.port, &format!("PUT /json/new?{url} HTTP/1.1"));
        let target: Value = serde_json::from_str(&target).expect("a target as JSON");
        let ws_url = target["webSocketDebuggerUrl"].as_str().expect("a socket");
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        let (socket, _) = tungstenite::client(ws_url, stream).expect("a DevTools socket");
        let mut tab = Tab { socket, next_id: 1 };
        tab.wait_for("document.readyState === 'complete'", "the page loads");
        tab
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The port Chromium's DevTools listen on, from the file it writes in its profile.
fn active_port(profile: &Path) -> u16 {
    let file = profile.join("DevToolsActivePort");
    for _ in 0..POLLS_MAX {
        if let Ok(text) = std::fs::read_to_string(&file) {
            if let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok()) {
                return port;
            }
        }
        std::thread::sleep(POLL);
    }
    panic!("chromium wrote no {}", file.display());
}

/// The body of the answer to `request_line` on the DevTools port (read to its length:
/// Chromium keeps the connection open).
fn http(port: u16, request_line: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    let request = format!("{request_line}\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).expect("reads");
        assert!(read > 0, "DevTools closed before answering");
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = (head.lines())
            .filter_map(|l| l.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .expect("a length");
        if body.len() >= length {
            return body[..length].to_string();
        }
    }
}

/// One tab, driven through its DevTools socket.
pub struct Tab {
    socket: WebSocket<TcpStream>,
    next_id: u64,
}

impl Tab {
    /// Calls a DevTools method; its result (events that arrive meanwhile are skipped).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let call = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(Message::text(call.to_string()))
            .expect("sends");
        loop {
            let message = self.socket.read().expect("reads");
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).expect("JSON");
            if value["id"] == id {
                if let Some(error) = value.get("error") {
                    panic!("{method}: {error}");
                }
                return value["result"].clone();
            }
        }
    }

    /// The value of `script` (awaited if it is a promise); a script error fails the test.
    pub fn eval(&mut self, script: &str) -> Value {
        let params = json!({ "expression": script, "awaitPromise": true, "returnByValue": true });
        let result = self.call("Runtime.evaluate", params);
        if let Some(details) = result.get("exceptionDetails") {
            panic!("{script}: {details}");
        }
        result["result"]["value"].clone()
    }

    /// Waits until `condition` (a script) is true; `what` says what was waited for.
    pub fn wait_for(&mut self, condition: &str, what: &str) {
        for _ in 0..POLLS_MAX {
            if self.eval(&format!("Boolean({condition})")) == Value::Bool(true) {
                return;
            }
            std::thread::sleep(POLL);
        }
        let shown = self.eval("document.body ? document.body.innerText.slice(0, 2000) : ''");
        panic!("waited in vain for {what} ({condition}); the page shows:\n{shown}");
    }

    /// Clicks the element `selector` finds (it must be there).
    pub fn click(&mut self, selector: &str) {
        let script = format!(
            "(() => {{ const e = document.querySelector({selector:?}); \
             if (!e) throw new Error('nothing matches ' + {selector:?}); e.click(); }})()"
        );
        self.eval(&script);
    }

    /// Goes to `url` and waits for its document.
    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for(
            &format!("location.href === {url:?} && document.readyState === 'complete'"),
            "the page loads",
        );
    }

    /// Writes a PNG of the window to `file`.
    pub fn screenshot(&mut self, file: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let data = shot["data"].as_str().expect("image data");
        std::fs::write(file, decode_base64(data)).expect("screenshot written");
    }
}

/// Standard base64, as DevTools sends images.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}
