//! One state of a search: every node's process, stable storage, liveness and armed timers;
//! the messages in flight; the failure detector's pending notices; the crash budget used;
//! the Byzantine nodes and what their adversaries remember; and each property monitor's
//! memory. Its fingerprint (a fixed hasher over a canonical order) is
//! how a search knows it has been here before.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use sim_core::entropy::DetHasher;
use sim_core::step::Timers;
use sim_core::timer_names::hash_with_names;
use sim_core::{Adversary, NodeId, Process, SearchMonitor, Time, TimerId, World};
use smallvec::SmallVec;

use super::zone::Zone;

/// Scheduling order: the step that scheduled an event (a message's arrival, a timer), and its
/// place among what that step's handlers made. The engine runs simultaneous events in it.
pub(crate) type Key = (u64, u32);

/// A message in flight. `hash` is the message's own fingerprint: it orders a link's messages
/// canonically (unordered links) and tells equal messages apart from different ones.
#[derive(Clone, Debug)]
pub(crate) struct Envelope<M> {
    pub from: NodeId,
    pub to: NodeId,
    pub hash: u64,
    /// Its place in its sender's sending order (a crash loses a suffix of that order).
    pub seq: u32,
    pub msg: M,
    /// When its arrival was scheduled (a search that keeps time: see `zone_graph`).
    pub key: Key,
    /// Whether its delivery is bounded (until its first, on a duplicating link).
    pub timed: bool,
    /// On a lossy link, certainly sent longer than the bound ago: it can only be lost.
    pub late: bool,
}

/// A node's fingerprint not cached (see `State::node_hashes`).
const UNCACHED: u64 = 0;

/// An armed timer.
#[derive(Clone, Debug)]
pub(crate) struct Armed<T> {
    pub id: TimerId,
    pub hash: u64,
    pub tag: T,
    /// How long after being set it fires under the engine (see `bounded`).
    pub delay_ns: u64,
    /// When it was set (a search that keeps time: see `zone_graph`).
    pub key: Key,
}

/// A failure-detector notice not yet delivered: `to` will suspect `about` (or stop).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Notice {
    pub to: NodeId,
    pub about: NodeId,
    pub restore: bool,
}

/// The whole system at one point of a search.
///
/// Each node's own part (process, storage, timers, whether it is up or ever crashed) is
/// private: it is read through accessors and changed only through [`State::node_mut`], which
/// forgets that node's cached fingerprint. So a fingerprint never hashes a node from a stale
/// cache, and a step rehashes only the nodes it touched.
pub(crate) struct State<P: Process> {
    procs: Vec<P>,
    stable: Vec<P::Stable>,
    /// Per node, its timer handles' bookkeeping, shared between a state and its successors
    /// until a node's handler or crash changes it (copy on write): a queued state then costs
    /// one allocation for every node's slab instead of three per node.
    timers: Vec<Arc<Timers>>,
    /// Per node, its armed timers by handle.
    armed: Vec<Vec<Armed<P::Timer>>>,
    up: Vec<bool>,
    ever_crashed: Vec<bool>,
    /// Per node, the fingerprint of its own part (see `hash_node`) while it holds.
    /// `UNCACHED`: not known (a node whose fingerprint happens to be that is hashed anew
    /// each time, which costs time, never a wrong fingerprint).
    node_hashes: Vec<u64>,
    /// In flight, ordered by link (sender, then receiver); within a FIFO link in sending
    /// order, within an unordered one by fingerprint.
    pub net: Vec<Envelope<P::Msg>>,
    /// Sorted.
    pub notices: Vec<Notice>,
    /// Per node, whom it suspects now (a bit per node).
    pub suspected: Vec<u64>,
    /// Per node, messages sent so far (numbers `Envelope::seq`).
    pub sent: Vec<u32>,
    /// Per node, how many of its messages have certainly left its wire: one more than the
    /// latest it sent that was delivered or lost in transit (a crash can only lose later ones).
    pub left: Vec<u32>,
    pub crashes: u32,
    /// Whether the nodes have started. A search with Byzantine nodes begins before the start:
    /// its first step places the traitors and starts every node (see `stepper`).
    pub started: bool,
    /// Per node, whether it is Byzantine (the properties' view).
    pub byzantine: Vec<bool>,
    /// Per node, its adversary if it is Byzantine (a snapshot: `Send`, for `--threads`);
    /// empty until the traitors are placed, so a search without them copies nothing here.
    pub adversaries: Vec<Option<Box<dyn Adversary<P> + Send>>>,
    /// Each checked property's monitor (a copy of its own: `Send`, for `--threads`).
    pub monitors: Vec<Box<dyn SearchMonitor<P>>>,
    /// For a model bounding delays, the constraints on the times still in play (see
    /// `zone_graph`).
    pub zone: Option<Zone>,
    /// The last step's event, if the engine scheduled it (see `zone_graph`).
    pub last_event: Option<Key>,
}

