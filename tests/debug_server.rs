//! `ftsim debug`'s server, asked over HTTP as its page asks it: a path clicked by hand reaches
//! the explorer's counterexample and downloads as a repro that replays with the same hash; bad
//! paths, hosts and methods get an error, never a panic; answers are functions of the request.
//! (The page itself is driven in a browser by `debug_browser.rs`.)

mod common;

use common::debug_server::{Served, FIVE_CLICKS, FLOODING};
use common::{ftsim, scenario, scratch, stderr, stdout};
use serde_json::Value;

/// The position `path` leads to (asserted to be answered).
fn position(served: &Served, path: &str) -> Value {
    let (status, body) = served.json(&format!("/api/position?path={path}"));
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The path after clicking, one after another, the moves whose words start with `clicks`.
fn click_through(served: &Served, clicks: &[&str]) -> String {
    let mut path: Vec<String> = Vec::new();
    for click in clicks {
        let here = position(served, &path.join(","));
        let moves = here["moves"].as_array().expect("moves");
        let chosen = (moves.iter())
            .find(|m| m["words"].as_str().is_some_and(|w| w.starts_with(click)))
            .unwrap_or_else(|| panic!("no move {click:?} among {moves:#?}"));
        path.push(chosen["step"].as_str().expect("a step").to_string());
    }
    path.join(",")
}

#[test]
fn five_clicks_reach_the_explorers_counterexample_and_its_repro_replays_as_recorded() {
    let served = Served::start(&scenario(FLOODING), &[]);
    let start = position(&served, "");
    assert_eq!(start["nodes"].as_array().map(Vec::len), Some(3));
    assert_eq!(start["broken"], Value::Null);
    let statuses: Vec<&str> = (start["properties"].as_array().expect("properties").iter())
        .map(|p| p["status"].as_str().expect("a status"))
        .collect();
    assert!(
        statuses.contains(&"holds") && statuses.contains(&"not-yet"),
        "{statuses:?}"
    );

    let path = click_through(&served, &FIVE_CLICKS);
    let end = position(&served, &path);
    assert_eq!(end["broken"]["property"], "agreement", "{end:#}");
    assert_eq!(end["steps"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        end["moves"].as_array().map(Vec::len),
        Some(0),
        "a run ends at its violation"
    );
    let agreement = (end["properties"].as_array().expect("properties").iter())
        .find(|p| p["name"] == "agreement")
        .expect("agreement listed");
    assert_eq!(agreement["status"], "broken");

    // The repro, downloaded, replays with the hash it records and breaks agreement.
    let repro = served.get(&format!("/api/repro?path={path}"));
    assert_eq!(repro.status, 200, "{}", repro.body);
    assert!(repro.head.contains("-debug.repro.json"), "{}", repro.head);
    let file = scratch("debug_server_repro").join("clicked.repro.json");
    std::fs::write(&file, &repro.body).expect("written");
    let recorded: Value = serde_json::from_str(&repro.body).expect("the repro is JSON");
    let hash = recorded["trace_hash"].as_str().expect("a hash").to_string();
    let replay = ftsim(&["replay", "--repro", file.to_str().expect("utf-8")]);
    let said = stdout(&replay);
    assert!(
        said.contains(&format!("trace hash {hash} as recorded")),
        "{said}"
    );
    assert!(said.contains("agreement"), "{said}");

    // The same five steps as `explore`'s counterexample.
    let dir = scratch("debug_server_explore");
    let explored = common::ftsim_in(&dir, &["explore", &scenario(FLOODING)]);
    let words: Vec<&str> = (end["steps"].as_array().expect("steps").iter())
        .map(|s| s["words"].as_str().expect("words"))
        .collect();
    for (i, step) in words.iter().enumerate() {
        let line = format!("{}. {step}", i + 1);
        assert!(
            common::flat(&explored).contains(&line),
            "{line}\n{}",
            stdout(&explored)
        );
    }
}

#[test]
fn bad_paths_name_the_step_and_how_much_can_be_followed() {
    let served = Served::start(&scenario(FLOODING), &[]);
    served.refused("/api/position?path=0,x", 400, "step 2 of the path is \"x\"");
    let body = served.refused("/api/position?path=0,999", 422, "step 2 asks for move 999");
    assert_eq!(body["followed"], 1, "{body}");
    // A delivery that draws nothing has no branch 9.
    served.refused("/api/position?path=0.9", 422, "branch 9");
    let path = click_through(&served, &FIVE_CLICKS);
    let after = format!("/api/position?path={path},0");
    let body = served.refused(&after, 422, "step 5 breaks a property");
    assert_eq!(body["followed"], 5);
    let long = format!("/api/position?path={}", vec!["0"; 20_001].join(","));
    served.refused(&long, 400, "at most 20000");
    served.refused("/api/onward?seed=-1", 400, "seed");
    served.refused("/api/onward?until=never", 400, "until");
    served.refused("/api/onward?steps=18446744073709551616", 400, "steps");
    served.refused("/api/repro?path=0", 409, "breaks no property");
    served.refused("/nothing", 404, "nothing is at /nothing");
}

#[test]
fn only_loopback_names_and_gets_are_answered() {
    let served = Served::start(&scenario(FLOODING), &[]);
    let refused = served.request("GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n");
    assert_eq!(refused.status, 403, "a rebound name");
    let refused = served.request(&format!(
        "POST /api/position HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
        served.port
    ));
    assert_eq!(refused.status, 405);
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: localhost:{}\r\nX: {}\r\n\r\n",
        served.port,
        "a".repeat(300_000)
    );
    assert_eq!(served.request(&huge).status, 400);
    let page = served.get("/");
    assert_eq!(page.status, 200);
    assert!(page
        .head
        .contains("Content-Security-Policy: default-src 'none'; script-src 'self'"));
    assert!(
        !page.body.contains("<script>"),
        "no inline script: the policy forbids it"
    );
    let script = served.get("/debug.js");
    assert_eq!(script.status, 200);
    for markup in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
    ] {
        assert!(
            !script.body.contains(markup),
            "the page sets text only: {markup}"
        );
    }
    // Still serving after all of that.
    assert_eq!(served.get("/api/position?path=").status, 200);
}

