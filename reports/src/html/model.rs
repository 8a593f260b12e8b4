//! What the diagram's script draws, built from a traced run: the engine events in order (with
//! their time, node and what happened, in the timeline's words), the marks on the process
//! lines, every message with its deliveries and drop, partitions with their sides, the
//! stretches each process was down, the traitors, the violation with the entries it rings, the
//! causal highlight and each process's recorded states. The page embeds it as JSON
//! ([`script_json`]) and its script lays it out: in event order or to scale, at any zoom.
//! Everything here is data; nothing is markup, so nothing from a protocol is ever parsed as
//! HTML.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sim_core::{NodeId, RunReport, TraceEvent, TraceKind};

use super::causal::Highlight;
use crate::timeline::{describe_event, describe_fault, groups_text, Clock};

/// The whole diagram.
#[derive(Serialize)]
pub(super) struct Model {
    /// Process rows.
    pub(super) nodes: usize,
    /// Each process's name in the protocol's text ("s0", "client 3"), by node id, where it
    /// has one; empty when none has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    labels: Vec<Option<String>>,
    /// Byzantine processes.
    traitors: Vec<NodeId>,
    /// The run's time unit and nanoseconds per unit.
    unit: &'static str,
    unit_ns: u64,
    /// Every engine event that left a trace entry, in order.
    pub(super) events: Vec<Event>,
    pub(super) marks: Vec<Mark>,
    pub(super) messages: Vec<Message>,
    partitions: Vec<Partition>,
    downs: Vec<Down>,
    pub(super) violation: Option<Verdict>,
    /// Whether there is a causal past to highlight.
    causal: bool,
    /// Each process's state after its events, where it changed, as a change to that process's
    /// previous record: `[event, node, kept prefix, kept suffix, new middle]` (lengths in
    /// UTF-16 units, as the script slices strings). Consecutive states mostly share all but a
    /// few fields, so this is a small fraction of the full texts.
    states: Vec<(u64, NodeId, usize, usize, String)>,
}

/// One engine event.
#[derive(Serialize)]
pub(super) struct Event {
    /// Its number.
    pub(super) e: u64,
    /// Its virtual time, in nanoseconds.
    t: u64,
    /// The process it happened at, if any.
    n: Option<NodeId>,
    /// What happened, one line per trace entry ("recv Round {..} from n2 (m9)").
    text: Vec<String>,
    /// Whether it lies in the causal past of the violation.
    lit: bool,
}

/// A mark on a process line.
#[derive(Serialize)]
pub(super) struct Mark {
    pub(super) e: u64,
    pub(super) n: NodeId,
    /// crash, recover, obs, suspect, trust, timer, persist, tamper, dup, omission.
    pub(super) k: &'static str,
    /// The observation, for its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    lit: bool,
}

/// A message: its send, its deliveries (a duplicate is delivered twice), its drop.
#[derive(Serialize)]
pub(super) struct Message {
    id: u64,
    from: NodeId,
    to: NodeId,
    /// The event that sent it, and when it left the sender (nanoseconds).
    send: u64,
    depart: u64,
    /// Its kind (the Debug text up to the first brace or parenthesis), the label on its arrow.
    kind: String,
    /// Its whole content (Debug).
    text: String,
    /// Each delivery's event and whether it is lit.
    deliveries: Vec<(u64, bool)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drop: Option<Drop>,
    /// What a Byzantine sender's correct code would have sent instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    tampered: Option<String>,
}

#[derive(Serialize)]
struct Drop {
    e: u64,
    /// Dropped as it arrived (drawn at the receiver) rather than as it left.
    at_receiver: bool,
    reason: &'static str,
    lit: bool,
}

/// A partition from the event that made it to the one that ended it, with every side.
#[derive(Serialize)]
struct Partition {
    start: u64,
    stop: u64,
    /// The sides, the unlisted nodes last.
    sides: Vec<Vec<NodeId>>,
    text: String,
}

/// A stretch during which a process was down.
#[derive(Serialize)]
struct Down {
    n: NodeId,
    from: u64,
    /// `None`: down to the end.
    to: Option<u64>,
}

