//! Properties judge a run from the observations processes emit and, where needed, a read-only
//! view of their states. Three kinds:
//! - **always** (safety): checked after every event; the first failure stops the run;
//! - **eventually** (liveness): checked once at the end, after the faults stopped and the
//!   network stayed healed for the settle period;
//! - **sometimes** (reachability): must hold in at least one run of a sweep, so that a scenario
//!   cannot pass vacuously; per run, `finish` says whether it was reached.

use std::cell::Cell;

use serde::{Deserialize, Serialize};

use crate::client_history::ClientHistory;
use crate::entropy::DetHasher;
use crate::process::Process;
use crate::time::Time;
use crate::NodeId;

/// When a property is judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyKind {
    /// Safety: after every event; the first failure stops the run.
    #[default]
    Always,
    /// Liveness: once, at the end of a run that was not cut short.
    Eventually,
    /// Reachability: reached in some run of a sweep.
    Sometimes,
}

impl std::fmt::Display for PropertyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PropertyKind::Always => "always",
            PropertyKind::Eventually => "eventually",
            PropertyKind::Sometimes => "sometimes",
        })
    }
}

/// One property instance watching one run, with the name and kind its protocol declared for it.
/// The engine reports a violation under `name` and judges `finish` by `kind`.
pub struct Monitor<P: Process> {
    /// The name the protocol's table gives it.
    pub name: &'static str,
    /// When it is judged.
    pub kind: PropertyKind,
    /// The property itself.
    pub property: Box<dyn Property<P>>,
}

/// A read-only view of the whole system for properties.
pub struct World<'a, P: Process> {
    /// The current virtual time.
    pub now: Time,
    pub(crate) event: u64,
    pub(crate) states: &'a [P],
    pub(crate) up: &'a [bool],
    pub(crate) ever_crashed: &'a [bool],
    pub(crate) byzantine: &'a [bool],
    /// Per node, the last event that ran one of its handlers (0: none yet).
    pub(crate) last_steps: &'a [u64],
    /// The node whose event is being judged.
    pub(crate) event_node: Option<NodeId>,
    /// Set when a property reads the event or its node (see [`World::watching`]).
    pub(crate) step_read: Option<&'a Cell<bool>>,
}

// By hand: deriving would ask `P: Clone`, and a view is only references.
impl<P: Process> Clone for World<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P: Process> Copy for World<'_, P> {}

impl<'a, P: Process> World<'a, P> {
    /// A view over explicit slices (one entry per node), for judging hand-built histories.
    pub fn new(
        now: Time,
        states: &'a [P],
        up: &'a [bool],
        ever_crashed: &'a [bool],
        byzantine: &'a [bool],
    ) -> Self {
        World {
            now,
            event: 0,
            states,
            up,
            ever_crashed,
            byzantine,
            last_steps: &[],
            event_node: None,
            step_read: None,
        }
    }

    /// The same view, judging an event at `node` (see [`World::event_node`]).
    pub fn at_node(mut self, node: NodeId) -> Self {
        self.event_node = Some(node);
        self
    }

    /// The same view, judging event `event` (for hand-built histories: a property that
    /// remembers where observations happened reads it through [`World::event`]).
    pub fn at_event(mut self, event: u64) -> Self {
        self.event = event;
        self
    }

    /// The same view, setting `read` when a property reads which event is judged or at which
    /// node ([`World::event`], [`World::event_node`], [`World::last_event`]). What else it
    /// shows is the state alone, so a property that remembers nothing and reads none of these
    /// gives the same verdict on every path to a state: a search asks it once per state, and
    /// on every step again once one of its judgements read them (see ftsim-explore's
    /// `stepper`).
    pub fn watching(mut self, read: &'a Cell<bool>) -> Self {
        self.step_read = Some(read);
        self
    }

    /// Notes that the property read the step (see [`World::watching`]).
    fn step_was_read(&self) {
        if let Some(read) = self.step_read {
            read.set(true);
        }
    }

    /// The same view, with each node's last step (see [`World::last_event`]; 0 for none).
    pub fn with_last_events(mut self, last_steps: &'a [u64]) -> Self {
        self.last_steps = last_steps;
        self
    }

