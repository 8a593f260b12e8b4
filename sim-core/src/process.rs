//! What a protocol implements ([`Process`]) and what its handlers may do ([`Ctx`]). Handlers
//! never act directly: they push effects (sends, timers, observations) into a buffer that the
//! engine applies afterwards, so the same code could run under a checker or a real network.

use std::fmt::Debug;
use std::hash::Hash;

use crate::entropy::{chance, Choices, DetHasher, Draw, Stream};
use crate::message::MsgKey;
use crate::time::{Duration, Time};
use crate::timer::{TimerId, TimerSlab, TimersOnWrite};
use crate::NodeId;

/// A protocol participant. The engine owns one per node, builds it with the protocol's factory
/// at start and again, from scratch, when the node recovers from a crash.
pub trait Process: Sized + Debug {
    /// Messages between processes.
    type Msg: Clone + Debug + Hash;
    /// Timer tags: what a timer means when it fires.
    type Timer: Clone + Debug + Hash;
    /// Typed observations that properties judge (`Decide(v)`, `Deliver(id)`…).
    type Obs: Clone + Debug + Hash;
    /// What survives a crash. Written through [`Ctx::stable_mut`], read through [`Ctx::stable`].
    type Stable: Clone + Debug + Default;

    /// The node starts (time 0).
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>);

    /// A message arrives.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Self::Msg);

    /// A timer set with [`Ctx::set_timer`] fires (it was not cancelled and the node did not
    /// crash since).
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Self::Timer) {
        let _ = (ctx, timer);
    }

    /// The node restarts after a crash. `self` is freshly built by the factory; only
    /// `ctx.stable()` survived. By default the node starts over.
    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.on_start(ctx);
    }

    /// The failure detector now suspects `node`.
    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        let _ = (ctx, node);
    }

    /// The failure detector no longer suspects `node`.
    fn on_restore(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        let _ = (ctx, node);
    }
}

/// An effect requested by a handler, applied by the engine when the handler returns.
#[derive(Debug)]
pub(crate) enum Effect<P: Process> {
    Send {
        to: NodeId,
        msg: P::Msg,
    },
    Broadcast {
        msg: P::Msg,
    },
    SetTimer {
        id: TimerId,
        delay: Duration,
        tag: P::Timer,
    },
    CancelTimer {
        id: TimerId,
    },
    Observe(P::Obs),
    /// Stable storage as it was when the handler synced it (only with storage faults on),
    /// in order with the sends: a crash that cuts the handler before this point loses it.
    Sync(P::Stable),
}

/// Where a handler's timer handles are: the node's own slab (the engine), or a search's slab
/// shared with other states, copied only when the handler sets or cancels a timer.
pub(crate) enum SlabRef<'a> {
    Own(&'a mut TimerSlab),
    OnWrite(&'a mut dyn TimersOnWrite),
}

impl SlabRef<'_> {
    fn get(&mut self) -> &mut TimerSlab {
        match self {
            SlabRef::Own(slab) => slab,
            SlabRef::OnWrite(shared) => &mut shared.timers().0,
        }
    }
}

/// What a handler can see and do.
pub struct Ctx<'a, P: Process> {
    pub(crate) id: NodeId,
    pub(crate) n: usize,
    pub(crate) now: Time,
    pub(crate) effects: &'a mut Vec<Effect<P>>,
    pub(crate) timers: SlabRef<'a>,
    pub(crate) stable: &'a mut P::Stable,
    pub(crate) stable_written: bool,
    /// Whether the run models storage faults (then a sync takes a snapshot).
    pub(crate) storage_faults: bool,
    /// Whether stable storage holds writes not synced yet (tracked with storage faults only).
    pub(crate) unsynced: bool,
    pub(crate) choices: &'a mut dyn Choices,
}

impl<'a, P: Process> Ctx<'a, P> {
    /// This node's id, from 0 to `n() - 1`.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The number of nodes in the group.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Every node id except this one, in increasing order.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> {
        let me = self.id;
        (0..self.n).filter(move |&i| i != me)
    }

    /// Sends `msg` to `to` (which may be this node itself).
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }

    /// Sends `msg` to every other node, in increasing id order.
    pub fn broadcast(&mut self, msg: P::Msg) {
        self.effects.push(Effect::Broadcast { msg });
    }

    /// Fires `on_timer(tag)` after `delay`, unless cancelled or the node crashes first.
    pub fn set_timer(&mut self, delay: Duration, tag: P::Timer) -> TimerId {
        let id = self.timers.get().arm();
        self.effects.push(Effect::SetTimer { id, delay, tag });
        id
    }

    /// Cancels a timer; cancelling one that already fired or was cancelled does nothing.
    pub fn cancel_timer(&mut self, id: TimerId) {
        if self.timers.get().disarm(id) {
            self.effects.push(Effect::CancelTimer { id });
        }
    }

    /// Reports something the process did, for the properties to judge.
    pub fn observe(&mut self, obs: P::Obs) {
        self.effects.push(Effect::Observe(obs));
    }

    /// This node's stable storage, as it survived any crash.
    pub fn stable(&self) -> &P::Stable {
        self.stable
    }

    /// Writes stable storage. The write is durable when the handler returns, unless the
    /// scenario models storage faults: then only synced writes survive a crash (see
    /// [`Ctx::sync`]).
    pub fn stable_mut(&mut self) -> &mut P::Stable {
        self.stable_written = true;
        self.unsynced = true;
        self.stable
    }

    /// Makes everything this node wrote to stable storage durable, including what this handler
    /// writes, before whatever the handler sends after this call leaves (an `fsync` before
    /// answering; call it before the sends it must precede). Under storage faults, writes not
    /// synced are lost at a crash, and a crash that cuts the handler before this point (see
    /// triggered crashes) loses the sync; otherwise syncing changes nothing.
    pub fn sync(&mut self) {
        if self.storage_faults && self.unsynced {
            self.effects.push(Effect::Sync(self.stable.clone()));
            self.unsynced = false;
        }
    }

    /// A number drawn uniformly from `0..bound` from this process's own stream.
    ///
    /// # Panics
    /// If `bound` is 0: there is no number below 0. A protocol that asks is wrong, and its run
    /// ends as a panic outcome naming this call instead of silently drawing from `0..1`.
    pub fn random_below(&mut self, bound: u64) -> u64 {
        assert!(
            bound > 0,
            "Ctx::random_below(0): the bound must be at least 1"
        );
        self.choices
            .choose(Stream::Process(self.id), Draw::Pick, bound)
    }

    /// True with probability `ppm` parts per million, from this process's own stream.
    pub fn random_chance_ppm(&mut self, ppm: u32) -> bool {
        chance(self.choices, Stream::Process(self.id), Draw::Chance { ppm })
    }

    /// A duration drawn uniformly from `[min, max]`, from this process's own stream.
    pub fn random_duration(&mut self, min: Duration, max: Duration) -> Duration {
        let span = max.0.saturating_sub(min.0);
        Duration(
            min.0
                .saturating_add(self.random_below(span.saturating_add(1))),
        )
    }
}

