//! `ftsim debug`'s page in headless Chromium, driven through the DevTools protocol as a person
//! drives it: a click takes a move, back and forward walk the path, another move starts a
//! branch, five clicks reach FloodSet's violation, the repro downloads and replays as
//! recorded, random runs go on from a position, a bad address shows an error, two tabs work
//! at once, and what a protocol prints is shown as text.
//!
//! These need Chromium (Debian's `chromium`), so `cargo test` skips them; `.ci/run` installs
//! it and runs them: `cargo test --test debug_browser -- --ignored`.

mod common;

use common::cdp::{Browser, Tab};
use common::debug_server::{Served, FIVE_CLICKS, FLOODING};
use common::{ftsim, scenario, scratch, stdout};
use serde_json::Value;

/// The page's number of steps so far.
fn steps(tab: &mut Tab) -> u64 {
    tab.eval("document.querySelectorAll('#steps li').length")
        .as_u64()
        .expect("a count")
}

/// The path in the page's address.
fn address_path(tab: &mut Tab) -> String {
    let path = tab.eval("new URLSearchParams(location.search).get('path') || ''");
    path.as_str().expect("text").to_string()
}

/// Waits for the page to show `n` steps (and its moves, unless the run ended).
fn wait_steps(tab: &mut Tab, n: usize) {
    let condition = format!(
        "document.querySelectorAll('#steps li').length === {n} && \
         document.querySelectorAll('#moves li').length > 0"
    );
    tab.wait_for(&condition, &format!("{n} step(s) shown"));
}

/// Clicks the move whose words start with `words`.
fn click_move(tab: &mut Tab, words: &str) {
    let before = steps(tab);
    let script = format!(
        "(() => {{ const b = [...document.querySelectorAll('#moves button')]\
         .find(b => b.lastChild.textContent.startsWith({words:?})); \
         if (!b) return false; b.click(); return true; }})()"
    );
    assert_eq!(tab.eval(&script), Value::Bool(true), "no move {words:?}");
    wait_steps(tab, before as usize + 1);
}