/// The first violation, with the entries the diagram rings: `[event, node]`.
#[derive(Serialize)]
pub(super) struct Verdict {
    pub(super) event: u64,
    pub(super) related: Vec<u64>,
    property: String,
    message: String,
    pub(super) culprits: Vec<(u64, NodeId)>,
}

impl Model {
    /// The model of a traced run with `group_size` processes, named `labels` by the protocol.
    pub(super) fn new(report: &RunReport, group_size: usize, labels: &[Option<String>]) -> Self {
        let trace: &[TraceEvent] = report.trace.as_deref().unwrap_or(&[]);
        let clock = Clock::of(report);
        let highlight = Highlight::of_first_violation(report, trace);
        let nodes = group_size.max(
            trace
                .iter()
                .filter_map(|e| e.node)
                .max()
                .map_or(0, |m| m + 1),
        );
        let labels = if labels.iter().any(Option::is_some) {
            labels.to_vec()
        } else {
            Vec::new()
        };
        Model {
            nodes,
            labels,
            traitors: report.plan.byzantine.clone(),
            unit: clock.unit,
            unit_ns: clock.unit_ns(),
            events: events(trace, &clock, &highlight),
            marks: marks(trace, &highlight),
            messages: messages(trace, &highlight),
            partitions: partitions(trace, nodes),
            downs: downs(trace),
            violation: report.violations.first().map(|v| Verdict {
                event: v.event,
                related: v.related.clone(),
                property: v.property.clone(),
                message: v.message.clone(),
                culprits: highlight
                    .anchors
                    .iter()
                    .filter_map(|&i| trace[i].node.map(|n| (trace[i].event, n)))
                    .collect(),
            }),
            causal: highlight.is_active(),
            states: state_deltas(report),
        }
    }
}

impl Model {
    /// What the legend explains: the keys of the kinds of mark, line and band this run has
    /// (see `legend`), in no particular order.
    pub(super) fn kinds(&self) -> BTreeSet<&'static str> {
        let mut kinds: BTreeSet<&'static str> = self.marks.iter().map(|m| m.k).collect();
        let mut add = |present: bool, key: &'static str| {
            if present {
                kinds.insert(key);
            }
        };
        add(!self.events.is_empty(), "step");
        add(
            self.messages.iter().any(|m| !m.deliveries.is_empty()),
            "msg",
        );
        add(
            self.messages.iter().any(|m| m.deliveries.len() > 1),
            "dupmsg",
        );
        add(
            self.messages.iter().any(|m| m.tampered.is_some()),
            "tampered",
        );
        add(self.messages.iter().any(|m| m.drop.is_some()), "drop");
        add(!self.downs.is_empty(), "down");
        add(!self.partitions.is_empty(), "partition");
        add(!self.traitors.is_empty(), "traitor");
        add(self.violation.is_some(), "violation");
        add(
            self.violation
                .as_ref()
                .is_some_and(|v| !v.culprits.is_empty()),
            "culprit",
        );
        add(self.causal, "dim");
        kinds
    }
}

/// Each recorded state as a change to the same process's previous one (see [`Model`]).
fn state_deltas(report: &RunReport) -> Vec<(u64, NodeId, usize, usize, String)> {
    let mut previous: BTreeMap<NodeId, &str> = BTreeMap::new();
    report
        .states
        .iter()
        .map(|s| {
            let before = previous.insert(s.node, &s.state).unwrap_or("");
            let (prefix, suffix, middle) = delta(before, &s.state);
            (s.event, s.node, prefix, suffix, middle.to_string())
        })
        .collect()
}

