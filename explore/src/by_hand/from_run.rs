//! An engine run (its trace) as a path of moves, so a failing seed or a repro can be walked by
//! hand: each engine event that a search has a move for (a delivery, a timer firing, a
//! crash, a recovery, a detector's notice) becomes that move, found by what the trace says of
//! it (the message's sender, receiver and `Debug`; the timer's node and tag; the notice's
//! nodes). Where its handler drew, the branch taken is the one whose sends and timers are the
//! run's. A message the run lost (on a lossy link, or left behind by a crashed sender) is lost
//! by a move where the run lost it.
//!
//! The engine runs on time and a search does not, so some runs have steps no search takes: a
//! false suspicion, a loss on a link the search keeps lossless, draws at the nodes' start
//! (a search answers each with its first outcome). The path then stops before that step, and
//! says why; what it followed is still a path the search would take.

use sim_core::{DropReason, NodeId, Searchable, TraceEvent, TraceKind};

use super::Move;
use crate::draws::{Branches, Taken};
use crate::model::Model;
use crate::state::State;
use crate::stepper::{enabled, Stepper};
use crate::transition::Transition;

/// A run's trace as a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromRun {
    /// The moves, up to where the run was followed.
    pub path: Vec<Move>,
    /// The engine events followed (those a search has no move for, such as a send or a
    /// partition, included).
    pub events_followed: u64,
    /// Why the path stops before the run's end, if it does: the engine event, and why.
    pub stopped: Option<(u64, String)>,
}

/// What one engine event of the trace did, as a search needs it.
struct Event<'t> {
    number: u64,
    entries: &'t [TraceEvent],
}

impl Event<'_> {
    /// The entry that makes the event a step, if one does.
    fn trigger(&self) -> Option<&TraceEvent> {
        self.entries.iter().find(|e| {
            matches!(
                e.kind,
                TraceKind::Deliver { .. }
                    | TraceKind::TimerFire { .. }
                    | TraceKind::Crash
                    | TraceKind::Recover
                    | TraceKind::Suspect { .. }
                    | TraceKind::Restore { .. }
            )
        })
    }

    /// What the step's handler sent, (receiver, `Debug`), and the tags of the timers it set,
    /// in order.
    fn effects(&self) -> (Vec<(NodeId, &str)>, Vec<&str>) {
        let sends = (self.entries.iter())
            .filter_map(|e| match &e.kind {
                TraceKind::Send { to, msg, .. } => Some((*to, msg.as_str())),
                _ => None,
            })
            .collect();
        let timers = (self.entries.iter())
            .filter_map(|e| match &e.kind {
                TraceKind::TimerSet { tag, .. } => Some(tag.as_str()),
                _ => None,
            })
            .collect();
        (sends, timers)
    }

    /// The messages the event's links lost, (sender, receiver, `Debug`), named by `trace`
    /// (a message left behind by a crashed sender is the crash's: its `keep`).
    fn lost(&self, trace: &[TraceEvent]) -> Vec<(NodeId, NodeId, String)> {
        let sent = |id: u64| {
            trace.iter().find_map(|e| match &e.kind {
                TraceKind::Send { msg_id, msg, .. } if *msg_id == id => Some(msg.clone()),
                _ => None,
            })
        };
        (self.entries.iter())
            .filter_map(|e| match &e.kind {
                TraceKind::Drop {
                    from,
                    to,
                    msg_id,
                    reason,
                } if is_loss(*reason) => Some((*from, *to, sent(*msg_id)?)),
                _ => None,
            })
            .collect()
    }

    /// How many of `node`'s messages its crash at this event cut: those `trace` later drops
    /// because their sender crashed before they left, until the node recovers.
    fn cut_by_crash(&self, node: NodeId, trace: &[TraceEvent]) -> usize {
        let after = (trace.iter()).skip_while(|e| e.event <= self.number);
        let until_back =
            after.take_while(|e| !(e.kind == TraceKind::Recover && e.node == Some(node)));
        until_back
            .filter(|e| {
                matches!(e.kind, TraceKind::Drop { from, reason: DropReason::SenderCrashed, .. }
                    if from == node)
            })
            .count()
    }
}

/// Whether a drop is a loss a search takes as a move (on a lossy link).
fn is_loss(reason: DropReason) -> bool {
    matches!(
        reason,
        DropReason::Loss
            | DropReason::Partition
            | DropReason::SendOmission
            | DropReason::ReceiveOmission
    )
}

