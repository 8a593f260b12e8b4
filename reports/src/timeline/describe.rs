//! What one trace entry or fault says, in words, for the timeline, the diagram's tooltips and
//! the ShiViz log. Message ids are written `m13` (events are `#23`); times and durations go
//! through the run's [`Clock`], so a timer's deadline reads as a duration from now.

use sim_core::faults::{CrashChain, StorageFaults, Trigger, TriggeredCrash};
use sim_core::{FaultKind, FaultPlan, Time, TraceEvent, TraceKind};

use super::clock::Clock;

/// The plan entries that have no time of their own, one line each: triggered crashes, crash
/// chains and storage faults ("triggered: crash n2 in its 1st broadcast, ...").
pub fn untimed_faults(plan: &FaultPlan) -> Vec<String> {
    let mut out: Vec<String> = plan
        .triggered
        .iter()
        .map(|t| format!("triggered: {}", describe_triggered(t)))
        .collect();
    out.extend(
        plan.chains
            .iter()
            .map(|c| format!("chain: {}", describe_chain(c))),
    );
    out.extend(describe_storage(plan.storage).map(|s| format!("storage: {s}")));
    out
}

/// A triggered crash in words: "crash n2 in its 1st broadcast once 2 of its messages to live
/// nodes left; back 3ms later".
pub fn describe_triggered(t: &TriggeredCrash) -> String {
    let back = t
        .recover_after
        .map_or_else(String::new, |d| format!("; back {d} later"));
    format!("crash n{} {}{back}", t.node, describe_trigger(&t.when))
}

/// When a trigger fires, in words: "in its 1st broadcast once 2 of its messages to live nodes
/// left".
pub fn describe_trigger(when: &Trigger) -> String {
    match when {
        Trigger::Sends { count } => format!("once {count} of its messages left"),
        Trigger::Broadcast { nth, sent: 0 } => {
            format!("as its {} broadcast starts", ordinal(u64::from(*nth)))
        }
        Trigger::Broadcast { nth, sent } => format!(
            "in its {} broadcast once {sent} of its messages to live nodes left",
            ordinal(u64::from(*nth))
        ),
        Trigger::Delivery { nth } => format!("on its {} delivery", ordinal(*nth)),
        Trigger::Message { kind, nth } => {
            format!("on the {} {kind} it receives", ordinal(u64::from(*nth)))
        }
        Trigger::Observation { kind, nth } => {
            format!("right after its {} {kind}", ordinal(u64::from(*nth)))
        }
    }
}

/// A crash chain in words: its start, then how each later link is cut.
pub fn describe_chain(c: &CrashChain) -> String {
    let start = describe_triggered(&c.start);
    if c.links.is_empty() {
        return start;
    }
    let cuts: Vec<String> = c
        .links
        .iter()
        .map(|l| {
            let back = l
                .recover_after
                .map_or_else(String::new, |d| format!(", back {d} later"));
            format!("{}{back}", l.sent)
        })
        .collect();
    format!(
        "{start}; then {} more, each the first node the last one reached, cut in its next \
         broadcast once this many of its messages to live nodes left: {}",
        c.links.len(),
        cuts.join(", ")
    )
}

/// What storage faults lose at a crash, in words (`None`: nothing, they are off).
pub fn describe_storage(storage: StorageFaults) -> Option<&'static str> {
    match storage {
        StorageFaults::None => None,
        StorageFaults::LoseUnsynced => Some("a crash loses the writes not synced"),
        StorageFaults::Torn => Some("a crash tears off some of the writes not synced"),
    }
}