/// How `after` differs from `before`: the UTF-16 lengths of their common prefix and of their
/// common suffix (not overlapping it), and what `after` has between them.
fn delta<'a>(before: &str, after: &'a str) -> (usize, usize, &'a str) {
    let prefix_bytes: usize = before
        .chars()
        .zip(after.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let room = before.len().min(after.len()) - prefix_bytes;
    let suffix_bytes: usize = before[prefix_bytes..]
        .chars()
        .rev()
        .zip(after[prefix_bytes..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .scan(0, |total, len| {
            *total += len;
            (*total <= room).then_some(len)
        })
        .sum();
    let middle = &after[prefix_bytes..after.len() - suffix_bytes];
    let utf16 = |s: &str| s.encode_utf16().count();
    (
        utf16(&after[..prefix_bytes]),
        utf16(&after[after.len() - suffix_bytes..]),
        middle,
    )
}

/// The engine events of a trace, each with its entries in words.
fn events(trace: &[TraceEvent], clock: &Clock, highlight: &Highlight) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    for (i, e) in trace.iter().enumerate() {
        let (tag, text) = describe_event(e, clock);
        let line = format!("{} {text}", tag.to_lowercase())
            .trim_end()
            .to_string();
        let lit = e.node.is_some() && highlight.lit(i);
        match events.last_mut() {
            Some(last) if last.e == e.event => {
                last.text.push(line);
                last.n = last.n.or(e.node);
                last.lit |= lit;
            }
            _ => events.push(Event {
                e: e.event,
                t: e.time.as_nanos(),
                n: e.node,
                text: vec![line],
                lit,
            }),
        }
    }
    events
}

/// The kind of mark an entry gets, if any.
fn mark_kind(kind: &TraceKind) -> Option<&'static str> {
    Some(match kind {
        TraceKind::Crash => "crash",
        TraceKind::Recover => "recover",
        TraceKind::Observe { .. } => "obs",
        TraceKind::Suspect { .. } => "suspect",
        TraceKind::Restore { .. } => "trust",
        TraceKind::TimerFire { .. } => "timer",
        TraceKind::Persist { .. } => "persist",
        TraceKind::Tamper { .. } => "tamper",
        TraceKind::Duplicate { .. } => "dup",
        TraceKind::OmissionStart { .. } | TraceKind::OmissionEnd => "omission",
        TraceKind::ClockSkew { .. } => "clock",
        TraceKind::Slow { .. } => "slow",
        TraceKind::StorageLost { .. } => "lost",
        _ => return None,
    })
}

fn marks(trace: &[TraceEvent], highlight: &Highlight) -> Vec<Mark> {
    trace
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let n = e.node?;
            let k = mark_kind(&e.kind)?;
            let label = match &e.kind {
                TraceKind::Observe { obs } => Some(obs.clone()),
                _ => None,
            };
            Some(Mark {
                e: e.event,
                n,
                k,
                label,
                lit: highlight.lit(i),
            })
        })
        .collect()
}

/// A message's kind: its Debug text up to the first brace, parenthesis or space.
fn kind_of(text: &str) -> String {
    let end = text.find(['{', '(', ' ', '[']).unwrap_or(text.len());
    let kind = text[..end].trim();
    if kind.is_empty() {
        text.chars().take(12).collect()
    } else {
        kind.chars().take(24).collect()
    }
}

/// Every message sent in the trace, in id order, paired with its deliveries and drop.
fn messages(trace: &[TraceEvent], highlight: &Highlight) -> Vec<Message> {
    let mut msgs: BTreeMap<u64, (Message, bool)> = BTreeMap::new();
    for (i, e) in trace.iter().enumerate() {
        let lit = highlight.lit(i);
        match &e.kind {
            TraceKind::Send {
                to,
                msg_id,
                msg,
                depart,
            } => {
                let m = Message {
                    id: *msg_id,
                    from: e.node.unwrap_or(0),
                    to: *to,
                    send: e.event,
                    depart: depart.as_nanos(),
                    kind: kind_of(msg),
                    text: msg.clone(),
                    deliveries: Vec::new(),
                    drop: None,
                    tampered: None,
                };
                msgs.insert(*msg_id, (m, lit));
            }
            TraceKind::Deliver { msg_id, .. } => {
                if let Some((m, sent_lit)) = msgs.get_mut(msg_id) {
                    m.deliveries.push((e.event, lit && *sent_lit));
                }
            }
            TraceKind::Drop {
                msg_id, reason, to, ..
            } => {
                if let Some((m, sent_lit)) = msgs.get_mut(msg_id) {
                    m.drop = Some(Drop {
                        e: e.event,
                        at_receiver: e.node == Some(*to) && m.from != *to,
                        reason: reason.as_str(),
                        lit: lit || *sent_lit,
                    });
                }
            }
            _ => {}
        }
    }
    // A tampering is traced before the send it replaces.
    for e in trace {
        if let TraceKind::Tamper {
            msg_id, original, ..
        } = &e.kind
        {
            if let Some((m, _)) = msgs.get_mut(msg_id) {
                m.tampered = Some(original.clone());
            }
        }
    }
    msgs.into_values().map(|(m, _)| m).collect()
}