/// Node `node`'s own part of a [`State`], to change (see [`State::node_mut`]).
pub(crate) struct NodeMut<'a, P: Process> {
    pub proc: &'a mut P,
    pub stable: &'a mut P::Stable,
    pub timers: &'a mut Arc<Timers>,
    pub armed: &'a mut Vec<Armed<P::Timer>>,
    pub up: &'a mut bool,
    pub ever_crashed: &'a mut bool,
}

impl<P: Process> State<P> {
    /// The state before anything happened: `procs` as built, every node up with nothing
    /// armed, stored or sent.
    pub(crate) fn new(
        procs: Vec<P>,
        monitors: Vec<Box<dyn SearchMonitor<P>>>,
        zone: Option<Zone>,
    ) -> Self {
        let n = procs.len();
        State {
            procs,
            stable: vec![P::Stable::default(); n],
            timers: (0..n).map(|_| Arc::new(Timers::default())).collect(),
            armed: vec![Vec::new(); n],
            up: vec![true; n],
            ever_crashed: vec![false; n],
            node_hashes: vec![UNCACHED; n],
            net: Vec::new(),
            notices: Vec::new(),
            suspected: vec![0; n],
            sent: vec![0; n],
            left: vec![0; n],
            crashes: 0,
            started: false,
            byzantine: vec![false; n],
            adversaries: Vec::new(),
            zone,
            last_event: None,
            monitors,
        }
    }

    /// Node `node`'s own part, to change; its cached fingerprint is forgotten.
    pub(crate) fn node_mut(&mut self, node: NodeId) -> NodeMut<'_, P> {
        self.node_hashes[node] = UNCACHED;
        NodeMut {
            proc: &mut self.procs[node],
            stable: &mut self.stable[node],
            timers: &mut self.timers[node],
            armed: &mut self.armed[node],
            up: &mut self.up[node],
            ever_crashed: &mut self.ever_crashed[node],
        }
    }

    /// Every node's process, by id.
    pub(crate) fn procs(&self) -> &[P] {
        &self.procs
    }

    /// Whether each node is up, by id.
    pub(crate) fn up(&self) -> &[bool] {
        &self.up
    }

    /// Whether each node ever crashed, by id.
    pub(crate) fn ever_crashed(&self) -> &[bool] {
        &self.ever_crashed
    }

    /// Node `node`'s stable storage.
    pub(crate) fn stable(&self, node: NodeId) -> &P::Stable {
        &self.stable[node]
    }

    /// Node `node`'s armed timers, by handle.
    pub(crate) fn armed(&self, node: NodeId) -> &[Armed<P::Timer>] {
        &self.armed[node]
    }

    /// What the monitors judge: the world as a property sees it, and the monitors.
    pub(crate) fn judging(&mut self) -> (World<'_, P>, &mut [Box<dyn SearchMonitor<P>>]) {
        let State {
            procs,
            up,
            ever_crashed,
            byzantine,
            monitors,
            ..
        } = self;
        (
            World::new(Time::ZERO, procs, up, ever_crashed, byzantine),
            monitors,
        )
    }

    /// The world as a property sees it in this state.
    pub(crate) fn world(&self) -> World<'_, P> {
        let (procs, up, crashed) = (&self.procs, &self.up, &self.ever_crashed);
        World::new(Time::ZERO, procs, up, crashed, &self.byzantine)
    }

    /// Copies of the adversaries (snapshots: each remembers what it did so far).
    fn copy_adversaries(&self) -> impl Iterator<Item = Option<Box<dyn Adversary<P> + Send>>> + '_ {
        self.adversaries.iter().map(|a| {
            a.as_ref().map(|a| {
                a.snapshot()
                    .expect("only adversaries with snapshots are explored")
            })
        })
    }

    /// Every armed timer, node by node.
    pub(crate) fn all_armed(&self) -> impl Iterator<Item = &Armed<P::Timer>> {
        self.armed.iter().flatten()
    }
}

impl<P: Process + Clone> Clone for State<P> {
    fn clone(&self) -> Self {
        State {
            procs: self.procs.clone(),
            stable: self.stable.clone(),
            timers: self.timers.clone(),
            armed: self.armed.clone(),
            up: self.up.clone(),
            ever_crashed: self.ever_crashed.clone(),
            node_hashes: self.node_hashes.clone(),
            net: self.net.clone(),
            notices: self.notices.clone(),
            suspected: self.suspected.clone(),
            sent: self.sent.clone(),
            left: self.left.clone(),
            crashes: self.crashes,
            started: self.started,
            byzantine: self.byzantine.clone(),
            adversaries: self.copy_adversaries().collect(),
            zone: self.zone.clone(),
            last_event: self.last_event,
            monitors: self.monitors.iter().map(|m| m.copy()).collect(),
        }
    }

