//! The asynchronous semantics: what may happen next in a state ([`enabled`]) and what it does
//! ([`Stepper::apply`]). Any message in flight may be delivered (on a FIFO link, only the
//! oldest); on a lossy link, or from a crashed sender, it may be lost instead; any armed timer
//! may fire; within the crash budget any node allowed to may crash, and a crashed one allowed
//! to may recover; a pending failure-detector notice may arrive (about a crashed sender only
//! once its last messages to that node are in, when the detector is slower than the network).
//!
//! With Byzantine nodes the search starts a step earlier: the first step places the traitors
//! (one branch per placement) and starts every node, its handlers' draws branched like any
//! other step's (a traitor commander's first messages are the adversary's choice). Every
//! message a traitor's handler sends then passes through its adversary, whose draws are
//! branches too, as the engine passes it (same draws, same order, keyed by the message).

use std::collections::BTreeMap;

use sim_core::engine::guarded;
use sim_core::step::{run_handler, Handler, NodeRef, Output, Outputs};
use sim_core::{AdversaryCtx, MsgKey, NodeId, Process, Time};

use super::draws::{Branching, Taken};
use super::model::Model;
use super::state::{hash_of, Armed, Envelope, Notice, State};
use super::transition::Transition;
use super::zone::{weight, Zone};
use super::zone_graph;
use judging::Judging;

mod judging;

/// What a step did to the properties: `Err` is what it broke, boxed, so that a verdict that
/// broke nothing is one word, returned in a register through every call of a step (as a
/// `Broken` it was moved through memory, and `perf` put a stall on each move).
pub(crate) type Verdict = Result<(), Box<Broken>>;

/// A safety property found false (its index among the model's monitors), or the protocol's
/// code panicked (`None`: a handler, an adversary or a property's judgement), and why.
#[derive(Clone, Debug)]
pub(crate) struct Broken {
    pub monitor: Option<usize>,
    pub message: String,
}

/// Every transition enabled in `s`, in a fixed order, into `out` (cleared first).
pub(crate) fn enabled<P: Process>(m: &Model<P>, s: &State<P>, out: &mut Vec<Transition>) {
    out.clear();
    if !s.started {
        let placements = m.config.placements.len() as u32;
        out.extend((0..placements).map(Transition::Start));
        return;
    }
    for (i, e) in s.net.iter().enumerate() {
        let same_link = |o: &Envelope<P::Msg>| o.from() == e.from() && o.to() == e.to();
        let rule = m.config.link(e.from(), e.to());
        let previous = i.checked_sub(1).map(|p| &s.net[p]);
        if rule.fifo && previous.is_some_and(same_link) {
            continue;
        }
        // Equal messages are one choice, unless sent at different times (a search that keeps
        // time: see `zone_graph`).
        if s.zone().is_none() && previous.is_some_and(|p| same_link(p) && p.hash() == e.hash()) {
            continue;
        }
        if s.up()[e.to()] {
            out.push(Transition::Deliver(i as u32));
        }
        if rule.lossy {
            out.push(Transition::Lose(i as u32));
        }
    }
    for node in (0..m.config.n).filter(|&n| s.up()[n]) {
        for index in 0..s.armed(node).len() {
            out.push(Transition::Fire {
                node: node as u32,
                index: index as u32,
            });
        }
    }
    if s.crashes < m.config.crash_budget {
        for node in (0..m.config.n).filter(|&n| s.up()[n] && m.config.may_crash[n]) {
            let cuttable = s.net.cuttable(node).len() as u32;
            out.extend((0..=cuttable).rev().map(|keep| Transition::Crash {
                node: node as u32,
                keep,
            }));
        }
    }
    let recoverable = (0..m.config.n).filter(|&n| !s.up()[n] && m.config.may_recover[n]);
    out.extend(recoverable.map(|n| Transition::Recover(n as u32)));
    for (i, notice) in s.notices().iter().enumerate() {
        if notice_ready(m, s, notice) {
            out.push(Transition::Notice(i as u32));
        }
    }
    if s.zone().is_some() {
        out.retain(|&t| timed_step(m, s, t, u64::MAX).is_some());
    }
}

