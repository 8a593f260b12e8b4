//! A minimal compiled echo node speaking ftsim's extension of Maelstrom's protocol: the
//! benchmark's measure of what the process boundary costs a step (`benches/boundary.rs`), and
//! the shape of a node in any compiled language: read a line, answer, print `done`.
//!
//! `cargo build --release -p ftsim-external --example echo_node`, then
//! `node = "target/release/examples/echo_node"` in a `maelstrom-echo` scenario.

use std::io::{BufRead, Write};

use serde_json::{json, Value};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut me = String::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        let Ok(input) = serde_json::from_str::<Value>(&line) else {
            return;
        };
        let body = &input["body"];
        let answer = match body["type"].as_str() {
            Some("init") => {
                me = body["node_id"].as_str().unwrap_or_default().to_string();
                Some(json!({"type": "init_ok"}))
            }
            Some("echo") => Some(json!({"type": "echo_ok", "echo": body["echo"]})),
            _ => None,
        };
        if let Some(mut reply) = answer {
            reply["in_reply_to"] = body["msg_id"].clone();
            let message = json!({"src": me, "dest": input["src"], "body": reply});
            let _ = writeln!(out, "{message}");
        }
        let _ = writeln!(out, "{{\"ftsim\":\"done\"}}");
        let _ = out.flush();
    }
}