#[test]
fn answers_are_functions_of_the_request() {
    let served = Served::start(&scenario(FLOODING), &[]);
    let (_, first) = served.json("/api/onward?path=&until=broken&seed=7");
    assert_eq!(first["broke"], true, "{first}");
    // Another tab's requests in between change nothing.
    let _ = served.json("/api/position?path=1,2");
    let _ = served.json("/api/onward?path=3&until=end&seed=9");
    let (_, again) = served.json("/api/onward?path=&until=broken&seed=7");
    assert_eq!(first, again);
    let path = first["path"].as_str().expect("a path");
    let a = served.get(&format!("/api/position?path={path}")).body;
    let b = served.get(&format!("/api/position?path={path}")).body;
    assert_eq!(a, b);
    let broken: Value = serde_json::from_str(&a).expect("JSON");
    assert_ne!(broken["broken"], Value::Null);

    let (_, ended) = served.json("/api/onward?path=&until=end&seed=3");
    assert_eq!(ended["broke"], false, "every run of FloodSet ends; {ended}");
    let end = position(&served, ended["path"].as_str().expect("a path"));
    assert_eq!(end["may_stop"], true, "{end:#}");
}

#[test]
fn a_bad_start_or_a_scenario_that_cannot_be_searched_is_refused() {
    let o = ftsim(&["debug", &scenario(FLOODING), "--path", "0,999"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--path: step 2 asks for move 999"),
        "{}",
        stderr(&o)
    );
    let o = ftsim(&["debug", &scenario("election-bully-crashes.toml")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be explored"), "{}", stderr(&o));
    let served = Served::start(&scenario(FLOODING), &["--path", "0,1"]);
    assert!(served.url.ends_with("/?path=0,1"), "{}", served.url);
    let port = served.port.to_string();
    let o = ftsim(&["debug", &scenario(FLOODING), "--port", &port]);
    assert_eq!(o.status.code(), Some(2), "a port in use");
    assert!(
        stderr(&o).contains("cannot listen on 127.0.0.1:"),
        "{}",
        stderr(&o)
    );
}

/// The first seed `ftsim run` reports breaking a property in `file` ("…; seed N: …").
fn failing_seed(file: &str) -> String {
    let o = ftsim(&["run", file, "--seeds", "3000"]);
    let said = common::flat(&o);
    let after = said
        .split("; seed ")
        .nth(1)
        .unwrap_or_else(|| panic!("no seed: {said}"));
    after.chars().take_while(char::is_ascii_digit).collect()
}

#[test]
fn a_failing_seed_and_a_repro_open_as_paths_to_their_violation() {
    let seed = failing_seed(&scenario(FLOODING));
    let served = Served::start(&scenario(FLOODING), &["--seed", &seed]);
    let path = served
        .url
        .split("?path=")
        .nth(1)
        .expect("a path")
        .to_string();
    let end = position(&served, &path);
    assert_eq!(
        end["broken"]["property"], "agreement",
        "seed {seed}: {end:#}"
    );

    // explore's counterexample, through its repro file: the five steps.
    let dir = scratch("debug_server_from_repro");
    let repro = dir.join("explored.repro.json");
    let repro = repro.to_str().expect("utf-8");
    common::ftsim_in(&dir, &["explore", &scenario(FLOODING), "--repro", repro]);
    let served = Served::start_with(&["--repro", repro]);
    let path = served
        .url
        .split("?path=")
        .nth(1)
        .expect("a path")
        .to_string();
    assert_eq!(path, click_through(&served, &FIVE_CLICKS));
    let o = ftsim(&[
        "debug",
        &scenario(FLOODING),
        "--seed",
        "1",
        "--repro",
        repro,
    ]);
    assert_eq!(o.status.code(), Some(2), "--seed and --repro conflict");
}

#[test]
fn every_seed_of_a_crash_scenario_is_followed_to_its_end() {
    for name in [FLOODING, "explore-two-phase-tla-3.toml"] {
        for seed in 0..20 {
            let served = Served::start(&scenario(name), &["--seed", &seed.to_string()]);
            assert!(
                served.said.contains("events followed as"),
                "{name} {seed}: {}",
                served.said
            );
        }
    }
}

#[test]
fn a_run_with_a_traitor_is_followed_from_its_placement() {
    let name = scenario("explore-byzantine-n3-m1-mix.toml");
    let followed = (0..10).filter(|seed| {
        let served = Served::start(&name, &["--seed", &seed.to_string()]);
        let whole = served.said.contains("events followed as");
        let path = served.url.split("?path=").nth(1).unwrap_or_default();
        if whole {
            let steps = position(&served, path)["steps"].clone();
            assert_eq!(
                steps[0]["kind"], "start",
                "the traitors placed first: {steps:#}"
            );
        }
        whole
    });
    assert!(followed.count() >= 3, "most runs are followed to their end");
}