/// The zone after step `t` (numbered `step`) of `s` under the model's bound on delays, if
/// some time for it keeps every message and timer in time (see `zone_graph`).
fn timed_step<P: Process>(m: &Model<P>, s: &State<P>, t: Transition, step: u64) -> Option<Zone> {
    let bound = m.bound.as_ref()?;
    let lossy = |from, to| m.config.link(from, to).lossy;
    zone_graph::advance(s, t, step, weight(bound.delay_max_ns), &lossy)
}

/// Whether a notice may arrive now: its receiver is up, and a crash notice waits for the
/// crashed sender's last messages when the detector is slower than any message.
fn notice_ready<P: Process>(m: &Model<P>, s: &State<P>, notice: &Notice) -> bool {
    if !s.up()[notice.to] {
        return false;
    }
    if notice.restore || !m.config.detector_after_last_message {
        return true;
    }
    let duplicating = m.config.link(notice.about, notice.to).duplicating;
    duplicating
        || !s
            .net
            .iter()
            .any(|e| e.from() == notice.about && e.to() == notice.to)
}

/// Applies transitions, reusing its buffers.
pub(crate) struct Stepper<'m, P: Process> {
    pub model: &'m Model<P>,
    /// Answers the handlers' draws (see `draws`).
    pub choices: Branching,
    outputs: Outputs<P>,
    observed: Vec<P::Obs>,
    /// Whether the last transition applied ran a handler that emitted an observation (a
    /// step the monitors see happen, not only its state: see `search::sleep`).
    pub visible: bool,
    /// What the handlers sent and armed, in order, when a path is being timed (`timed`).
    pub journal: Option<Journal>,
    /// The step being taken, and how many messages and timers its handlers made so far:
    /// what orders their events (`Key`).
    step: u64,
    made: u32,
    /// Whether a traitor's adversary is running (a panic then is the adversary's).
    tampering: bool,
    /// When state checks are judged, and what waits (see `judging`).
    judging: Judging,
}

/// The sends and timers of the handlers run so far, in the order they asked: what names each
/// message and timer the way the engine does (see `timed`).
#[derive(Debug, Default)]
pub(crate) struct Journal {
    /// Every message put in flight (not one its sender's adversary suppressed).
    pub sends: Vec<Sent>,
    /// Per link, messages sent on it so far, a suppressed one included (the engine's
    /// numbering).
    pub on_link: BTreeMap<(NodeId, NodeId), u64>,
    /// (node, the timer's handle).
    pub timers: Vec<(NodeId, sim_core::TimerId)>,
    /// Both, in the one order the handlers made them (the engine schedules their events in
    /// that order, which orders simultaneous events: see `bounded`).
    pub made: Vec<Made>,
}

/// A send, as a [`Journal`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sent {
    /// The message as the engine names it (link and number on it).
    pub key: MsgKey,
    /// The sender's sending number (`Envelope::seq`).
    pub seq: u32,
}

/// A message sent or a timer set, as a [`Journal`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Made {
    /// (sender, the sender's sending number).
    Send(NodeId, u32),
    /// (node, the timer's handle).
    Timer(NodeId, sim_core::TimerId),
}

impl<'m, P: Process + Clone> Stepper<'m, P> {
    pub(crate) fn new(model: &'m Model<P>) -> Self {
        Stepper {
            model,
            choices: Branching::after_start(),
            outputs: Outputs::default(),
            observed: Vec::new(),
            visible: false,
            journal: None,
            step: 0,
            made: 0,
            tampering: false,
            judging: Judging::at_once(),
        }
    }

