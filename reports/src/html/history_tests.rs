//! The history page: what it escapes, the data it embeds, and two pages written for
//! `.ci/check-history-html` to open in a browser (a large one, and a small register history
//! with a culprit) when asked through an environment variable.

use super::*;

fn op(lane: usize, label: &str, start: u64, end: Option<u64>, role: OpRole) -> OpBar {
    OpBar {
        lane,
        label: label.into(),
        key: None,
        start,
        end,
        role,
        order: None,
        detail: format!("invoked at line {}", start + 1),
    }
}

/// The data the page embeds, parsed back.
fn data(page: &str) -> serde_json::Value {
    let open = r#"<script type="application/json" id="history">"#;
    let start = page.find(open).expect("the page embeds its data") + open.len();
    let len = page[start..]
        .find("</script>")
        .expect("the data's element is closed");
    serde_json::from_str(&page[start..start + len]).expect("the data is JSON")
}

/// Writes `page` to the file an environment variable names, if it is set.
fn write_if_asked(var: &str, page: &str) {
    if let Some(path) = std::env::var_os(var) {
        std::fs::write(&path, page).expect("the page is written");
        println!("wrote {} ({} bytes)", path.to_string_lossy(), page.len());
    }
}

#[test]
fn everything_from_the_file_is_escaped() {
    let hostile = "</script><b>x";
    let quoted = "\"&<>";
    let mut bad = op(0, hostile, 0, Some(1), OpRole::Culprit);
    bad.key = Some(quoted.into());
    bad.detail = quoted.into();
    let view = HistoryView {
        title: hostile.into(),
        verdict: quoted.into(),
        message: hostile.into(),
        lanes: vec![hostile.into()],
        ops: vec![bad],
    };
    let page = render_history(&view);
    // The only script elements are ours: the data and the script.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert_eq!(page.matches("</script").count(), 2, "{page}");
    assert!(!page.contains("<b>"));
    assert!(page.contains("<h1>&lt;/script&gt;&lt;b&gt;x <span"));
    assert!(page.contains("<title>&lt;/script&gt;&lt;b&gt;x — history"));
    assert!(page.contains(r#"<p class="verdict undecided">&quot;&amp;&lt;&gt;</p>"#));
    assert!(page.contains(r#"<div class="message">&lt;/script&gt;&lt;b&gt;x</div>"#));
    assert!(page.contains(r#"<option value="0">&quot;&amp;&lt;&gt;</option>"#));
    // In the data, as JSON escapes that the script sets as text.
    assert!(page.contains(r#""\u003c/script\u003e\u003cb\u003ex""#));
    assert!(page.contains(r#""\"\u0026\u003c\u003e""#));
    let d = data(&page);
    assert_eq!(d["ops"][0][6], hostile);
    assert_eq!(d["ops"][0][7], quoted);
    assert_eq!(d["keys"][0], quoted);
    assert_eq!(d["lanes"][0], hostile);
}

#[test]
fn the_page_holds_one_bar_per_operation() {
    let view = register_history();
    let d = data(&render_history(&view));
    let ops = d["ops"].as_array().unwrap();
    assert_eq!(ops.len(), view.ops.len());
    for (row, o) in ops.iter().zip(&view.ops) {
        assert_eq!(row[0], o.lane);
        assert_eq!(row[1], o.start);
        assert_eq!(row[2], serde_json::json!(o.end));
        assert_eq!(row[4], serde_json::json!(o.order));
        assert_eq!(row[6], o.label.as_str());
    }
    assert_eq!(d["lanes"].as_array().unwrap().len(), 5);
    assert_eq!(d["keys"], serde_json::json!([]));
    // No keys, no filter.
    assert!(!render_history(&view).contains(r#"<select id="key">"#));
}

#[test]
fn the_culprit_and_what_pins_its_state_are_marked() {
    let view = register_history();
    let page = render_history(&view);
    let d = data(&page);
    assert_eq!(d["culprit"], 3);
    assert_eq!(d["ops"][3][3], OpRole::Culprit.code());
    assert_eq!(d["ops"][3][6], "read → 1");
    assert_eq!(d["ops"][1][3], OpRole::Pinning.code());
    assert_eq!(d["ops"][4][3], OpRole::Concurrent.code());
    assert!(page.contains(r#"<p class="verdict bad">not linearizable</p>"#));
    let mut fine = register_history();
    fine.ops.iter_mut().for_each(|o| o.role = OpRole::Plain);
    fine.verdict = "linearizable".into();
    let page = render_history(&fine);
    assert_eq!(data(&page)["culprit"], serde_json::Value::Null);
    assert!(page.contains(r#"<p class="verdict good">linearizable</p>"#));
}

#[test]
fn keys_are_offered_in_their_natural_order_and_lanes_named_only_by_an_operation_shown() {
    let mut view = register_history();
    for (o, k) in view
        .ops
        .iter_mut()
        .zip(["10", "2", "x", "2", "-1", "b", "10", "2"])
    {
        o.key = Some(k.into());
    }
    view.ops[0].lane = 6;
    let page = render_history(&view);
    let d = data(&page);
    assert_eq!(d["keys"], serde_json::json!(["-1", "2", "10", "b", "x"]));
    assert_eq!(d["ops"][0][5], 2);
    assert_eq!(d["ops"][1][5], 1);
    assert_eq!(d["lanes"][5], "lane 5");
    assert_eq!(d["lanes"][6], "lane 6");
    assert!(page.contains(r#"<option value="">all keys</option><option value="0">-1</option>"#));
}

/// A single register: process 2 reads 1 after process 1's cas 1→2 returned, while process 0's
/// write 3 never returned and process 4's write 0 was open.
fn register_history() -> HistoryView {
    let mut ops = vec![
        op(0, "write 1", 0, Some(1), OpRole::Plain),
        op(1, "cas 1→2", 2, Some(5), OpRole::Pinning),
        op(3, "read → 2", 3, Some(4), OpRole::Plain),
        op(2, "read → 1", 6, Some(9), OpRole::Culprit),
        op(0, "write 3", 7, None, OpRole::Concurrent),
        op(1, "read → 2", 10, Some(12), OpRole::Plain),
        op(3, "cas 2→4", 11, Some(14), OpRole::Plain),
        op(4, "write 0", 8, Some(13), OpRole::Concurrent),
    ];
    for (i, order) in [(0, 1), (1, 2), (2, 3)] {
        ops[i].order = Some(order);
    }
    HistoryView {
        title: "cas-register-bad.edn".into(),
        verdict: "not linearizable".into(),
        message: "process 2's read → 1 (lines 7–10) cannot be linearized: when it was invoked \
                  the register held 2, set by process 1's cas 1→2 (lines 3–6), and no order \
                  of the operations open during it (process 0's write 3, which never \
                  returned, and process 4's write 0) gives 1."
            .into(),
        lanes: (0..5).map(|p| format!("process {p}")).collect(),
        ops,
    }
}

#[test]
fn history_page_small() {
    let page = render_history(&register_history());
    assert!(page.len() < 64 * 1024, "{} bytes", page.len());
    write_if_asked("FTSIM_HISTORY_HTML_SMALL_OUT", &page);
}

/// The key of the culprit in [`large_history`]: `.ci/check-history-html` opens the page
/// filtered to it (`#key=7`).
const LARGE_CULPRIT_KEY: &str = "7";

/// `n` operations by `lanes` clients on ten keys, interleaved by a seeded generator; one in
/// 500 never returns (its client goes on, on a second track). The culprit is an operation on
/// key 7 three quarters through, the operations on key 7 that returned before it are its
/// linearization so far (the last two pin the state), and those open during it are tinted.
fn large_history(n: usize, lanes: usize) -> HistoryView {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let mut open: Vec<Option<usize>> = vec![None; lanes];
    let mut ops: Vec<OpBar> = Vec::with_capacity(n);
    let mut pos = 0;
    while ops.len() < n || open.iter().any(Option::is_some) {
        let lane = next(lanes as u64) as usize;
        if let Some(i) = open[lane].take() {
            ops[i].end = Some(pos);
            ops[i].detail = format!("lines {}–{}", ops[i].start + 1, pos + 1);
        } else if ops.len() < n {
            let v = next(100);
            let label = match next(3) {
                0 => format!("write {v}"),
                1 => format!("read → {v}"),
                _ => format!("cas {v}→{}", v + 1),
            };
            let mut o = op(lane, &label, pos, None, OpRole::Plain);
            o.key = Some(next(10).to_string());
            ops.push(o);
            if next(500) != 0 {
                open[lane] = Some(ops.len() - 1);
            }
        } else {
            continue;
        }
        pos += 1;
    }
    mark_culprit(&mut ops);
    HistoryView {
        title: "large.edn".into(),
        verdict: format!("not linearizable: key {LARGE_CULPRIT_KEY}"),
        message: "a generated history, to check that a large page renders".into(),
        lanes: (0..lanes).map(|p| format!("process {p}")).collect(),
        ops,
    }
}

/// Marks the culprit, what pins its state, the linearization before it and what was open
/// during it, on key [`LARGE_CULPRIT_KEY`].
fn mark_culprit(ops: &mut [OpBar]) {
    let on_key = |o: &OpBar| o.key.as_deref() == Some(LARGE_CULPRIT_KEY);
    let culprit = (ops.len() * 3 / 4..ops.len())
        .find(|&i| on_key(&ops[i]) && ops[i].end.is_some())
        .expect("a culprit");
    let (start, end) = (ops[culprit].start, ops[culprit].end.unwrap_or(u64::MAX));
    ops[culprit].role = OpRole::Culprit;
    let mut before: Vec<usize> = (0..ops.len())
        .filter(|&i| on_key(&ops[i]) && ops[i].end.is_some_and(|e| e < start))
        .collect();
    before.sort_by_key(|&i| ops[i].end);
    for (place, &i) in before.iter().enumerate() {
        ops[i].order = Some(place + 1);
    }
    for &i in before.iter().rev().take(2) {
        ops[i].role = OpRole::Pinning;
    }
    for o in ops.iter_mut() {
        let overlaps = o.start < end && o.end.is_none_or(|e| e > start);
        if on_key(o) && o.role == OpRole::Plain && overlaps {
            o.role = OpRole::Concurrent;
        }
    }
}

#[test]
fn history_page_large() {
    let view = large_history(10_000, 50);
    let page = render_history(&view);
    let d = data(&page);
    assert_eq!(d["ops"].as_array().unwrap().len(), 10_000);
    assert_eq!(d["lanes"].as_array().unwrap().len(), 50);
    assert!(page.len() < 3_000_000, "{} bytes", page.len());
    write_if_asked("FTSIM_HISTORY_HTML_OUT", &page);
}