/// "1st", "2nd", "3rd", "4th", "11th", "22nd".
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// One fault plan entry in words.
pub fn describe_fault(kind: &FaultKind) -> String {
    match kind {
        FaultKind::Crash { node } => format!("crash n{node}"),
        FaultKind::Recover { node } => format!("recover n{node}"),
        FaultKind::Partition { groups } => format!("partition {}", groups_text(groups)),
        FaultKind::Heal => "heal".to_string(),
        FaultKind::OmissionStart {
            node,
            send_ppm,
            receive_ppm,
        } => format!(
            "omission at n{node}: lose {}% of sends, {}% of receives",
            *send_ppm as f64 / 10_000.0,
            *receive_ppm as f64 / 10_000.0
        ),
        FaultKind::OmissionEnd { node } => format!("omission at n{node} ends"),
        FaultKind::OneWay { from, to } => one_way_text(from, to),
        FaultKind::ClockSkew {
            node,
            offset_ns,
            drift_ppm,
        } => format!("clock of n{node}: {}", skew_text(*offset_ns, *drift_ppm)),
        FaultKind::SlowStart { node, factor_pct } => {
            format!("n{node} runs {} times slower", *factor_pct as f64 / 100.0)
        }
        FaultKind::SlowEnd { node } => format!("n{node} runs at normal speed"),
    }
}