    /// The initial state: every node built and started, in id order (as under the engine,
    /// where every start happens at time zero before any message can arrive).
    pub(crate) fn initial(&mut self) -> (State<P>, Verdict) {
        let n = self.model.config.n;
        let mut s = State::new(
            (0..n).map(|i| (self.model.factory)(i, n)).collect(),
            (self.model.monitors.iter()).map(|d| (d.make)()).collect(),
            self.model.bound.as_ref().map(|_| Zone::start()),
            self.model.config.crashable(),
        );
        (self.step, self.made) = (0, 0);
        if !self.model.config.placements.is_empty() {
            return (s, Ok(()));
        }
        // One initial state: the starts' draws are not branched on (see `draws`).
        self.choices.branching = false;
        self.choices.begin(0);
        let verdict = self.start(&mut s, 0);
        self.choices.branching = true;
        (s, verdict)
    }

    /// Starts every node, in id order (as under the engine, where every start happens at time
    /// zero before any message can arrive).
    fn start(&mut self, s: &mut State<P>, event: u64) -> Verdict {
        s.started = true;
        self.checking_at_once(|stepper| {
            let mut verdict = Ok(());
            for node in 0..stepper.model.config.n {
                let r = stepper.handle(s, node, Handler::Start, event);
                verdict = verdict.and(r);
            }
            verdict
        })
    }

    /// Makes the nodes of `placement` Byzantine, each driven by its own adversary.
    fn place(&mut self, s: &mut State<P>, placement: u32) {
        let traitors = self.model.config.placements[placement as usize];
        let adversary = (self.model.adversary.as_ref()).expect("placements come with one");
        s.adversaries_mut().clear();
        for node in 0..self.model.config.n {
            let traitor = traitors.contains(node);
            s.set_byzantine(node, traitor);
            s.adversaries_mut().push(
                traitor.then(|| {
                    (adversary.make)(node).expect("checked to have a snapshot when built")
                }),
            );
        }
    }

    /// Takes `step` in `s` (the `event`-th step of its path): its transition, its handler's
    /// draws answered by its plan.
    pub(crate) fn take(&mut self, s: &mut State<P>, step: Taken, event: u64) -> Verdict {
        self.choices.begin(step.plan);
        self.apply(s, step.t, event)
    }

    /// Takes transition `t` in `s` (the `event`-th step of its path).
    pub(crate) fn apply(&mut self, s: &mut State<P>, t: Transition, event: u64) -> Verdict {
        self.visible = false;
        self.forget_deferred();
        (self.step, self.made) = (event, 0);
        let timed = s.zone().map(|_| {
            let zone = timed_step(self.model, s, t, event);
            (
                zone.expect("only steps some timing allows are taken"),
                zone_graph::event_of(s, t),
            )
        });
        let verdict = self.untimed(s, t, event);
        if let Some((zone, last_event)) = timed {
            s.set_last_event(last_event);
            let bound = self
                .model
                .bound
                .as_ref()
                .expect("a zone comes with a bound");
            let lossy = |from, to| self.model.config.link(from, to).lossy;
            zone_graph::settle(s, zone, weight(bound.delay_max_ns), &lossy);
        }
        verdict
    }