/// What a Byzantine adversary can see and draw from when it intercepts a message.
pub struct AdversaryCtx<'a> {
    /// The current virtual time.
    pub now: Time,
    /// The number of nodes in the group.
    pub n: usize,
    /// The message intercepted: the adversary's draws about it are keyed to it.
    pub(crate) msg: Option<MsgKey>,
    pub(crate) choices: &'a mut dyn Choices,
    /// Per node, whether it is Byzantine (empty: not known, as in a unit test that did not
    /// say).
    pub(crate) byzantine: &'a [bool],
}

impl<'a> AdversaryCtx<'a> {
    /// A context for calling an adversary directly (in a protocol's unit tests), with no
    /// traitors known until [`AdversaryCtx::with_traitors`] says.
    pub fn new(now: Time, n: usize, choices: &'a mut dyn Choices) -> Self {
        AdversaryCtx {
            now,
            n,
            msg: None,
            choices,
            byzantine: &[],
        }
    }

    /// The same context, knowing which nodes are Byzantine (`byzantine[i]` for node i).
    pub fn with_traitors(self, byzantine: &'a [bool]) -> Self {
        AdversaryCtx { byzantine, ..self }
    }

    /// The same context, intercepting `msg`: the adversary's draws are decisions about that
    /// message (as in a run, so a search's counterexample replays them).
    pub fn about(self, msg: MsgKey) -> Self {
        AdversaryCtx {
            msg: Some(msg),
            ..self
        }
    }

    /// Whether `node` is Byzantine: traitors collude, so each knows the others.
    pub fn is_traitor(&self, node: NodeId) -> bool {
        self.byzantine.get(node).copied().unwrap_or(false)
    }

    /// A number drawn uniformly from `0..bound` from the adversary stream (recorded as a
    /// decision about the intercepted message).
    ///
    /// # Panics
    /// If `bound` is 0 (see [`Ctx::random_below`]).
    pub fn random_below(&mut self, bound: u64) -> u64 {
        assert!(
            bound > 0,
            "AdversaryCtx::random_below(0): the bound must be at least 1"
        );
        let draw = self.msg.map_or(Draw::Pick, |msg| Draw::Tamper { msg });
        self.choices.choose(Stream::Adversary, draw, bound)
    }
}

/// An adversary's copy as a search holds it (see [`Adversary::snapshot`]).
pub type AdversarySnapshot<P> = Box<dyn Adversary<P> + Send + Sync>;

/// Drives a Byzantine node: the node runs the protocol's correct code, and every message it
/// sends passes through the adversary, which may forward, replace or drop it. Each protocol
/// specialises adversaries that know its messages (equivocate, lie); [`Silent`] needs no
/// knowledge and is provided here.
pub trait Adversary<P: Process> {
    /// Decides what `from` actually sends to `to` in place of `msg` (`None`: nothing).
    fn tamper(
        &mut self,
        ctx: &mut AdversaryCtx<'_>,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
    ) -> Option<P::Msg>;

    /// For a search over states (`ftsim explore`): a copy of this adversary with everything it
    /// remembers, so that a search can branch from a state. `None` (the default): the
    /// adversary cannot be explored, and a search asking for it is refused. `Send` and
    /// `Sync`, as a search with `--threads` rebuilds and expands states on several threads.
    fn snapshot(&self) -> Option<AdversarySnapshot<P>> {
        None
    }

    /// For a search: hashes what this adversary remembers that can change what it sends
    /// later (two paths that leave it remembering the same must hash the same). Nothing by
    /// default (an adversary that remembers nothing).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        let _ = hasher;
    }
}

/// A Byzantine node that never sends anything.
#[derive(Clone, Copy, Debug)]
pub struct Silent;

impl<P: Process> Adversary<P> for Silent {
    fn tamper(
        &mut self,
        _: &mut AdversaryCtx<'_>,
        _: NodeId,
        _: NodeId,
        _: P::Msg,
    ) -> Option<P::Msg> {
        None
    }

    fn snapshot(&self) -> Option<AdversarySnapshot<P>> {
        Some(Box::new(Silent))
    }
}