/// `trace` as a path of `model`'s moves (see the module's doc).
pub(crate) fn path_of_run<P: Searchable>(model: &Model<P>, trace: &[TraceEvent]) -> FromRun {
    let mut follower = Follower::new(model);
    let mut from_run = FromRun {
        path: Vec::new(),
        events_followed: 0,
        stopped: None,
    };
    if !model.config.placements.is_empty() {
        match follower.place(trace) {
            Ok(start) => from_run.path.push(start),
            Err(why) => {
                from_run.stopped = Some((0, why));
                return from_run;
            }
        }
    }
    if let Err(why) = follower.verdict() {
        from_run.stopped = Some((0, why));
        return from_run;
    }
    for event in events(trace) {
        match follower.follow(&event, trace, &mut from_run.path) {
            Ok(true) => from_run.events_followed += 1,
            Ok(false) => {
                from_run.events_followed += 1;
                break;
            }
            Err(why) => {
                from_run.stopped = Some((event.number, why));
                break;
            }
        }
        if from_run.path.len() >= super::MAX_PATH_STEPS {
            let why = format!("the path reached {} steps", super::MAX_PATH_STEPS);
            from_run.stopped = Some((event.number, why));
            break;
        }
    }
    from_run
}

/// The trace's entries grouped by engine event, in order.
fn events(trace: &[TraceEvent]) -> impl Iterator<Item = Event<'_>> {
    trace
        .chunk_by(|a, b| a.event == b.event)
        .map(|entries| Event {
            number: entries[0].event,
            entries,
        })
}

/// A search's state following a run.
struct Follower<'m, P: Searchable> {
    model: &'m Model<P>,
    stepper: Stepper<'m, P>,
    state: State<P>,
    verdict: Result<(), String>,
    moves: Vec<Transition>,
}

impl<'m, P: Searchable> Follower<'m, P> {
    fn new(model: &'m Model<P>) -> Self {
        let mut stepper = Stepper::new(model);
        let (state, verdict) = stepper.initial();
        Follower {
            model,
            stepper,
            state,
            verdict: verdict.map_err(|b| b.message),
            moves: Vec::new(),
        }
    }

    fn verdict(&self) -> Result<(), String> {
        self.verdict.clone()
    }

    /// Takes `event`'s moves onto `path` (its step, then the losses of messages it lost):
    /// whether to go on (not after a violation), or why the search has no move for it.
    fn follow(
        &mut self,
        event: &Event<'_>,
        trace: &[TraceEvent],
        path: &mut Vec<Move>,
    ) -> Result<bool, String> {
        if let Some(trigger) = event.trigger() {
            let found = self.transition_of(trigger, event, trace)?;
            let (sends, timers) = event.effects();
            let mv = self.take_matching(found, &sends, &timers, path.len())?;
            path.push(mv);
        }
        for lost in event.lost(trace) {
            if self.verdict.is_err() {
                break;
            }
            let lose = self.lose(lost, path.len())?;
            path.push(lose);
        }
        Ok(self.verdict.is_ok())
    }

    /// The first move of a search with traitors, placing them and starting every node: the
    /// placement (and branch of its draws) whose sends and timers are those of the run's
    /// starts.
    fn place(&mut self, trace: &[TraceEvent]) -> Result<Move, String> {
        let starts: Vec<Event<'_>> = events(trace)
            .take_while(|e| e.entries.iter().any(|x| x.kind == TraceKind::Start))
            .collect();
        let mut sends = Vec::new();
        let mut timers = Vec::new();
        for start in &starts {
            let (s, t) = start.effects();
            sends.extend(s);
            timers.extend(t);
        }
        for placement in 0..self.model.config.placements.len() as u32 {
            // Before the start, the moves are the placements, in order.
            let t = (placement, Transition::Start(placement));
            if let Ok(mv) = self.take_matching(t, &sends, &timers, 0) {
                return Ok(mv);
            }
        }
        Err("no placement of the traitors starts the nodes as the run did".into())
    }

    /// The enabled transition `trigger` is, and its index among the moves.
    fn transition_of(
        &mut self,
        trigger: &TraceEvent,
        event: &Event<'_>,
        trace: &[TraceEvent],
    ) -> Result<(u32, Transition), String> {
        let node = trigger.node.unwrap_or_default();
        let s = &self.state;
        enabled(self.model, s, &mut self.moves);
        let found = self.find_enabled(|t| match (&trigger.kind, t) {
            (TraceKind::Deliver { from, msg, .. }, Transition::Deliver(i)) => {
                let e = &s.net[i as usize];
                e.from() == *from && e.to() == node && format!("{:?}", e.msg) == *msg
            }
            (TraceKind::TimerFire { tag, .. }, Transition::Fire { node: n, index }) => {
                n as NodeId == node && format!("{:?}", s.armed(node)[index as usize].tag) == *tag
            }
            (TraceKind::Crash, Transition::Crash { node: n, keep }) => {
                let cuttable = s.net.cuttable(node).len();
                let kept = cuttable.saturating_sub(event.cut_by_crash(node, trace));
                n as NodeId == node && keep as usize == kept
            }
            (TraceKind::Recover, Transition::Recover(n)) => n as NodeId == node,
            (TraceKind::Suspect { about }, Transition::Notice(i)) => {
                let x = s.notices()[i as usize];
                x.to == node && x.about == *about && !x.restore
            }
            (TraceKind::Restore { about }, Transition::Notice(i)) => {
                let x = s.notices()[i as usize];
                x.to == node && x.about == *about && x.restore
            }
            _ => false,
        });
        found.ok_or_else(|| no_move(trigger))
    }