    /// What step `t` does to the processes, the network and the monitors.
    fn untimed(&mut self, s: &mut State<P>, t: Transition, event: u64) -> Verdict {
        match t {
            Transition::Deliver(i) => {
                let i = i as usize;
                let (from, to, seq) = (s.net[i].from(), s.net[i].to(), s.net[i].seq);
                s.net.mark_left(from, seq);
                let msg = if self.model.config.link(from, to).duplicating {
                    // Bounded up to its first delivery; a copy may come any time after. Only
                    // a search that keeps time reads it: another leaves the network as it
                    // was, so the next successor's copy need not copy it again.
                    if s.zone().is_some() {
                        s.net.set_timing(i, false, s.net[i].late);
                    }
                    s.net[i].msg.clone()
                } else {
                    s.net.remove(i).msg
                };
                self.handle(s, to, Handler::Message { from, msg }, event)
            }
            Transition::Lose(i) => {
                let lost = s.net.remove(i as usize);
                s.net.mark_left(lost.from(), lost.seq);
                Ok(())
            }
            Transition::Fire { node, index } => {
                let node = node as usize;
                let timers = s.timers_mut(node);
                let timer = timers.take(index as usize);
                timers.handles.fire(timer.id);
                self.handle(s, node, Handler::Timer(timer.tag), event)
            }
            Transition::Crash { node, keep } => {
                self.crash(s, node as usize, keep as usize);
                Ok(())
            }
            Transition::Recover(node) => self.recover(s, node as usize, event),
            Transition::Start(placement) => {
                self.place(s, placement);
                self.start(s, event)
            }
            Transition::Notice(i) => {
                let notice = s.take_notice(i as usize);
                let bit = 1u64 << notice.about;
                let handler = if notice.restore {
                    *s.suspects_mut(notice.to) &= !bit;
                    Handler::Restore(notice.about)
                } else {
                    *s.suspects_mut(notice.to) |= bit;
                    Handler::Suspect(notice.about)
                };
                self.handle(s, notice.to, handler, event)
            }
        }
    }

    fn crash(&mut self, s: &mut State<P>, node: NodeId, keep: usize) {
        if let Some(&first_lost) = s.net.cuttable(node).get(keep) {
            s.net.retain(|e| e.from() != node || e.seq < first_lost);
        }
        s.timers_mut(node).clear();
        s.set_up(node, false);
        s.crashes += 1;
        s.retain_notices(|n| n.to != node);
        if s.suspects(node) != 0 {
            *s.suspects_mut(node) = 0;
        }
        if self.model.config.detector {
            for to in 0..self.model.config.n {
                if to == node || !s.up()[to] {
                    continue;
                }
                s.notify(Notice {
                    to,
                    about: node,
                    restore: false,
                });
            }
        }
    }

    /// A crashed node rebuilt by the factory, with its stable storage; it is told who is down,
    /// and whoever was told of its crash is told it is back (an untold crash is forgotten).
    fn recover(&mut self, s: &mut State<P>, node: NodeId, event: u64) -> Verdict {
        let n = self.model.config.n;
        *s.node_mut(node).proc = (self.model.factory)(node, n);
        s.set_up(node, true);
        s.retain_notices(|x| x.about != node || x.restore);
        if self.model.config.detector {
            for p in (0..n).filter(|&p| p != node) {
                if !s.up()[p] {
                    s.notify(Notice {
                        to: node,
                        about: p,
                        restore: false,
                    });
                } else if s.suspects(p) & (1 << node) != 0 {
                    s.notify(Notice {
                        to: p,
                        about: node,
                        restore: true,
                    });
                }
            }
        }
        self.handle(s, node, Handler::Recover, event)
    }

    /// Runs a handler at `node`, applies its outputs, then lets the monitors judge.
    fn handle(&mut self, s: &mut State<P>, node: NodeId, h: Handler<P>, event: u64) -> Verdict {
        // A panic is a finding, as under the engine (where it ends the run): the step's
        // leftovers are dropped and the search ends there, the path its counterexample; one
        // in a traitor's adversary is said to be the adversary's (`tampering`).
        self.tampering = false;
        // One guard for the handler and the judging (a second guard a step cost 1.3% of a
        // TwoPhase search's instructions); `judging` says which one panicked.
        let mut judging = false;
        let ran = guarded(|| {
            let n = self.model.config.n;
            let mut part = s.node_mut(node);
            let node_ref = NodeRef {
                id: node,
                n,
                timers: &mut part.timers,
                stable: part.stable,
            };
            run_handler(part.proc, node_ref, h, &mut self.choices, &mut self.outputs);
            self.observed.clear();
            self.apply_outputs(s, node);
            judging = true;
            self.visible |= !self.observed.is_empty();
            self.judge(s, node, event)
        });
        let judged = ran.map_err(|why| match (judging, self.tampering) {
            (true, _) => format!("a property panicked judging node {node}'s step: {why}"),
            (false, true) => {
                format!("node {node}'s adversary panicked tampering with its messages: {why}")
            }
            (false, false) => format!("node {node}'s handler panicked: {why}"),
        });
        judged.unwrap_or_else(|message| {
            self.outputs.clear();
            self.observed.clear();
            Err(Box::new(Broken {
                monitor: None,
                message,
            }))
        })
    }