/// Each partition from its event to the next partition, heal or end of faults (or the last
/// event), with its sides: the listed groups, then the rest (a one-way partition: the side
/// that cannot send, then the side it cannot reach).
fn partitions(trace: &[TraceEvent], nodes: usize) -> Vec<Partition> {
    let mut open: Option<(u64, Vec<Vec<NodeId>>, String)> = None;
    let mut spans = Vec::new();
    let mut close = |open: &mut Option<(u64, Vec<Vec<NodeId>>, String)>, stop: u64| {
        if let Some((start, sides, text)) = open.take() {
            spans.push(Partition {
                start,
                stop,
                sides,
                text,
            });
        }
    };
    for e in trace {
        match &e.kind {
            TraceKind::Partition { groups } => {
                close(&mut open, e.event);
                let mut sides: Vec<Vec<NodeId>> = groups.clone();
                let rest: Vec<NodeId> = (0..nodes)
                    .filter(|n| !groups.iter().any(|g| g.contains(n)))
                    .collect();
                if !rest.is_empty() {
                    sides.push(rest);
                }
                let text = format!("partition {}", groups_text(groups));
                open = Some((e.event, sides, text));
            }
            TraceKind::OneWay { from, to } => {
                close(&mut open, e.event);
                let text = describe_fault(&sim_core::FaultKind::OneWay {
                    from: from.clone(),
                    to: to.clone(),
                });
                open = Some((e.event, vec![from.clone(), to.clone()], text));
            }
            TraceKind::Heal | TraceKind::FaultsEnd => close(&mut open, e.event),
            _ => {}
        }
    }
    close(&mut open, trace.last().map_or(0, |e| e.event));
    spans
}

/// The stretches each process was down, from its crash to its recovery.
fn downs(trace: &[TraceEvent]) -> Vec<Down> {
    let mut open: BTreeMap<NodeId, u64> = BTreeMap::new();
    let mut downs = Vec::new();
    for e in trace {
        match (&e.kind, e.node) {
            (TraceKind::Crash, Some(n)) => {
                open.entry(n).or_insert(e.event);
            }
            (TraceKind::Recover, Some(n)) => {
                if let Some(from) = open.remove(&n) {
                    downs.push(Down {
                        n,
                        from,
                        to: Some(e.event),
                    });
                }
            }
            _ => {}
        }
    }
    downs.extend(open.into_iter().map(|(n, from)| Down { n, from, to: None }));
    downs
}

/// A model (the diagram's, a history's) as JSON that is safe inside a `<script>` element: `<`,
/// `>` and `&` (which can only occur inside strings) and the two JavaScript line separators are
/// written as escapes, so no text from a protocol can close the element or start markup.
pub(super) fn script_json<T: Serialize>(model: &T) -> String {
    let json = serde_json::to_string(model).unwrap_or_else(|_| "{}".to_string());
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::delta;

    #[test]
    fn a_state_is_kept_as_a_change_to_the_previous_one() {
        assert_eq!(delta("", "abc"), (0, 0, "abc"));
        assert_eq!(delta("a{x: 1, y: 2}", "a{x: 1, y: 3}"), (11, 1, "3"));
        assert_eq!(delta("aaa", "aaaa"), (3, 0, "a"));
        assert_eq!(delta("aaaa", "aa"), (2, 0, ""));
        // Lengths in UTF-16 units: 'é' is one, '𝄞' two.
        assert_eq!(delta("é𝄞1é", "é𝄞2é"), (3, 1, "2"));
    }
}
