//! A checked history as the page draws it: a lane per process, a bar per operation from its
//! invocation to its response (to the edge when it never returned), the culprit, the
//! operations that pin its state and those open meanwhile marked, and the linearization before
//! the culprit numbered.

use ftsim_api::properties::linearizability::{SequentialModel, Verdict};
use reports::html::{HistoryView, OpBar, OpRole};

use super::print::Said;

/// The page's view of `said`, whose verdict is `verdict` (a page is drawn only for a verdict
/// explained).
pub fn of(said: &Said<'_>, verdict: &Verdict) -> HistoryView {
    let ops = said.file.history.ops();
    let why = match verdict {
        Verdict::NotLinearizable(why) => Some(why),
        _ => None,
    };
    let role = |op: usize| match why {
        Some(w) if w.culprit == op => OpRole::Culprit,
        Some(w) if w.pins.contains(&op) => OpRole::Pinning,
        Some(w) if w.states.iter().any(|(_, setter)| *setter == Some(op)) => OpRole::Pinning,
        Some(w) if w.concurrent.contains(&op) => OpRole::Concurrent,
        _ => OpRole::Plain,
    };
    let order = |op: usize| {
        why.and_then(|w| w.order.iter().position(|&o| o == op))
            .map(|i| i + 1)
    };
    let bars = ops
        .iter()
        .enumerate()
        .map(|(i, o)| OpBar {
            lane: o.client,
            label: said.model.describe(&o.input, o.output.as_ref()),
            key: said.model.describe_key(&said.model.key(&o.input)),
            start: o.invoked.event,
            end: o.returned.map(|r| r.event),
            role: role(i),
            order: order(i),
            detail: said.op(i),
        })
        .collect();
    let (verdict, message) = match verdict {
        Verdict::Linearizable => ("linearizable".to_string(), String::new()),
        Verdict::NotLinearizable(why) => {
            let on = why
                .key
                .as_ref()
                .map(|k| format!(": key {k}"))
                .unwrap_or_default();
            (
                format!("not linearizable{on}"),
                said.explanation(why).join(" "),
            )
        }
        Verdict::Undecided(why) => ("undecided".to_string(), why.message.clone()),
    };
    HistoryView {
        title: said.path.display().to_string(),
        verdict,
        message,
        lanes: (said.file.processes.iter())
            .map(|p| format!("process {p}"))
            .collect(),
        ops: bars,
    }
}
