//! One process of the group: its messages, timers, observations and state, and the dispatch
//! of each event to the member's part (`member.rs`: applying the log, joining,
//! multicasting) or the coordinator's (`coordinator.rs`: ordering, view
//! changes, the flush when it takes over).

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use ftsim_api::{Ctx, Duration, NodeId, NodeSet, Process};

use super::log::{Digest, Entry, Log, MsgId, Shipped, View, ViewId};
use super::Views;

/// What processes tell each other.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// A member asks the coordinator to order its multicast.
    Submit { id: MsgId },
    /// The coordinator's log entry `index`, to every member.
    Append { index: usize, entry: Entry },
    /// A recovered process (incarnation `inc`) asks to join, to everyone, until welcomed.
    Join { inc: u32 },
    /// The coordinator admits a joiner into `view`: the log from `base` up to and including
    /// the view's installation. With a state transfer `base` is 0: the whole state.
    Welcome {
        view: View,
        base: usize,
        entries: Vec<Entry>,
    },
    /// A new coordinator asks every process it does not suspect for its log.
    FlushReq,
    /// The answer: the process's incarnation and log (`None` while it is joining).
    FlushLog { inc: u32, log: Option<Shipped> },
}

/// What a timer means when it fires.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Time for this process's next multicast.
    Multicast,
    /// A joining process asks again.
    JoinRetry,
}

/// What the properties judge.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// Incarnation `inc` of the process installed `view` with these members, coming from
    /// `prev` (`None`: it joined), with `state` delivered so far (its own deliveries and its
    /// state transfer).
    Install {
        view: ViewId,
        members: NodeSet,
        prev: Option<ViewId>,
        state: Digest,
        inc: u32,
    },
    /// The process delivered `id` in `view`.
    Deliver { id: MsgId, view: ViewId },
    /// The process multicasts `id`.
    Multicast { id: MsgId },
    /// The process recovered from a crash as incarnation `inc`.
    Recovered { inc: u32 },
    /// A new coordinator's flush sent `node` log entries it had missed, `messages` of them
    /// deliveries.
    Repaired {
        node: NodeId,
        entries: usize,
        messages: usize,
    },
}

/// What survives a crash: only the incarnation, so message ids and joins of a new incarnation
/// never repeat an old one's.
#[derive(Clone, Debug, Default, Hash)]
pub struct Stable {
    pub inc: u32,
}

/// The settings every process works with (from the parameters).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub views: Views,
    pub state_transfer: bool,
    /// Multicasts per incarnation.
    pub messages: u32,
    pub join_retry: Duration,
}

/// The coordinator's own state.
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Coordinator {
    /// While it takes over: the logs collected so far and who it still waits for.
    pub(super) flush: Option<Flush>,
    /// Processes waiting to join, with their incarnations.
    pub(super) joiners: BTreeMap<NodeId, u32>,
    /// Multicasts submitted during a flush, ordered once it is over.
    pub(super) queued: Vec<MsgId>,
}

/// A new coordinator's collection of logs.
#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Flush {
    pub(super) waiting: NodeSet,
    pub(super) logs: BTreeMap<NodeId, (u32, Option<Shipped>)>,
}

/// A process's state.
#[derive(Clone, Debug)]
pub struct GroupMember {
    pub(super) settings: Settings,
    pub(super) inc: u32,
    /// The latest installed view; `None` while joining.
    pub(super) view: Option<View>,
    pub(super) log: Log,
    pub(super) delivered: BTreeSet<MsgId>,
    /// Whom the failure detector suspects now.
    pub(super) suspected: NodeSet,
    /// Members of the current view suspected since they joined it: they stay out of the
    /// coordinator's seat even if they come back (a recovered process rejoins afresh).
    pub(super) gone: NodeSet,
    pub(super) next_seq: u32,
    /// Own multicasts not delivered yet, submitted again to each new coordinator.
    pub(super) pending: Vec<MsgId>,
    pub(super) multicasting: bool,
    pub(super) coord: Option<Coordinator>,
}

/// By hand: the settings are the same in every state of a run, so a search's fingerprint
/// leaves them out.
impl Hash for GroupMember {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inc.hash(state);
        self.view.hash(state);
        self.log.hash(state);
        self.delivered.hash(state);
        self.suspected.hash(state);
        self.gone.hash(state);
        self.next_seq.hash(state);
        self.pending.hash(state);
        self.multicasting.hash(state);
        self.coord.hash(state);
    }
}

impl GroupMember {
    pub fn new(settings: Settings) -> Self {
        GroupMember {
            settings,
            inc: 0,
            view: None,
            log: Log::default(),
            delivered: BTreeSet::new(),
            suspected: NodeSet::EMPTY,
            gone: NodeSet::EMPTY,
            next_seq: 0,
            pending: Vec::new(),
            multicasting: false,
            coord: None,
        }
    }

    /// This process's incarnation (0 until its first recovery).
    pub fn incarnation(&self) -> u32 {
        self.inc
    }

    /// The latest installed view (`None` while joining).
    pub fn view(&self) -> Option<&View> {
        self.view.as_ref()
    }

    /// Whether `id` is in this process's state (delivered, or received by state transfer).
    pub fn knows(&self, id: MsgId) -> bool {
        self.delivered.contains(&id)
    }

    /// This process's state: the messages delivered in its log.
    pub fn state(&self) -> Digest {
        Digest::of(self.log.delivered())
    }

    /// The coordinator this process follows.
    pub(super) fn coordinator(&self) -> Option<NodeId> {
        self.view.as_ref()?.coordinator(self.gone)
    }

    pub(super) fn is_coordinator(&self, ctx: &Ctx<'_, Self>) -> bool {
        self.coord.is_some() && self.coordinator() == Some(ctx.id())
    }
}

impl Process for GroupMember {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let founding = View::founding(ctx.n());
        // The most senior founder coordinates from the start: there is nothing to flush.
        if founding.coordinator(NodeSet::EMPTY) == Some(ctx.id()) {
            self.coord = Some(Coordinator::default());
        }
        self.apply(ctx, Entry::Install(founding));
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.inc = ctx.stable().inc + 1;
        ctx.stable_mut().inc = self.inc;
        ctx.sync();
        ctx.observe(Obs::Recovered { inc: self.inc });
        self.ask_to_join(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Submit { id } => self.on_submit(ctx, id),
            Msg::Append { index, entry } => self.on_append(ctx, from, index, entry),
            Msg::Join { inc } => self.on_join(ctx, from, inc),
            Msg::Welcome {
                view,
                base,
                entries,
            } => self.on_welcome(ctx, view, base, entries),
            Msg::FlushReq => self.on_flush_req(ctx, from),
            Msg::FlushLog { inc, log } => self.on_flush_log(ctx, from, inc, log),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Multicast => self.on_multicast_timer(ctx),
            Timer::JoinRetry => {
                if self.view.is_none() {
                    self.ask_to_join(ctx);
                }
            }
        }
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.suspected.insert(node);
        let member = self.view.as_ref().is_some_and(|v| v.nodes().contains(node));
        if member {
            self.gone.insert(node);
        }
        self.on_member_suspected(ctx, node, member);
    }

    fn on_restore(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        self.suspected.remove(node);
        self.on_joiner_restored(ctx, node);
    }
}
