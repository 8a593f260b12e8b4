//! The terminal timeline of a traced run: one line per trace entry (time, node, what
//! happened), the fault plan first and the verdict last, so a failing seed reads top to bottom
//! without the code. Colour only when asked (the CLI asks on a terminal without `NO_COLOR`).

use std::fmt::Write;

use sim_core::{DropReason, FaultKind, Outcome, RunReport, TraceEvent, TraceKind};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn cyan(&self, t: &str) -> String {
        self.paint("36", t)
    }
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

/// "{n0 n1} cannot reach {n2 n3} (the other way works)".
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

/// What one trace entry says, without time and node.
pub fn describe_event(e: &TraceEvent) -> (&'static str, String) {
    match &e.kind {
        TraceKind::Start => ("start", String::new()),
        TraceKind::Crash => ("CRASH", String::new()),
        TraceKind::Recover => ("RECOVER", "from stable storage".to_string()),
        TraceKind::Send {
            to, msg_id, msg, ..
        } => ("send", format!("{msg} to n{to} (#{msg_id})")),
        TraceKind::Deliver { from, msg_id, msg } => {
            ("recv", format!("{msg} from n{from} (#{msg_id})"))
        }
        TraceKind::Drop {
            from,
            to,
            msg_id,
            reason,
        } => (
            "drop",
            format!("#{msg_id} n{from}->n{to}: {}", drop_text(*reason)),
        ),
        TraceKind::Duplicate { to, msg_id } => {
            ("dup", format!("#{msg_id} to n{to} will arrive twice"))
        }
        TraceKind::Tamper {
            to,
            msg_id,
            original,
        } => (
            "TAMPER",
            format!("#{msg_id} to n{to}: correct code sent {original}"),
        ),
        TraceKind::TimerSet {
            timer,
            tag,
            fires_at,
        } => ("timer+", format!("{tag} (t{timer}) for {fires_at}")),
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

fn drop_text(r: DropReason) -> &'static str {
    r.as_str()
}

/// The verdict line(s) of a run.
pub fn verdict(report: &RunReport) -> String {
    match &report.outcome {
        Outcome::Ok => "verdict: ok, every checked property held".to_string(),
        Outcome::Violated => {
            let mut s = String::from("verdict: VIOLATED");
            for v in &report.violations {
                let _ = write!(
                    s,
                    "\n  {} ({}) at {}, {}: {}",
                    v.property, v.kind, v.time, v.during, v.message
                );
                if let Some(why) = &v.outside_assumptions {
                    let _ = write!(s, "\n  outside the protocol's assumptions: {why}");
                }
            }
            s
        }
        Outcome::BudgetExceeded { budget, limit } => format!(
            "verdict: BUDGET EXCEEDED, {limit} {budget:?} used up (a livelock, or a run that never quiesces)"
        ),
        Outcome::Panicked { message, during } => {
            format!("verdict: PROTOCOL PANIC during {during}: {message}")
        }
    }
}

/// Renders the whole timeline of a traced run.
pub fn render(report: &RunReport, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    let plan = &report.plan;
    let _ = writeln!(out, "{}", st.cyan(&format!("seed {}", report.seed)));
    if plan.events.is_empty() && plan.byzantine.is_empty() {
        let _ = writeln!(out, "fault plan: none");
    } else {
        let _ = writeln!(out, "fault plan:");
        if !plan.byzantine.is_empty() {
            let ids: Vec<String> = plan.byzantine.iter().map(|n| format!("n{n}")).collect();
            let _ = writeln!(out, "  byzantine: {}", ids.join(", "));
        }
        for e in &plan.events {
            let _ = writeln!(
                out,
                "  {:>12}  {}",
                e.at.to_string(),
                describe_fault(&e.kind)
            );
        }
    }
    let _ = writeln!(out, "{}", st.dim("        time  node  event"));
    for e in report.trace.as_deref().unwrap_or(&[]) {
        let (tag, text) = describe_event(e);
        let node = e.node.map_or("  * ".to_string(), |n| format!("n{n:<3}"));
        let tag_col = format!("{tag:<9}");
        let tag_col = match &e.kind {
            TraceKind::Violation { .. } => st.red(&tag_col),
            TraceKind::Crash | TraceKind::Partition { .. } | TraceKind::Tamper { .. } => {
                st.red(&tag_col)
            }
            TraceKind::Drop { .. } => st.yellow(&tag_col),
            TraceKind::Recover | TraceKind::Heal | TraceKind::FaultsEnd => st.green(&tag_col),
            TraceKind::Observe { .. } => st.cyan(&tag_col),
            _ => tag_col,
        };
        let line = format!("{:>12}  {node}  {tag_col} {text}", e.time.to_string());
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let v = verdict(report);
    let _ = writeln!(
        out,
        "{}",
        if report.outcome.is_ok() {
            st.green(&v)
        } else {
            st.red(&v)
        }
    );
    let s = &report.stats;
    let _ = writeln!(
        out,
        "{} events, {} messages sent, {} delivered, {} dropped, {} duplicated; ended at {}; trace hash {:016x}",
        s.events,
        s.messages_sent,
        s.messages_delivered,
        s.messages_dropped,
        s.messages_duplicated,
        s.end_time,
        report.trace_hash
    );
    out
}