    /// The number of nodes.
    pub fn n(&self) -> usize {
        self.states.len()
    }
    /// The index of the event being judged (as in `Violation::event` and trace entries), so a
    /// property can remember where an observation happened and point back at it.
    pub fn event(&self) -> u64 {
        self.step_was_read();
        self.event
    }
    /// The node whose handler ran in the event being judged (`None` at the end of a run, or in
    /// a hand-built view). Only that node's state can have changed since the previous event, so
    /// a property that follows states can look at it alone.
    pub fn event_node(&self) -> Option<NodeId> {
        self.step_was_read();
        self.event_node
    }
    /// The last event so far that ran one of `node`'s handlers (its start, a delivery, a
    /// timer, a failure-detector notice, its recovery), if any. A liveness property names it
    /// as the last step at which a stuck process could have made progress.
    pub fn last_event(&self, node: NodeId) -> Option<u64> {
        self.step_was_read();
        self.last_steps.get(node).copied().filter(|&e| e > 0)
    }
    /// The state of a node (for a crashed node: as it was when it crashed).
    pub fn state(&self, node: NodeId) -> &'a P {
        &self.states[node]
    }
    /// Whether `node` is up now.
    pub fn is_up(&self, node: NodeId) -> bool {
        self.up[node]
    }
    /// Whether `node` crashed at some point of the run (even if it recovered).
    pub fn ever_crashed(&self, node: NodeId) -> bool {
        self.ever_crashed[node]
    }
    /// Whether `node` is driven by an adversary.
    pub fn is_byzantine(&self, node: NodeId) -> bool {
        self.byzantine[node]
    }
    /// Correct in the crash-stop sense: never crashed and not Byzantine.
    pub fn is_correct(&self, node: NodeId) -> bool {
        !self.ever_crashed[node] && !self.byzantine[node]
    }
    /// Nodes that are up now and not Byzantine (for crash-recover liveness).
    pub fn is_up_and_honest(&self, node: NodeId) -> bool {
        self.up[node] && !self.byzantine[node]
    }
    /// Every node id.
    pub fn nodes(&self) -> std::ops::Range<NodeId> {
        0..self.states.len()
    }
}

/// Why a property is false at an event: what a violation carries from the property that
/// found it to the report. The message names its evidence ("event #12") so the verdict reads on
/// its own; [`evidence`](Falsified::evidence) lists those other events, so reports can point at
/// them and highlight the causal past of all of them; a liveness verdict can say when the
/// oldest wait it names began.
///
/// ```
/// # use sim_core::{Falsified, Time};
/// let why = Falsified::new("nodes 0 and 2 decided 1 and 2 (events #4 and #9)").citing([4, 9]);
/// assert_eq!(why.evidence, [4, 9]);
/// let stuck = Falsified::new("node 1 waits since event #3")
///     .citing([3])
///     .waiting_since(Time(5_000_000));
/// assert_eq!(stuck.waiting_since, Some(Time(5_000_000)));
/// // A message alone is a verdict that cites nothing.
/// let plain: Falsified = "no leader".into();
/// assert!(plain.evidence.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Falsified {
    /// What went wrong, in words, naming the events of [`evidence`](Falsified::evidence).
    pub message: String,
    /// The events that make the property false besides the violating one (the other decision
    /// of an agreement violation, both holders of a lock, the send and the receipt of an
    /// orphan message; for liveness, what a stuck process waited for and its last step). The
    /// engine reports them sorted, each once.
    pub evidence: Vec<u64>,
    /// For liveness: when the oldest wait the verdict names began (the invocation of the
    /// operation that never returned), if the property knows. A protocol whose model says how
    /// long it needs to finish what it started (`Model::quiesces_within` in ftsim-api) has a
    /// violation whose wait began later than that before the end judged as the run ending too
    /// early.
    pub waiting_since: Option<Time>,
}

impl Falsified {
    /// A verdict with this message, citing no event yet.
    pub fn new(message: impl Into<String>) -> Self {
        Falsified {
            message: message.into(),
            evidence: Vec::new(),
            waiting_since: None,
        }
    }

    /// The same verdict, citing `events` too (after those it cites already).
    pub fn citing(mut self, events: impl IntoIterator<Item = u64>) -> Self {
        self.evidence.extend(events);
        self
    }

    /// The same verdict, whose oldest wait began at `since`.
    pub fn waiting_since(mut self, since: Time) -> Self {
        self.waiting_since = Some(since);
        self
    }
}

impl From<String> for Falsified {
    fn from(message: String) -> Self {
        Falsified::new(message)
    }
}

impl From<&str> for Falsified {
    fn from(message: &str) -> Self {
        Falsified::new(message)
    }
}

impl std::fmt::Display for Falsified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a property's [`check_state`](Property::check_state) found after an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateCheck {
    /// It does not judge states: what the default `check_state` answers, and the engine
    /// stops asking that property for the rest of the run. So a property that judges states
    /// is asked after every event by overriding `check_state` alone: there is no separate
    /// switch to forget.
    NotWatched,
    /// The states hold.
    Holds,
    /// The states break it: a violation at the current event, for this reason.
    Violated(Falsified),
}

impl<E: Into<Falsified>> From<Result<(), E>> for StateCheck {
    fn from(result: Result<(), E>) -> Self {
        match result {
            Ok(()) => StateCheck::Holds,
            Err(why) => StateCheck::Violated(why.into()),
        }
    }
}

impl StateCheck {
    /// As a result: a violation's reason, or `Ok` (also for a property that does not watch).
    pub fn into_result(self) -> Result<(), Falsified> {
        match self {
            StateCheck::Violated(why) => Err(why),
            StateCheck::NotWatched | StateCheck::Holds => Ok(()),
        }
    }
}