    /// Takes `t` with the branch of its draws whose sends and timers are `sends` and
    /// `timers`; the move taken.
    fn take_matching(
        &mut self,
        (index, t): (u32, Transition),
        sends: &[(NodeId, &str)],
        timers: &[&str],
        step: usize,
    ) -> Result<Move, String> {
        let mut branches = Branches::default();
        let mut tried = self.state.clone();
        while let Some(plan) = branches.next() {
            tried.clone_from(&self.state);
            let verdict = self
                .stepper
                .take(&mut tried, Taken { t, plan }, step as u64 + 1);
            branches.taken(&mut self.stepper.choices);
            let (sent, set) = made(&tried, step as u64 + 1);
            let same_sends = sent
                .iter()
                .map(|(to, m)| (*to, m.as_str()))
                .eq(sends.iter().copied());
            if same_sends && set.iter().map(String::as_str).eq(timers.iter().copied()) {
                std::mem::swap(&mut self.state, &mut tried);
                self.verdict = verdict.map_err(|b| b.message);
                return Ok(Move { index, plan });
            }
        }
        Err(
            "no branch of the handler's draws sends and sets what the run's did (a search \
             answers the draws at the nodes' start, and draws of more than 16 outcomes, with \
             their first outcome)"
                .into(),
        )
    }

    /// Loses the message `msg` from `from` to `to`, which the run lost as it was sent, as the
    /// path's step `step` (from 0).
    fn lose(
        &mut self,
        (from, to, msg): (NodeId, NodeId, String),
        step: usize,
    ) -> Result<Move, String> {
        let s = &self.state;
        enabled(self.model, s, &mut self.moves);
        let lose = self.find_enabled(|t| match t {
            Transition::Lose(i) => {
                let e = &s.net[i as usize];
                e.from() == from && e.to() == to && format!("{:?}", e.msg) == msg
            }
            _ => false,
        });
        let Some((index, t)) = lose else {
            return Err(format!(
                "the run lost {msg} from node {from} to node {to}, on a link the search \
                 keeps lossless"
            ));
        };
        let verdict = self
            .stepper
            .take(&mut self.state, Taken { t, plan: 0 }, step as u64 + 1);
        self.verdict = verdict.map_err(|b| b.message);
        Ok(Move { index, plan: 0 })
    }

    /// The first of the moves last listed (`self.moves`) that `matches`, with its index.
    fn find_enabled(&self, matches: impl Fn(Transition) -> bool) -> Option<(u32, Transition)> {
        let index = self.moves.iter().position(|&t| matches(t))?;
        Some((index as u32, self.moves[index]))
    }
}

/// What step `step` put in `s`: its messages, (receiver, `Debug`), and its timers' tags, each
/// in the order made.
fn made<P: Searchable>(s: &State<P>, step: u64) -> (Vec<(NodeId, String)>, Vec<String>) {
    let mut sends: Vec<_> = (s.net.iter())
        .filter(|e| u64::from(e.key.0) == step)
        .map(|e| (e.key, e.to(), format!("{:?}", e.msg)))
        .collect();
    sends.sort_by_key(|&(key, ..)| key);
    let mut timers: Vec<_> = (s.all_armed())
        .filter(|a| u64::from(a.key.0) == step)
        .map(|a| (a.key, format!("{:?}", a.tag)))
        .collect();
    timers.sort_by_key(|&(key, _)| key);
    (
        sends.into_iter().map(|(_, to, msg)| (to, msg)).collect(),
        timers.into_iter().map(|(_, tag)| tag).collect(),
    )
}

/// Why the search has no move for `trigger`.
fn no_move(trigger: &TraceEvent) -> String {
    let node = trigger.node.unwrap_or_default();
    match &trigger.kind {
        TraceKind::Deliver { from, msg, .. } => format!(
            "node {node} receives {msg} from node {from}, which is not among the moves (a \
             message the run delivered twice, on a link the search does not duplicate?)"
        ),
        TraceKind::TimerFire { tag, .. } => {
            format!("node {node}'s timer {tag} fires, which is not among the moves")
        }
        TraceKind::Crash => format!(
            "node {node} crashes, which is not among the moves (beyond the search's crash \
             budget, or cutting messages it cannot cut)"
        ),
        TraceKind::Recover => format!("node {node} recovers, which is not among the moves"),
        TraceKind::Suspect { about } => format!(
            "node {node} is told node {about} crashed, which is not among the moves (a false \
             suspicion, which a search's detector never makes)"
        ),
        TraceKind::Restore { about } => {
            format!("node {node} is told node {about} recovered, which is not among the moves")
        }
        _ => "an event the search has no move for".into(),
    }
}