/// A page of `FLOODING` in a fresh browser.
fn open(name: &str) -> (Served, Browser, Tab) {
    let served = Served::start(&scenario(FLOODING), &[]);
    let browser = Browser::start(name);
    let mut tab = browser.tab(&served.url);
    wait_steps(&mut tab, 0);
    (served, browser, tab)
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn a_click_takes_a_delivery_and_shows_what_it_changed() {
    let (_served, _browser, mut tab) = open("click");
    let receiver = tab
        .eval("document.querySelector('#moves button[data-kind=deliver]').lastChild.textContent");
    let words = receiver.as_str().expect("words").to_string();
    tab.click("#moves button[data-kind=deliver]");
    wait_steps(&mut tab, 1);
    assert_eq!(address_path(&mut tab), "0", "the address holds the path");
    let shown = tab.eval("document.querySelector('#steps li').textContent");
    assert!(
        shown.as_str().is_some_and(|s| s.ends_with(&words)),
        "{shown}"
    );
    // The receiver's state changed: its card says so and marks the lines.
    let node: String = words.chars().skip("node ".len()).take(1).collect();
    let changed = tab.eval(&format!(
        "document.querySelectorAll('.node[data-node=\"{node}\"] span.changed').length"
    ));
    assert!(changed.as_u64().is_some_and(|n| n > 0), "{changed}");
    let drawn = tab.eval("document.querySelectorAll('#diagram g.step line').length");
    assert_eq!(drawn, 1, "the delivery drawn as an arrow");
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn back_and_forward_walk_the_path_and_a_reload_keeps_it() {
    let (_served, _browser, mut tab) = open("back");
    click_move(&mut tab, FIVE_CLICKS[0]);
    click_move(&mut tab, FIVE_CLICKS[1]);
    let two = address_path(&mut tab);
    tab.click("#back");
    wait_steps(&mut tab, 1);
    assert_eq!(Some(address_path(&mut tab).as_str()), two.split(',').next());
    tab.click("#forward");
    wait_steps(&mut tab, 2);
    assert_eq!(address_path(&mut tab), two);
    tab.eval("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }))");
    wait_steps(&mut tab, 1);
    tab.eval("history.back()");
    wait_steps(&mut tab, 2);
    tab.eval("window.beforeReload = true");
    tab.call("Page.reload", serde_json::json!({}));
    tab.wait_for("window.beforeReload === undefined", "a new document");
    wait_steps(&mut tab, 2);
    assert_eq!(
        address_path(&mut tab),
        two,
        "a reload shows the same position"
    );
    tab.click("#restart");
    wait_steps(&mut tab, 0);
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn another_move_starts_a_branch_and_the_old_line_is_kept() {
    let (_served, _browser, mut tab) = open("branch");
    click_move(&mut tab, FIVE_CLICKS[0]);
    click_move(&mut tab, FIVE_CLICKS[1]);
    let first_line = address_path(&mut tab);
    tab.click("#back");
    wait_steps(&mut tab, 1);
    click_move(&mut tab, FIVE_CLICKS[2]);
    assert_ne!(address_path(&mut tab), first_line);
    let kept = tab.eval("document.querySelectorAll('#branches button.branch').length");
    assert_eq!(kept, 1, "the line left is kept");
    let second_line = address_path(&mut tab);
    tab.click("#branches button.branch");
    let back_on_it = format!("location.search === '?path={first_line}'");
    tab.wait_for(&back_on_it, "the branch goes back to the line left");
    wait_steps(&mut tab, 2);
    let kept = tab.eval("document.querySelector('#branches button.branch').textContent");
    assert!(
        kept.as_str()
            .is_some_and(|k| k.starts_with("2 steps, parting from this line at step 2")),
        "the line left in turn is kept: {kept} ({second_line})"
    );
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn five_clicks_reach_the_violation_and_its_repro_replays_as_recorded() {
    let (_served, _browser, mut tab) = open("violation");
    for click in &FIVE_CLICKS[..4] {
        click_move(&mut tab, click);
    }
    let script = format!(
        "[...document.querySelectorAll('#moves button')]\
         .find(b => b.lastChild.textContent.startsWith({:?})).click()",
        FIVE_CLICKS[4]
    );
    tab.eval(&script);
    tab.wait_for(
        "document.querySelector('#verdict.bad') !== null",
        "the violation's banner",
    );
    let banner = tab.eval("document.getElementById('verdict').textContent");
    assert!(
        banner
            .as_str()
            .is_some_and(|b| b.contains("agreement is broken at step 5")),
        "{banner}"
    );
    // The violation is on the first screen: ringed in the diagram, within the window.
    let visible = tab.eval(
        "(() => { const r = document.querySelector('#diagram .violation')\
         .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()",
    );
    assert_eq!(
        visible,
        Value::Bool(true),
        "the ring is on the first screen"
    );
    let dir = scratch("debug_browser_violation");
    tab.screenshot(&dir.join("violation.png"));

    // The download link's file, fetched as the browser would save it.
    let download = tab.eval("document.getElementById('repro').hasAttribute('download')");
    assert_eq!(download, Value::Bool(true));
    let text = tab.eval("fetch(document.getElementById('repro').href).then(r => r.text())");
    let text = text.as_str().expect("the repro's text");
    let repro: Value = serde_json::from_str(text).expect("a repro file");
    let file = dir.join("clicked.repro.json");
    std::fs::write(&file, text).expect("written");
    let replay = ftsim(&["replay", "--repro", file.to_str().expect("utf-8")]);
    let said = stdout(&replay);
    let hash = repro["trace_hash"].as_str().expect("a hash");
    assert!(
        said.contains(&format!("trace hash {hash} as recorded")),
        "{said}"
    );
    assert!(said.contains("agreement"), "{said}");
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn random_runs_go_to_the_end_or_to_a_violation() {
    let (_served, _browser, mut tab) = open("random");
    tab.click("#to-broken");
    tab.wait_for(
        "document.querySelector('#verdict.bad') !== null",
        "a violation found",
    );
    let broken = address_path(&mut tab);
    assert_eq!(
        tab.eval("document.getElementById('seed').value"),
        "2",
        "the seed moves on after a run"
    );
    tab.click("#restart");
    wait_steps(&mut tab, 0);
    tab.eval("document.getElementById('seed').value = '1'");
    tab.click("#to-broken");
    tab.wait_for(
        "document.querySelector('#verdict.bad') !== null",
        "a violation found again",
    );
    assert_eq!(
        address_path(&mut tab),
        broken,
        "the same seed, the same run"
    );
    tab.click("#restart");
    wait_steps(&mut tab, 0);
    tab.click("#to-end");
    tab.wait_for(
        "document.querySelector('#verdict.ok, #verdict.bad') !== null",
        "the run's end",
    );
    assert!(steps(&mut tab) > 0);
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn a_bad_address_shows_an_error_and_the_steps_that_can_be_taken() {
    let (served, _browser, mut tab) = open("bad");
    tab.navigate(&format!("{}?path=0,999", served.url));
    tab.wait_for("!document.getElementById('error').hidden", "the error");
    let error = tab.eval("document.getElementById('error').textContent");
    assert!(
        error
            .as_str()
            .is_some_and(|e| e.contains("step 2 asks for move 999")),
        "{error}"
    );
    tab.click("#follow-prefix");
    wait_steps(&mut tab, 1);
    tab.wait_for("document.getElementById('error').hidden", "the error gone");
    tab.navigate(&format!("{}?path=%3Cb%3E", served.url));
    tab.wait_for("!document.getElementById('error').hidden", "the error");
    let error = tab.eval("document.getElementById('error').textContent");
    assert!(
        error.as_str().is_some_and(|e| e.contains("\"<b>\"")),
        "{error}"
    );
    let bold = tab.eval("document.querySelectorAll('#error b').length");
    assert_eq!(bold, 0, "the address is shown as text");
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn two_tabs_drive_two_positions_at_once() {
    let (served, browser, mut one) = open("tabs");
    let mut two = browser.tab(&served.url);
    wait_steps(&mut two, 0);
    click_move(&mut one, FIVE_CLICKS[0]);
    click_move(&mut two, FIVE_CLICKS[2]);
    click_move(&mut one, FIVE_CLICKS[1]);
    assert_eq!(steps(&mut one), 2);
    assert_eq!(steps(&mut two), 1);
    assert_ne!(address_path(&mut one), address_path(&mut two));
}

#[test]
#[ignore = "needs chromium; .ci/run runs it with --ignored"]
fn what_a_protocol_prints_is_shown_as_text() {
    let dir = scratch("debug_browser_markup");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // FloodSet in Python, its messages carrying markup.
    let node = std::fs::read_to_string(root.join("examples/external/python/floodset.py"))
        .expect("the Python FloodSet")
        .replace(
            "os.path.join(os.path.dirname(__file__), \"../../../libraries/python\")",
            &format!("{:?}", root.join("libraries/python").display().to_string()),
        )
        .replace(
            "\"values\": sorted(state[\"known\"])}",
            "\"values\": sorted(state[\"known\"]), \
             \"note\": \"<img src=x onerror=window.pwned=1><b>bold</b>\"}",
        );
    assert!(node.contains("<img"), "the node's messages carry markup");
    std::fs::write(dir.join("floodset.py"), node).expect("written");
    let scenario_text =
        std::fs::read_to_string(scenario("explore-floodset-python-n3-f1-rounds-1.toml"))
            .expect("the scenario")
            .replace(
                "python3 ../examples/external/python/floodset.py",
                &format!("python3 {}", dir.join("floodset.py").display()),
            );
    let file = dir.join("markup.toml");
    std::fs::write(&file, scenario_text).expect("written");
    let served = Served::start(file.to_str().expect("utf-8"), &[]);
    let browser = Browser::start("markup");
    let mut tab = browser.tab(&served.url);
    wait_steps(&mut tab, 0);
    let flight = tab.eval("document.getElementById('in-flight').textContent");
    assert!(
        flight
            .as_str()
            .is_some_and(|f| f.contains("<img src=x onerror=window.pwned=1>")),
        "{flight}"
    );
    let elements = tab.eval("document.querySelectorAll('main img, main b').length");
    assert_eq!(elements, 0, "no element made of a protocol's text");
    tab.click("#moves button");
    wait_steps(&mut tab, 1);
    assert_eq!(tab.eval("typeof window.pwned"), "undefined");
}