/// A property of runs. `Err` from `observe`, or [`StateCheck::Violated`] from `check_state`,
/// is a violation at the current event; `finish` is called at the end of a run that was not
/// cut short: for `Eventually`, `Err` is a violation; for `Always`, too (a safety property that
/// could not judge an event as it happened, say a linearizability check with too many orders
/// to follow, judges the whole run then); for `Sometimes`, `Ok` means "reached in this run".
/// A violation is a [`Falsified`]: its message, the events it cites and, for liveness, when
/// the wait began, in one value written where the violation is found (no second method to
/// keep in step with it).
///
/// A property has no name or kind of its own: the protocol's declaration gives it both, once,
/// and the engine receives them with it as a [`Monitor`]. So one implementation (say,
/// agreement) can serve under several names ("atomicity" in two-phase commit).
///
/// What a search over states (`ftsim explore`) needs of a property, a copy and a fingerprint
/// of what it remembers, is another trait, [`Explorable`], which the property table asks for
/// where the concrete type is known.
pub trait Property<P: Process> {
    /// Called for every observation, in the order they are emitted.
    fn observe(
        &mut self,
        world: &World<'_, P>,
        node: NodeId,
        obs: &P::Obs,
    ) -> Result<(), Falsified> {
        let _ = (world, node, obs);
        Ok(())
    }

    /// Judges process states after every event. A property that judges states overrides
    /// this; the default answers [`StateCheck::NotWatched`] (once per run: then it is not
    /// asked again).
    fn check_state(&mut self, world: &World<'_, P>) -> StateCheck {
        let _ = world;
        StateCheck::NotWatched
    }

    /// Called once when the run ends normally.
    fn finish(&mut self, world: &World<'_, P>) -> Result<(), Falsified> {
        let _ = world;
        Ok(())
    }

    /// The clients' history this property kept, as a history file, for a traced run
    /// (`ftsim replay --history`): `None` for a property that keeps none (the default).
    fn client_history(&self) -> Option<ClientHistory> {
        None
    }
}

/// A property a search over states (`ftsim explore`) can follow: it can be copied (`Clone`),
/// so a search can branch from a state, and it says what it remembers ([`fingerprint`],
/// required: a property cannot forget it and let a search merge two states whose monitors
/// would judge differently). The copy is `Send` and `Sync` because a search with `--threads`
/// rebuilds and expands states on several threads, each reading the state it starts from. A
/// search copies every monitor at every step and keeps a copy per queued state: what a monitor remembers and rarely changes is best kept behind an `Arc`
/// and changed with `Arc::make_mut` (as checkpointing's monitors and stored checkpoints are).
///
/// An implementation without its fingerprint does not compile:
///
/// ```compile_fail
/// # use sim_core::{Ctx, Explorable, NodeId, Process, Property};
/// # #[derive(Debug)] struct P;
/// # impl Process for P {
/// #     type Msg = (); type Timer = (); type Obs = (); type Stable = ();
/// #     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
/// #     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
/// # }
/// #[derive(Clone)]
/// struct Remembers(u64);
/// impl Property<P> for Remembers {}
/// impl Explorable<P> for Remembers {}
/// ```
///
/// [`fingerprint`]: Explorable::fingerprint
pub trait Explorable<P: Process>: Property<P> + Clone + Send + Sync + 'static {
    /// Hashes what this monitor remembers that can change a later verdict. Two paths to the
    /// same states must hash the same, so hash values (the decided value), never event
    /// numbers. A property that remembers nothing (it judges states as they are) hashes
    /// nothing, and says so by writing this empty.
    fn fingerprint(&self, hasher: &mut DetHasher);
}

/// An [`Explorable`] property behind a pointer, as a search holds its monitors: every
/// `Explorable` is one, and nobody implements it by hand.
pub trait SearchMonitor<P: Process>: Property<P> + Send + Sync {
    /// A copy with everything it remembers.
    fn copy(&self) -> Box<dyn SearchMonitor<P>>;
    /// Makes `self` a copy of `from` in place (no allocation) if both are the same property;
    /// false, and `self` unchanged, if not.
    fn copy_from(&mut self, from: &dyn SearchMonitor<P>) -> bool;
    /// Itself, for [`SearchMonitor::copy_from`] to tell what `from` is.
    fn as_any(&self) -> &dyn std::any::Any;
    /// Its [`Explorable::fingerprint`].
    fn hash_memory(&self, hasher: &mut DetHasher);
    /// Whether it can remember nothing: its type has no size, so judging it changes nothing
    /// (a search may then judge a state once, whatever path reached it: see
    /// [`World::watching`]). The compiler says so, not the property's author.
    fn remembers_nothing(&self) -> bool;
}

impl<P: Process, T: Explorable<P>> SearchMonitor<P> for T {
    fn copy(&self) -> Box<dyn SearchMonitor<P>> {
        Box::new(self.clone())
    }
    fn copy_from(&mut self, from: &dyn SearchMonitor<P>) -> bool {
        match from.as_any().downcast_ref::<T>() {
            Some(from) => {
                self.clone_from(from);
                true
            }
            None => false,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn hash_memory(&self, hasher: &mut DetHasher) {
        self.fingerprint(hasher);
    }
    fn remembers_nothing(&self) -> bool {
        std::mem::size_of::<T>() == 0
    }
}
