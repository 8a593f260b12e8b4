//! One handler run outside the engine, for a search that keeps its own copy of every node and
//! decides itself what happens next (`ftsim explore`). The handler gets the same [`Ctx`] as
//! under the engine; what it pushed comes back as [`Output`]s, broadcasts already expanded in
//! the engine's order (every other node, by increasing id). There is no clock here: `now()` is
//! time zero, and the search, not a delay, decides when a timer fires.

use crate::entropy::Choices;
use crate::process::{Ctx, Effect, Process};
use crate::time::Time;
use crate::timer::{TimerId, TimerSlab};
use crate::NodeId;

/// A node's timer handles: which are live, so that a cancel or a crash disarms them exactly as
/// under the engine. Cloned with the node when a search branches.
#[derive(Clone, Debug, Default)]
pub struct Timers(TimerSlab);

impl Timers {
    /// Disarms `id` as it fires; false if it was cancelled or crashed since (then it must not
    /// fire).
    pub fn fire(&mut self, id: TimerId) -> bool {
        self.0.disarm(id)
    }

    /// Disarms every timer (a crash).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Which handler to run.
#[derive(Debug)]
pub enum Handler<P: Process> {
    /// `on_start`.
    Start,
    /// `on_message(from, msg)`.
    Message {
        /// The sender.
        from: NodeId,
        /// The message.
        msg: P::Msg,
    },
    /// `on_timer(tag)`.
    Timer(P::Timer),
    /// `on_recover` (on a process freshly built by the factory).
    Recover,
    /// `on_suspect(node)`.
    Suspect(NodeId),
    /// `on_restore(node)`.
    Restore(NodeId),
}

/// What a handler asked for, in the order it asked.
#[derive(Debug)]
pub enum Output<P: Process> {
    /// A message to `to` (one per receiver of a broadcast).
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: P::Msg,
    },
    /// A timer armed with this tag.
    SetTimer {
        /// Its handle (the one the handler got back).
        id: TimerId,
        /// How long after being set it fires under the engine (a search that checks a path
        /// against the model's timing needs it).
        delay: crate::time::Duration,
        /// What it means when it fires.
        tag: P::Timer,
    },
    /// A live timer cancelled.
    CancelTimer {
        /// Its handle.
        id: TimerId,
    },
    /// An observation, for the properties.
    Observe(P::Obs),
}

/// The node a handler runs on: its identity, its timers and its stable storage.
pub struct NodeRef<'a, P: Process> {
    /// The node's id.
    pub id: NodeId,
    /// The group size.
    pub n: usize,
    /// Its timer handles.
    pub timers: &'a mut Timers,
    /// Its stable storage (every write durable: a search models no storage faults).
    pub stable: &'a mut P::Stable,
}

/// Runs `handler` on `process` at `node`, answering its random draws from `choices`, and
/// appends what it asked for to `out` (cleared first; a buffer the caller reuses).
pub fn run_handler<P: Process>(
    process: &mut P,
    node: NodeRef<'_, P>,
    handler: Handler<P>,
    choices: &mut dyn Choices,
    out: &mut Vec<Output<P>>,
) {
    out.clear();
    let mut effects = Vec::new();
    {
        let mut ctx = Ctx {
            id: node.id,
            n: node.n,
            now: Time::ZERO,
            effects: &mut effects,
            timers: &mut node.timers.0,
            stable: node.stable,
            stable_written: false,
            storage_faults: false,
            unsynced: false,
            choices,
        };
        match handler {
            Handler::Start => process.on_start(&mut ctx),
            Handler::Message { from, msg } => process.on_message(&mut ctx, from, msg),
            Handler::Timer(tag) => process.on_timer(&mut ctx, tag),
            Handler::Recover => process.on_recover(&mut ctx),
            Handler::Suspect(about) => process.on_suspect(&mut ctx, about),
            Handler::Restore(about) => process.on_restore(&mut ctx, about),
        }
    }
    for effect in effects {
        match effect {
            Effect::Send { to, msg } => out.push(Output::Send { to, msg }),
            Effect::Broadcast { msg } => {
                for to in (0..node.n).filter(|&to| to != node.id) {
                    out.push(Output::Send {
                        to,
                        msg: msg.clone(),
                    });
                }
            }
            Effect::SetTimer { id, delay, tag } => out.push(Output::SetTimer { id, delay, tag }),
            Effect::CancelTimer { id } => out.push(Output::CancelTimer { id }),
            Effect::Observe(obs) => out.push(Output::Observe(obs)),
            Effect::Sync(_) => {}
        }
    }
}