    /// Applies what `node`'s handler asked for, in order: sends (through a traitor's
    /// adversary), timers set and cancelled, observations (kept for the monitors). The
    /// buffer is read where it is, its fields borrowed apart from the others': moving it out
    /// and back, a few words each way, stalled on the stores that had just filled them
    /// (`perf` put a third of this function's samples there).
    fn apply_outputs(&mut self, s: &mut State<P>, node: NodeId) {
        let Stepper {
            model,
            choices,
            outputs,
            observed,
            journal,
            step,
            made,
            tampering,
            ..
        } = self;
        let mut next_key = || {
            *made += 1;
            // A path of more than 2³² steps is beyond what any search holds: its later
            // steps' keys would tie, never wrap.
            (u32::try_from(*step).unwrap_or(u32::MAX), *made - 1)
        };
        for out in outputs.drain() {
            match out {
                Output::Send { to, msg } => {
                    let key = link_key(journal, node, to);
                    let Some(msg) = tamper(model, choices, tampering, s, key, msg) else {
                        continue;
                    };
                    if let Some(j) = journal {
                        let seq = s.net.sent(node);
                        j.sends.push(Sent { key, seq });
                        j.made.push(Made::Send(node, seq));
                    }
                    let rule = model.config.link(node, to);
                    let hash = hash_of(&msg);
                    let env = Envelope::new(node, to, hash, msg, next_key());
                    s.net.send(env, rule.fifo, rule.duplicating);
                }
                Output::SetTimer { id, delay, tag } => {
                    if let Some(j) = journal {
                        j.timers.push((node, id));
                        j.made.push(Made::Timer(node, id));
                    }
                    let timer = Armed::new(id, hash_of(&tag), tag, delay.0, next_key());
                    s.timers_mut(node).arm(timer);
                }
                Output::CancelTimer { id } => {
                    s.timers_mut(node).cancel(id);
                }
                Output::Observe(obs) => observed.push(obs),
            }
        }
    }
}

/// The next message on link `from` → `to` as the engine names it (numbered on its link when
/// a path is being timed, where the adversary's draws must name it; 0 otherwise).
fn link_key(journal: &mut Option<Journal>, from: NodeId, to: NodeId) -> MsgKey {
    let seq = journal.as_mut().map_or(0, |j| {
        let count = j.on_link.entry((from, to)).or_default();
        *count += 1;
        *count - 1
    });
    MsgKey { from, to, seq }
}

/// What a send becomes: a Byzantine sender's adversary may replace or suppress it (`None`),
/// drawing from the search's choices as it would from a run's (`tampering` while it runs).
fn tamper<P: Process>(
    model: &Model<P>,
    choices: &mut Branching,
    tampering: &mut bool,
    s: &mut State<P>,
    key: MsgKey,
    msg: P::Msg,
) -> Option<P::Msg> {
    let (adversary, traitors) = s.adversary(key.from);
    let Some(adversary) = adversary else {
        return Some(msg);
    };
    let mut ctx = AdversaryCtx::new(Time::ZERO, model.config.n, choices)
        .with_traitors(traitors)
        .about(key);
    *tampering = true;
    let msg = adversary.tamper(&mut ctx, key.from, key.to, msg);
    *tampering = false;
    msg
}

#[cfg(test)]
mod tests;
