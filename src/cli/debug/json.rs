//! A position as the page reads it (JSON). Everything a protocol prints (its states,
//! messages, timers, verdicts) goes as JSON strings, which the page sets as text, never as
//! markup.

use ftsim_runner::explore::{
    Counterexample, InFlight, MoveKind, MoveShown, NodeShown, Position, PropertyShown, Status,
    StepShown,
};
use ftsim_runner::Scenario;
use serde_json::{json, Value};

use super::path;

/// `position`, reached by `path`, in `scenario`.
pub fn position(scenario: &Scenario, path: &str, position: &Position) -> Value {
    json!({
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "file": scenario.file.display().to_string(),
            "protocol": scenario.simulation.protocol(),
            "nodes": scenario.simulation.spec().nodes,
        },
        "path": path,
        "steps": position.steps.iter().map(step).collect::<Vec<_>>(),
        "nodes": position.nodes.iter().enumerate().map(node).collect::<Vec<_>>(),
        "in_flight": position.in_flight.iter().map(in_flight).collect::<Vec<_>>(),
        "moves": position.moves.iter().map(a_move).collect::<Vec<_>>(),
        "moves_cut": position.moves_cut,
        "properties": position.properties.iter().map(property).collect::<Vec<_>>(),
        "broken": position.broken.as_ref().map(broken),
        "may_stop": position.may_stop,
    })
}

fn kind(kind: MoveKind) -> &'static str {
    match kind {
        MoveKind::Start => "start",
        MoveKind::Deliver => "deliver",
        MoveKind::Lose => "lose",
        MoveKind::Fire => "timer",
        MoveKind::Crash => "crash",
        MoveKind::Recover => "recover",
        MoveKind::Notice => "notice",
    }
}

fn step(s: &StepShown) -> Value {
    json!({
        "words": s.words,
        "kind": kind(s.kind),
        "node": s.node,
        "from": s.from,
        "sent_at": s.sent_at,
    })
}

fn a_move(m: &MoveShown) -> Value {
    let mut value = step(&m.step);
    value["step"] = Value::from(path::format_move(m.mv));
    value
}

fn node((id, n): (usize, &NodeShown)) -> Value {
    json!({
        "id": id,
        "up": n.up,
        "byzantine": n.byzantine,
        "state": n.state,
        "before": n.before,
        "stable": n.stable,
        "timers": n.timers,
    })
}

fn in_flight(m: &InFlight) -> Value {
    json!({ "from": m.from, "to": m.to, "message": m.message, "sent_at": m.sent_at })
}

fn property(p: &PropertyShown) -> Value {
    let (status, message) = match &p.status {
        Status::Holds => ("holds", None),
        Status::Broken(why) => ("broken", Some(why)),
        Status::Met => ("met", None),
        Status::NotYet(why) => ("not-yet", Some(why)),
        Status::NotFollowed => ("not-followed", None),
    };
    json!({ "name": p.name, "kind": p.kind.to_string(), "status": status, "message": message })
}

fn broken(cx: &Counterexample) -> Value {
    json!({
        "property": cx.property,
        "message": cx.message,
        "liveness": cx.liveness,
        "panicked": cx.panicked,
    })
}
