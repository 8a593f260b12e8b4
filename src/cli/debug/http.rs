//! The debugger's web server: HTTP/1.1 `GET` on a loopback address, one request per
//! connection, answered in turn on one thread (a request is a replay of a short path: two tabs
//! wait for each other a few milliseconds at most). Written out here rather than taken from a
//! crate: it serves four kinds of `GET` to one local browser, and what matters is what it
//! refuses: anything not from the loopback address, a `Host` that is not this machine's
//! loopback name (a page elsewhere cannot reach it by rebinding a name), a head over 256 KiB,
//! any other method.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// The longest request head read (a path of the longest followed, 20,000 steps, fits).
const HEAD_BYTES_MAX: usize = 256 * 1024;

/// The most bytes read after an answer, for the client to close first.
const DRAIN_BYTES_MAX: u64 = 4 * 1024 * 1024;

/// How long a connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// A request: its path and its query's pairs, decoded.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Request {
    /// The value of query parameter `key`, if given.
    pub fn param(&self, key: &str) -> Option<&str> {
        (self.query.iter()).find_map(|(k, v)| (k == key).then_some(v.as_str()))
    }
}

/// An answer.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Further headers (a download's file name).
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response::new(status, "application/json", value.to_string())
    }

    /// An error, as JSON the page shows: `{"error": …}`.
    pub fn error(status: u16, message: &str) -> Self {
        Response::json(status, &serde_json::json!({ "error": message }))
    }
}

/// Answers every connection to `listener` with `handle`, until the process ends. `port` is the
/// one the listener is bound to (a request must name it in its `Host`).
pub fn serve(listener: &TcpListener, port: u16, handle: &mut dyn FnMut(&Request) -> Response) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let response = match read_request(&mut stream, port) {
            Ok(request) => guarded(handle, &request),
            Err(refusal) => refusal,
        };
        // A browser that went away meanwhile is no error of the server's.
        let _ = write_response(&mut stream, &response);
        drain(&mut stream);
    }
}

/// Reads what the client still sends (a head cut short by a refusal) until it closes, a
/// little while at most: closing a socket with unread input resets the connection, and the
/// client would lose the answer.
fn drain(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = io::copy(&mut Read::take(stream, DRAIN_BYTES_MAX), &mut io::sink());
}

/// `handle`'s answer to `request`; a panic in it (a protocol's `Debug`, say) is an error the
/// page shows, never the end of the server.
fn guarded(handle: &mut dyn FnMut(&Request) -> Response, request: &Request) -> Response {
    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(request)));
    answered.unwrap_or_else(|panic| {
        let why = (panic.downcast_ref::<String>().map(String::as_str))
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("a panic without a message");
        Response::error(500, &format!("answering this request panicked: {why}"))
    })
}

/// Reads one request from `stream`, or the answer refusing it.
fn read_request(stream: &mut TcpStream, port: u16) -> Result<Request, Response> {
    let loopback = stream.peer_addr().is_ok_and(|a| a.ip().is_loopback());
    if !loopback {
        return Err(Response::error(
            403,
            "ftsim debug answers this machine only",
        ));
    }
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let head = read_head(stream).map_err(|why| Response::error(400, &why))?;
    parse_head(&head, port)
}

/// The request's head, up to its blank line.
fn read_head(stream: &mut TcpStream) -> Result<String, String> {
    let mut reader = BufReader::new(Read::take(stream, HEAD_BYTES_MAX as u64 + 1));
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("the request ended before its head did".into());
        }
        head.push_str(&line);
        if head.len() > HEAD_BYTES_MAX {
            return Err(format!("a request head is at most {HEAD_BYTES_MAX} bytes"));
        }
        if line == "\r\n" || line == "\n" {
            return Ok(head);
        }
    }
}

/// A request from its head, or the answer refusing it.
fn parse_head(head: &str, port: u16) -> Result<Request, Response> {
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let mut words = first.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "GET" {
        return Err(Response::error(405, "ftsim debug answers GET only"));
    }
    let host = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim());
    if !host.is_some_and(|h| loopback_host(h, port)) {
        return Err(Response::error(
            403,
            "ftsim debug answers pages addressed to 127.0.0.1 or localhost only",
        ));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Request {
        path: decode(path),
        query: (query.split('&').filter(|p| !p.is_empty()))
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(k), decode(v))
            })
            .collect(),
    })
}

/// Whether a `Host` header names this machine's loopback address and `port`.
fn loopback_host(host: &str, port: u16) -> bool {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}"))
}

/// `text` with its `%XX` escapes and `+` decoded (bytes that are not UTF-8 replaced).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes `response`, the connection closed after it.
fn write_response(stream: &mut TcpStream, response: &Response) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; \
         connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'\r\n\
         Connection: close\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&response.body)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Content",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(first: &str, host: &str) -> String {
        format!("{first}\r\nHost: {host}\r\nAccept: */*\r\n\r\n")
    }

    #[test]
    fn a_get_is_read_with_its_query_decoded() {
        let request = parse_head(
            &head(
                "GET /api/position?path=0%2C3,1.2&x HTTP/1.1",
                "127.0.0.1:8123",
            ),
            8123,
        )
        .unwrap_or_else(|r| panic!("refused: {}", r.status));
        assert_eq!(request.path, "/api/position");
        assert_eq!(request.param("path"), Some("0,3,1.2"));
        assert_eq!(request.param("x"), Some(""));
        assert_eq!(request.param("y"), None);
    }

    #[test]
    fn other_hosts_and_methods_are_refused() {
        let status = |h: &str, port| parse_head(h, port).err().map(|r| r.status);
        assert_eq!(status(&head("GET / HTTP/1.1", "localhost:9"), 9), None);
        assert_eq!(status(&head("GET / HTTP/1.1", "[::1]:9"), 9), None);
        assert_eq!(
            status(&head("GET / HTTP/1.1", "evil.example:9"), 9),
            Some(403)
        );
        assert_eq!(
            status(&head("GET / HTTP/1.1", "localhost:10"), 9),
            Some(403)
        );
        assert_eq!(status("GET / HTTP/1.1\r\n\r\n", 9), Some(403), "no Host");
        assert_eq!(
            status(&head("POST / HTTP/1.1", "localhost:9"), 9),
            Some(405)
        );
    }

    #[test]
    fn escapes_decode_and_bad_ones_stay() {
        assert_eq!(decode("a%20b+c%2"), "a b c%2");
        assert_eq!(decode("%zz%41"), "%zzA");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%ff"), "\u{fffd}");
    }
}