    /// A copy into `self`, reusing its buffers: a search steps a scratch state this way, so a
    /// successor it has seen before costs no allocation.
    fn clone_from(&mut self, from: &Self) {
        self.procs.clone_from(&from.procs);
        self.stable.clone_from(&from.stable);
        self.timers.clone_from(&from.timers);
        self.armed.clone_from(&from.armed);
        self.up.clone_from(&from.up);
        self.ever_crashed.clone_from(&from.ever_crashed);
        self.node_hashes.clone_from(&from.node_hashes);
        self.net.clone_from(&from.net);
        self.notices.clone_from(&from.notices);
        self.suspected.clone_from(&from.suspected);
        self.sent.clone_from(&from.sent);
        self.left.clone_from(&from.left);
        self.crashes = from.crashes;
        self.started = from.started;
        self.byzantine.clone_from(&from.byzantine);
        self.adversaries.clear();
        self.adversaries.extend(from.copy_adversaries());
        self.zone.clone_from(&from.zone);
        self.last_event = from.last_event;
        self.monitors.clear();
        self.monitors.extend(from.monitors.iter().map(|m| m.copy()));
    }
}

/// A value's fingerprint with the fixed hasher.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DetHasher::default();
    value.hash(&mut h);
    h.finish()
}

impl<P: Process + Hash> State<P>
where
    P::Stable: Hash,
{
    /// The fingerprint of everything that decides what can happen next and what the properties will
    /// say. Timer handles' bookkeeping is left out: it names timers and changes nothing a process
    /// can observe; a node's armed timers are hashed in canonical order by their tags, and handles
    /// a process holds by their canonical names (`timer_names`), so a heartbeat that re-arms
    /// forever does not make new states. So are the numbers of messages' sending order, but not the
    /// order itself among the messages of a node that may still crash (`crashable`), since its
    /// crash loses a suffix of it.
    pub(crate) fn fingerprint(&self, crashable: impl Fn(NodeId) -> bool) -> u64 {
        let mut h = DetHasher::default();
        for node in 0..self.procs.len() {
            let cached = self.node_hashes[node];
            h.write_u64(match cached {
                UNCACHED => self.node_hash(node),
                own => own,
            });
        }
        self.hash_rest(&mut h);
        self.hash_send_order(&mut h, crashable);
        self.hash_timing(&mut h);
        h.finish()
    }

    /// Hashes what the timing of the state adds to its fingerprint: the zone, and every pending
    /// message's and timer's scheduling order (by rank, not step number) and whether it is timed.
    fn hash_timing(&self, h: &mut DetHasher) {
        let Some(zone) = &self.zone else {
            return;
        };
        zone.hash(h);
        let mut borns: Vec<u64> = (self.net.iter().map(|e| e.key.0))
            .chain(self.armed.iter().flatten().map(|t| t.key.0))
            .chain(self.last_event.map(|k| k.0))
            .collect();
        borns.sort_unstable();
        borns.dedup();
        let rank = |key: Key| (borns.binary_search(&key.0).unwrap_or(0), key.1);
        for e in &self.net {
            let (r, made) = rank(e.key);
            h.write_usize(r);
            h.write_u32(made);
            h.write_u8(u8::from(e.timed) | u8::from(e.late) << 1);
        }
        for timer in self.armed.iter().flatten() {
            let (r, made) = rank(timer.key);
            h.write_usize(r);
            h.write_u32(made);
        }
        match self.last_event {
            Some(key) => {
                let (r, made) = rank(key);
                h.write_usize(r + 1);
                h.write_u32(made);
            }
            None => h.write_usize(0),
        }
    }

    fn hash_send_order(&self, h: &mut DetHasher, crashable: impl Fn(NodeId) -> bool) {
        let mut order: Vec<(NodeId, u32, usize)> = (self.net.iter().enumerate())
            .filter(|(_, e)| crashable(e.from))
            .map(|(i, e)| (e.from, e.seq, i))
            .collect();
        order.sort_unstable();
        for (from, seq, i) in order {
            h.write_usize(i);
            h.write_u8(u8::from(seq < self.left[from]));
        }
    }

    /// Caches each node's fingerprint that is not cached (see [`State::node_mut`]): a
    /// fingerprint then rehashes only the nodes changed since.
    pub(crate) fn cache_node_hashes(&mut self) {
        for node in 0..self.procs.len() {
            if self.node_hashes[node] == UNCACHED {
                self.node_hashes[node] = self.node_hash(node);
            }
        }
    }

    /// The fingerprint of node `node`'s own part.
    fn node_hash(&self, node: NodeId) -> u64 {
        let mut h = DetHasher::default();
        self.hash_node(node, &mut h);
        h.finish()
    }

    /// Hashes node `node`'s part of the state.
    fn hash_node(&self, node: NodeId, h: &mut DetHasher) {
        let names = timer_names(&self.armed[node]);
        hash_with_names(&names, || {
            self.procs[node].hash(h);
            self.stable[node].hash(h);
        });
        h.write_u8(u8::from(self.up[node]) | u8::from(self.ever_crashed[node]) << 1);
        h.write_usize(self.armed[node].len());
        for &(id, _) in &names {
            let timer = (self.armed[node].iter()).find(|t| t.id == id);
            h.write_u64(timer.expect("named from this list").hash);
        }
    }

    /// Hashes what belongs to no single node: the network, notices, budget and monitors.
    fn hash_rest(&self, h: &mut DetHasher) {
        h.write_usize(self.net.len());
        for e in &self.net {
            h.write_usize(e.from);
            h.write_usize(e.to);
            h.write_u64(e.hash);
        }
        self.notices.hash(h);
        self.suspected.hash(h);
        h.write_u32(self.crashes);
        h.write_u8(u8::from(self.started));
        for (node, adversary) in self.adversaries.iter().enumerate() {
            if let Some(adversary) = adversary {
                h.write_usize(node);
                adversary.fingerprint(h);
            }
        }
        for m in &self.monitors {
            m.hash_memory(h);
        }
    }
}

