//! One handler run outside the engine, for a search that keeps its own copy of every node and
//! decides itself what happens next (`ftsim explore`). The handler gets the same [`Ctx`] as
//! under the engine; what it pushed comes back as [`Output`]s, broadcasts already expanded in
//! the engine's order (every other node, by increasing id). There is no clock here: `now()` is
//! time zero, and the search, not a delay, decides when a timer fires.

use crate::entropy::Choices;
use crate::process::{Ctx, Effect, Process, SlabRef};
use crate::time::Time;
use crate::timer::TimerId;
pub use crate::timer::{Timers, TimersOnWrite};
use crate::NodeId;

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
    /// Its timer handles (asked for only when the handler sets or cancels a timer).
    pub timers: &'a mut dyn TimersOnWrite,
    /// Its stable storage (every write durable: a search models no storage faults).
    pub stable: &'a mut P::Stable,
}

/// What a handler asked for ([`Output`]s, in order), with the buffer it asked into: kept by
/// the caller from one handler run to the next, so that a run allocates nothing once both
/// have grown to what a handler asks for.
#[derive(Debug)]
pub struct Outputs<P: Process> {
    effects: Vec<Effect<P>>,
    list: Vec<Output<P>>,
}

impl<P: Process> Default for Outputs<P> {
    fn default() -> Self {
        Outputs {
            effects: Vec::new(),
            list: Vec::new(),
        }
    }
}

impl<P: Process> Outputs<P> {
    /// Takes the outputs out, in order, leaving the buffer empty (its capacity kept).
    pub fn drain(&mut self) -> std::vec::Drain<'_, Output<P>> {
        self.list.drain(..)
    }

    /// Forgets the outputs (a handler that panicked).
    pub fn clear(&mut self) {
        self.effects.clear();
        self.list.clear();
    }
}

/// Runs `handler` on `process` at `node`, answering its random draws from `choices`, and
/// leaves what it asked for in `out` (cleared first). Inlined into its caller, so that `node`'s
/// fields stay in registers: passed through memory, the load of its timers' two words waited
/// on the caller's stores of them (half of this function's samples in `perf`).
#[inline]
pub fn run_handler<P: Process>(
    process: &mut P,
    node: NodeRef<'_, P>,
    handler: Handler<P>,
    choices: &mut dyn Choices,
    out: &mut Outputs<P>,
) {
    out.clear();
    let Outputs { effects, list: out } = out;
    {
        let mut ctx = Ctx {
            id: node.id,
            n: node.n,
            now: Time::ZERO,
            effects,
            timers: SlabRef::OnWrite(node.timers),
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
    for effect in effects.drain(..) {
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
