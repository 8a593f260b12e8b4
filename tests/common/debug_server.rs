//! `ftsim debug` served for a test: started on a free port, its address read from stderr,
//! stopped when dropped; and a plain HTTP client for its answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// FloodSet with one round too few: `explore` finds agreement broken in five steps.
pub const FLOODING: &str = "explore-flooding-n3-f1-rounds-1.toml";

/// The explorer's five-step counterexample of [`FLOODING`], as the moves a person clicks.
pub const FIVE_CLICKS: [&str; 5] = [
    "node 1 receives Round { round: 1, values: {0} } from node 0",
    "node 2 receives Round { round: 1, values: {1} } from node 1",
    "node 1 receives Round { round: 1, values: {2} } from node 2",
    "node 0 crashes before its last 1 message(s) left",
    "node 2 is told node 0 crashed",
];

/// A running `ftsim debug`.
pub struct Served {
    child: Child,
    /// Its address, `http://127.0.0.1:PORT/` (with `?path=…` where it opens at a path).
    pub url: String,
    /// What it said on stderr before serving, its lines joined by spaces.
    pub said: String,
    pub port: u16,
}

impl Served {
    /// Serves `scenario` (a path) with `args` after it.
    pub fn start(scenario: &str, args: &[&str]) -> Served {
        Served::start_with(&[&[scenario], args].concat())
    }

    /// `ftsim debug` with `args`.
    pub fn start_with(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ftsim"))
            .arg("debug")
            .args(args)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "80")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ftsim debug starts");
        let stderr = child.stderr.take().expect("stderr piped");
        let mut said = String::new();
        let mut reader = BufReader::new(stderr);
        while !said.contains("(Ctrl-C") {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("ftsim debug ended before serving: {said}");
            }
            said.push_str(&line);
        }
        let flat = said.split_whitespace().collect::<Vec<_>>().join(" ");
        let start = flat.find("http://127.0.0.1:").expect("an address");
        let url: String = flat[start..].split(' ').next().expect("a word").to_string();
        let port = url["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        // The rest of stderr is drained, so the server never blocks writing to it.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        Served {
            child,
            url,
            said: flat,
            port,
        }
    }

    /// `GET target` with `Host: 127.0.0.1:PORT`.
    pub fn get(&self, target: &str) -> Answer {
        self.request(&format!(
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        ))
    }

    /// Sends `head` as it is, and reads the answer.
    pub fn request(&self, head: &str) -> Answer {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        stream.write_all(head.as_bytes()).expect("writes");
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("reads");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        Answer {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    /// The JSON answer to `GET target`, and its status.
    pub fn json(&self, target: &str) -> (u16, serde_json::Value) {
        let answer = self.get(target);
        let value = serde_json::from_str(&answer.body)
            .unwrap_or_else(|e| panic!("{target}: not JSON ({e}): {}", answer.body));
        (answer.status, value)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Asserts that `GET target` is refused with `status` and an error saying `phrase`; the
    /// answer.
    pub fn refused(&self, target: &str, status: u16, phrase: &str) -> serde_json::Value {
        let (got, body) = self.json(target);
        assert_eq!(got, status, "{target}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.contains(phrase), "{target}: {phrase:?} not in {body}");
        body
    }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}
