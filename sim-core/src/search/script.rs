//! A scripted schedule: a run whose order of events is given, not drawn. `ftsim explore` finds
//! a path of untimed steps (this message is delivered, that timer fires, that message is lost);
//! to make it an ordinary run, each step is given its own virtual time and the engine, instead
//! of drawing a message's delay or taking a timer's own delay, asks the script when it happens.
//! A message, a timer or a notice the script does not name never happens (it waits at
//! [`Time::NEVER`], after any run's end). Crashes and recoveries are the fault plan's, at their
//! steps' times. Every other decision (a process's draws) still comes from the wrapped source.
//!
//! Events are named by what they are, never by when they are asked: a message by its
//! [`MsgKey`] (its number on its link), a timer by its node and how many timers that node set
//! before it, so the same handlers asking in the same order meet the same answers. A run with
//! no script (every seeded run) never consults one: [`Choices::script`] is `None` there.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::entropy::{Choices, Draw, Schedule, Stream};
use crate::message::{DropReason, MsgKey};
use crate::tape::Tape;
use crate::time::Time;
use crate::NodeId;

/// One scripted event: what happens, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cue {
    /// When it happens.
    pub at: Time,
    /// What happens.
    #[serde(flatten)]
    pub what: Happening,
}

/// What a cue makes happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Happening {
    /// The message arrives and is delivered. A message with several (a duplicating link's)
    /// arrives once per cue, the later ones as copies.
    Deliver {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
    },
    /// The message arrives and is dropped, for this reason (a lossy link's loss, or its
    /// sender's crash before it left).
    Drop {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// Why it is lost.
        reason: DropReason,
    },
    /// The `ordinal`-th timer `node` set (counted from 0 over the run) fires.
    Fire {
        /// The node.
        node: NodeId,
        /// How many timers the node set before this one.
        ordinal: u64,
    },
    /// A failure-detector notice: `node` suspects `about` (or, `suspect` false, no longer).
    Notice {
        /// The node told.
        node: NodeId,
        /// The node it is about.
        about: NodeId,
        /// Suspicion (true) or restoration (false).
        suspect: bool,
    },
}

/// A run's scripted schedule, in time order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Script {
    /// Every scripted event.
    pub cues: Vec<Cue>,
}

/// A source of decisions that follows a [`Script`]: the engine asks it, as its [`Schedule`],
/// when each message arrives (and whether it is dropped there), when each timer fires, and
/// which notices to schedule. A process's draws are answered from the recorded `tape` if there is one, else
/// with 0, the first outcome (as `ftsim explore` answers the draws it does not branch on).
pub struct Scripted {
    tape: Option<Tape<'static>>,
    /// Per message, its arrivals in time order, each delivered or dropped (and why).
    messages: BTreeMap<MsgKey, Vec<(Time, Option<DropReason>)>>,
    timers: BTreeMap<(NodeId, u64), Time>,
    /// Per node, timers set so far.
    timers_set: Vec<u64>,
    notices: Vec<Cue>,
}

impl Scripted {
    /// Follows `script`; draws come from `tape` (`None`: each answered with 0).
    pub fn new(script: &Script, tape: Option<Tape<'static>>) -> Self {
        let mut s = Scripted {
            tape,
            messages: BTreeMap::new(),
            timers: BTreeMap::new(),
            timers_set: Vec::new(),
            notices: Vec::new(),
        };
        for cue in &script.cues {
            match cue.what {
                Happening::Deliver { msg } => {
                    s.messages.entry(msg).or_default().push((cue.at, None));
                }
                Happening::Drop { msg, reason } => {
                    s.messages
                        .entry(msg)
                        .or_default()
                        .push((cue.at, Some(reason)));
                }
                Happening::Fire { node, ordinal } => {
                    s.timers.insert((node, ordinal), cue.at);
                }
                Happening::Notice { .. } => s.notices.push(*cue),
            }
        }
        s
    }

    /// The recorded decisions it answered from, if any (for how closely a replay kept to them).
    pub fn tape(&self) -> Option<&Tape<'static>> {
        self.tape.as_ref()
    }
}

impl Schedule for Scripted {
    fn arrival(&self, msg: MsgKey, copy: usize) -> Option<Time> {
        let arrivals = self.messages.get(&msg)?;
        arrivals.get(copy).map(|&(at, _)| at)
    }

    fn dropped(&self, msg: MsgKey, at: Time) -> Option<DropReason> {
        let arrivals = self.messages.get(&msg)?;
        let arrival = arrivals.iter().find(|&&(t, _)| t == at)?;
        arrival.1
    }

    fn timer_set(&mut self, node: NodeId) -> Time {
        if self.timers_set.len() <= node {
            self.timers_set.resize(node + 1, 0);
        }
        let ordinal = self.timers_set[node];
        self.timers_set[node] += 1;
        self.timers
            .get(&(node, ordinal))
            .copied()
            .unwrap_or(Time::NEVER)
    }

    fn notices(&self) -> Vec<(Time, NodeId, NodeId, bool)> {
        (self.notices.iter())
            .filter_map(|cue| match cue.what {
                Happening::Notice {
                    node,
                    about,
                    suspect,
                } => Some((cue.at, node, about, suspect)),
                _ => None,
            })
            .collect()
    }
}

impl Choices for Scripted {
    fn choose(&mut self, stream: Stream, draw: Draw, bound: u64) -> u64 {
        match &mut self.tape {
            Some(tape) => tape.choose(stream, draw, bound),
            None => 0,
        }
    }

    fn script(&mut self) -> Option<&mut dyn Schedule> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_event_by_what_it_is() {
        let msg = MsgKey {
            from: 0,
            to: 1,
            seq: 2,
        };
        let script = Script {
            cues: vec![
                Cue {
                    at: Time(5),
                    what: Happening::Drop {
                        msg,
                        reason: DropReason::Loss,
                    },
                },
                Cue {
                    at: Time(7),
                    what: Happening::Fire {
                        node: 1,
                        ordinal: 1,
                    },
                },
            ],
        };
        let mut s = Scripted::new(&script, None);
        assert_eq!(s.arrival(msg, 0), Some(Time(5)));
        assert_eq!(s.arrival(msg, 1), None);
        assert_eq!(s.dropped(msg, Time(5)), Some(DropReason::Loss));
        assert_eq!(s.arrival(MsgKey { seq: 0, ..msg }, 0), None);
        assert_eq!(
            s.timer_set(1),
            Time::NEVER,
            "the first timer is not scripted"
        );
        assert_eq!(s.timer_set(1), Time(7));
        let text = serde_json::to_string(&script).unwrap();
        let back: Script = serde_json::from_str(&text).unwrap();
        assert_eq!(back, script);
    }
}
