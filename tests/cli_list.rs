//! `ftsim list`: a line per protocol, `ftsim list NAME` one protocol's whole declaration, and
//! `--format json` the same facts as docs/json.md describes them.

mod common;
use common::json_doc::assert_documented;
use common::{assert_fits_80, ftsim, json, stderr, stdout};

/// The names `ftsim list` prints, in its order: the first word of each line.
fn listed_names() -> Vec<String> {
    let o = ftsim(&["list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert_fits_80(&text);
    // Cut at a word with plain dots: as many bytes as columns, where the summary is ASCII.
    for line in text.lines().filter(|l| l.is_ascii()) {
        assert!(line.len() <= 80, "{} bytes: {line:?}", line.len());
    }
    (text.lines())
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn list_is_a_line_per_protocol() {
    let names = listed_names();
    let o = ftsim(&["list", "--format", "json"]);
    let doc = json(&o);
    let declared: Vec<&str> = (doc["protocols"].as_array().unwrap().iter())
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names, declared,
        "one line for each protocol, and nothing else"
    );
    assert!(names.len() >= 15, "{names:?}");
    for family in ["flooding", "two-phase-commit", "paxos", "byzantine"] {
        assert!(names.iter().any(|n| n == family), "{family}: {names:?}");
    }
}

#[test]
fn list_name_describes_one_protocol_in_full() {
    let o = ftsim(&["list", "flooding"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("flooding\n"), "{out}");
    for said in [
        "rounds = 2",
        "agreement (always)",
        "termination (eventually)",
        // What it assumes, with the bound's rule.
        "crash-stop: at most 1 (rounds − 1)",
        "a crash is detected only after the crashed node's last messages",
        "needs a failure detector (default: perfect, 6ms detection delay)",
        "measures latency: time to decide",
    ] {
        assert!(out.contains(said), "{said:?} in {out}");
    }
    assert!(
        !out.contains("flooding-async"),
        "only the protocol named: {out}"
    );
    assert_fits_80(&out);

    // Two names: both, in the order named.
    let out = stdout(&ftsim(&["list", "paxos", "byzantine"]));
    let paxos = out.find("paxos\n").unwrap();
    let byzantine = out.find("\nbyzantine\n").unwrap();
    assert!(paxos < byzantine, "{out}");
    assert!(
        out.contains("adversaries: "),
        "byzantine lists its adversaries: {out}"
    );
}

#[test]
fn an_unknown_name_is_a_usage_error_listing_the_names() {
    let o = ftsim(&["list", "floodin"]);
    assert_eq!(o.status.code(), Some(2));
    let said = stderr(&o);
    assert!(said.contains("no protocol is named \"floodin\""), "{said}");
    assert!(said.contains("flooding, flooding-async"), "{said}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert_fits_80(&said);
}

#[test]
fn list_json_is_what_docs_json_md_says() {
    let o = ftsim(&["list", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_documented(&doc, "list");
    assert_eq!(doc["schema"], "ftsim.list");
    for protocol in doc["protocols"].as_array().unwrap() {
        assert_documented(protocol, "protocol");
        for (key, object) in [
            ("params", "param"),
            ("properties", "property"),
            ("adversaries", "adversary"),
            ("tolerates", "tolerated"),
        ] {
            for item in protocol[key].as_array().unwrap() {
                assert_documented(item, object);
            }
        }
        for key in ["latency", "availability"] {
            if !protocol[key].is_null() {
                assert_documented(&protocol[key], "metric");
            }
        }
    }
    // One protocol, its facts as the text says them.
    let doc = json(&ftsim(&["list", "flooding", "--format", "json"]));
    let flooding = &doc["protocols"][0];
    assert_eq!(doc["protocols"].as_array().unwrap().len(), 1);
    assert_eq!(flooding["params"][0]["name"], "rounds");
    assert_eq!(flooding["params"][0]["default"], 2);
    assert_eq!(flooding["tolerates"][0]["fault"], "crash-stop");
    assert_eq!(flooding["tolerates"][0]["at_most"], 1);
    assert_eq!(flooding["detector"]["kind"], "perfect");
    assert_eq!(flooding["latency"]["name"], "time to decide");
}