/// The canonical names of a node's armed timers: each live handle with its rank by tag,
/// listed in that order. Two states whose timers differ only in their handles' slots and
/// generations name them alike (see `sim_core::timer_names`). Timers with equal tags at one
/// node are ranked by handle: a protocol that arms the same tag twice at once keeps such states
/// apart, as without canonical names (never merging states that differ).
pub(crate) fn timer_names<T>(armed: &[Armed<T>]) -> TimerNames {
    let mut order: SmallVec<[(u64, TimerId); 8]> = armed.iter().map(|t| (t.hash, t.id)).collect();
    order.sort_unstable();
    (order.into_iter().enumerate())
        .map(|(rank, (_, id))| (id, rank as u32))
        .collect()
}

/// A node's timers' canonical names (handle, name): inline for the few a node arms, so
/// naming them allocates nothing.
pub(crate) type TimerNames = SmallVec<[(TimerId, u32); 8]>;

/// The canonical name of armed timer `index` of a node (its rank, as in [`timer_names`]).
pub(crate) fn timer_rank<T>(armed: &[Armed<T>], index: usize) -> u32 {
    let key = (armed[index].hash, armed[index].id);
    armed.iter().filter(|t| (t.hash, t.id) < key).count() as u32
}

impl<P: Process> State<P> {
    /// Puts a message in flight at its canonical place. On a duplicating link the network is
    /// a set: a message already in flight there is not added again.
    pub(crate) fn enqueue(&mut self, mut env: Envelope<P::Msg>, fifo: bool, duplicating: bool) {
        env.seq = self.sent[env.from];
        self.sent[env.from] += 1;
        let link = (env.from, env.to);
        let start = self.net.partition_point(|e| (e.from, e.to) < link);
        let end = start + self.net[start..].partition_point(|e| (e.from, e.to) == link);
        if duplicating && self.net[start..end].iter().any(|e| e.hash == env.hash) {
            return;
        }
        let at = if fifo {
            end
        } else {
            start + self.net[start..end].partition_point(|e| e.hash <= env.hash)
        };
        self.net.insert(at, env);
    }

    /// Notes that message `seq` of `from` left its sender's wire (it was delivered or lost in
    /// transit).
    pub(crate) fn mark_left(&mut self, from: NodeId, seq: u32) {
        self.left[from] = self.left[from].max(seq + 1);
    }

    /// The sending numbers of `node`'s messages in flight that a crash could still lose,
    /// in sending order.
    pub(crate) fn cuttable(&self, node: NodeId) -> Vec<u32> {
        let left = self.left[node];
        let mut seqs: Vec<u32> = (self.net.iter())
            .filter(|e| e.from == node && e.seq >= left)
            .map(|e| e.seq)
            .collect();
        seqs.sort_unstable();
        seqs
    }

    /// Adds a failure-detector notice (once).
    pub(crate) fn notify(&mut self, notice: Notice) {
        if let Err(at) = self.notices.binary_search(&notice) {
            self.notices.insert(at, notice);
        }
    }
}