/// "one way: {n0 n1} cannot reach {n2 n3} (the other way works)".
fn one_way_text(from: &[usize], to: &[usize]) -> String {
    let ids = |ns: &[usize]| {
        ns.iter()
            .map(|n| format!("n{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "one way: {{{}}} cannot reach {{{}}} (the other way works)",
        ids(from),
        ids(to)
    )
}

/// "3ms ahead, 1% fast".
fn skew_text(offset_ns: i64, drift_ppm: i32) -> String {
    let offset = sim_core::Duration(offset_ns.unsigned_abs());
    let side = if offset_ns < 0 { "behind" } else { "ahead" };
    let speed = match drift_ppm {
        0 => "at the right rate".to_string(),
        d if d > 0 => format!("{}% fast", d as f64 / 10_000.0),
        d => format!("{}% slow", -d as f64 / 10_000.0),
    };
    format!("{offset} {side}, {speed}")
}

/// "{n0 n1} | rest".
pub fn groups_text(groups: &[Vec<usize>]) -> String {
    let parts: Vec<String> = groups
        .iter()
        .map(|g| {
            let ids: Vec<String> = g.iter().map(|n| format!("n{n}")).collect();
            format!("{{{}}}", ids.join(" "))
        })
        .collect();
    format!("{} | rest", parts.join(" | "))
}

/// What one trace entry says, without its event, time and node: a short tag and the text.
pub fn describe_event(e: &TraceEvent, clock: &Clock) -> (&'static str, String) {
    match &e.kind {
        TraceKind::Start => ("start", String::new()),
        TraceKind::Crash => ("CRASH", String::new()),
        TraceKind::Recover => ("RECOVER", "from stable storage".to_string()),
        TraceKind::Send {
            to,
            msg_id,
            msg,
            depart,
        } => {
            let leaves = if *depart != e.time {
                format!(", leaves {}", clock.at(*depart))
            } else {
                String::new()
            };
            ("send", format!("{msg} to n{to} (m{msg_id}{leaves})"))
        }
        TraceKind::Deliver { from, msg_id, msg } => {
            ("recv", format!("{msg} from n{from} (m{msg_id})"))
        }
        TraceKind::Drop {
            from,
            to,
            msg_id,
            reason,
        } => (
            "drop",
            format!("m{msg_id} n{from}->n{to}: {}", reason.as_str()),
        ),
        TraceKind::Duplicate { to, msg_id } => {
            ("dup", format!("m{msg_id} to n{to} will arrive twice"))
        }
        TraceKind::Tamper {
            to,
            msg_id,
            original,
        } => (
            "TAMPER",
            format!("m{msg_id} to n{to}: correct code sent {original}"),
        ),
        TraceKind::TimerSet {
            timer,
            tag,
            fires_at,
        } if *fires_at == Time::NEVER => (
            "timer+",
            format!("{tag} (t{timer}), not fired in this scripted run"),
        ),
        TraceKind::TimerSet {
            timer,
            tag,
            fires_at,
        } => (
            "timer+",
            format!(
                "{tag} (t{timer}) in {}, at {}",
                clock.span(fires_at.since(e.time)),
                clock.at(*fires_at)
            ),
        ),
        TraceKind::TimerCancel { timer } => ("timer-", format!("t{timer} cancelled")),
        TraceKind::TimerFire { timer, tag } => ("timer", format!("{tag} (t{timer}) fires")),
        TraceKind::Persist { stable } => ("persist", stable.clone()),
        TraceKind::Observe { obs } => ("observe", obs.clone()),
        TraceKind::Suspect { about } => ("suspect", format!("n{about}")),
        TraceKind::Restore { about } => ("trust", format!("n{about} again")),
        TraceKind::Partition { groups } => ("PARTITION", groups_text(groups)),
        TraceKind::Heal => ("HEAL", "all links work again".to_string()),
        TraceKind::OmissionStart {
            send_ppm,
            receive_ppm,
        } => (
            "omission",
            format!(
                "starts: lose {}% of sends, {}% of receives",
                *send_ppm as f64 / 10_000.0,
                *receive_ppm as f64 / 10_000.0
            ),
        ),
        TraceKind::OmissionEnd => ("omission", "ends".to_string()),
        TraceKind::OneWay { from, to } => ("PARTITION", one_way_text(from, to)),
        TraceKind::ClockSkew {
            offset_ns,
            drift_ppm,
        } => ("clock", skew_text(*offset_ns, *drift_ppm)),
        TraceKind::Slow { factor_pct: 100 } => ("slow", "back to normal speed".to_string()),
        TraceKind::Slow { factor_pct } => (
            "SLOW",
            format!(
                "sends and timers {} times slower",
                *factor_pct as f64 / 100.0
            ),
        ),
        TraceKind::StorageLost { stable } => (
            "lost",
            format!("unsynced writes lost at the crash; stable storage now {stable}"),
        ),
        TraceKind::FaultsEnd => (
            "settle",
            "fault phase over: network healed, liveness phase starts".to_string(),
        ),
        TraceKind::Violation { property, message } => {
            ("VIOLATION", format!("{property}: {message}"))
        }
    }
}

/// Whether an entry concerns `node`: it happened there, or it is a message to or from it, or a
/// suspicion about it.
pub fn concerns(e: &TraceEvent, node: usize) -> bool {
    if e.node.is_none_or(|n| n == node) {
        return true;
    }
    match &e.kind {
        TraceKind::Send { to, .. }
        | TraceKind::Duplicate { to, .. }
        | TraceKind::Tamper { to, .. } => *to == node,
        TraceKind::Deliver { from, .. } => *from == node,
        TraceKind::Drop { from, to, .. } => *from == node || *to == node,
        TraceKind::Suspect { about } | TraceKind::Restore { about } => *about == node,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::faults::ChainLink;
    use sim_core::Duration;

    #[test]
    fn untimed_faults_say_when_they_fire() {
        let plan = FaultPlan {
            triggered: vec![TriggeredCrash {
                node: 2,
                when: Trigger::Broadcast { nth: 2, sent: 1 },
                recover_after: Some(Duration::from_millis(3)),
            }],
            chains: vec![CrashChain {
                start: TriggeredCrash {
                    node: 1,
                    when: Trigger::Message {
                        kind: "Prepare".into(),
                        nth: 11,
                    },
                    recover_after: None,
                },
                links: vec![ChainLink {
                    sent: 2,
                    recover_after: None,
                }],
            }],
            storage: StorageFaults::Torn,
            ..FaultPlan::default()
        };
        let lines = untimed_faults(&plan);
        assert_eq!(
            lines[0],
            "triggered: crash n2 in its 2nd broadcast once 1 of its messages to live nodes \
             left; back 3ms later"
        );
        assert!(
            lines[1].starts_with("chain: crash n1 on the 11th Prepare it receives; then 1 more"),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with(": 2"), "{}", lines[1]);
        assert_eq!(
            lines[2],
            "storage: a crash tears off some of the writes not synced"
        );
        assert!(untimed_faults(&FaultPlan::default()).is_empty());
    }
}
