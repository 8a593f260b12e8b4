//! One state of a search: every node's process, stable storage, liveness and armed timers;
//! the messages in flight; the failure detector's pending notices; the crash budget used;
//! the Byzantine nodes and what their adversaries remember; and each property monitor's
//! memory. Its fingerprint (a fixed hasher over a canonical order) is
//! how a search knows it has been here before.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use smallvec::SmallVec;

use sim_core::entropy::DetHasher;
use sim_core::timer_names::hash_named;
use sim_core::{AdversarySnapshot, NodeId, Process, SearchMonitor, Time, World};

use crate::network::Network;
pub(crate) use crate::network::{Envelope, Key};
use crate::shared::Spare;
use crate::timers::TimersMut;
pub(crate) use crate::timers::{timer_names, timer_rank, Armed, NodeTimers};
use crate::version::Version;
use crate::zone::Zone;
use extras::Extras;

/// A node's fingerprint not cached (see [`Mark::hash`]).
const UNCACHED: u64 = 0;

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
/// forgets that node's cached fingerprint and renews its version. So a fingerprint never
/// hashes a node from a stale cache, a step rehashes only the nodes it touched, and a copy
/// into a scratch state copies only those (see `version`).
pub(crate) struct State<P: Process> {
    /// The parts with an entry per node (these, `slots`, `flags` and `net`'s counts) are
    /// boxed slices, not vectors: their length is fixed for a search, so a held state keeps
    /// no capacity for them (8 bytes each). What `State` says of its size is checked by a
    /// test (`a_state_is_152_bytes`).
    procs: Box<[P]>,
    /// Per node, its stable storage, its timers and the version and cached fingerprint of
    /// its own part (see [`Slot`]).
    slots: Box<[Slot<P>]>,
    /// Timers no state shares any more, to copy a node's into when a step changes them (see
    /// `shared` and [`TimersMut::own`]): a scratch state keeps the one it let go, so stepping
    /// it allocates none. Not part of the state: a copy starts with none, and a state the
    /// queue holds gives its own to the queue (see [`State::trim`]).
    spare_timers: Spare<NodeTimers<P::Timer>>,
    /// Per node, whether it is up, whether it ever crashed and whether it is Byzantine (the
    /// properties' view): three runs of `n` in one buffer (see [`State::up`],
    /// [`State::ever_crashed`], [`State::byzantine`]), shared with the states before and
    /// after it until a crash, a recovery or a placement of traitors changes it (copy on
    /// write: [`State::set_up`], [`State::set_byzantine`]). Most steps change none, so a held
    /// state pays no allocation for them (a buffer of its own cost TwoPhase with 8 RMs 5.4 MB
    /// at its peak).
    flags: Arc<[bool]>,
    /// In flight, ordered by link (sender, then receiver); within a FIFO link in sending
    /// order, within an unordered one by fingerprint.
    pub net: Network<P::Msg>,
    pub crashes: u32,
    /// Whether the nodes have started. A search with Byzantine nodes begins before the start:
    /// its first step places the traitors and starts every node (see `stepper`).
    pub started: bool,
    /// Whether every monitor remembers nothing ([`SearchMonitor::remembers_nothing`]: its
    /// type has no size), as most properties, which judge each state as it is: a copy then
    /// copies none and a fingerprint hashes none (a call each through a pointer, 4% of a
    /// TwoPhase search's instructions).
    monitors_forget: bool,
    /// Each checked property's monitor (a copy of its own: `Send` and `Sync`,
    /// for `--threads`). Read through [`State::monitors`], changed through
    /// [`State::judging`], which does not replace one. A boxed slice: a search's states all
    /// have the model's monitors, so no capacity is kept.
    monitors: Box<[Box<dyn SearchMonitor<P>>]>,
    /// The failure detector's notices and suspicions, the adversaries and the timing, if
    /// any of them holds something (see [`Extras`]): `None` is all of them empty.
    extras: Option<Box<Extras<P>>>,
}

/// What a state keeps of a node besides its process: its stable storage, its timers (see
/// [`NodeTimers`]) and its [`Mark`]. One record, so that a state holds one buffer for them
/// (two buffers for the timers and marks cost TwoPhase with 8 RMs 3.8 MiB more at its peak;
/// a storage with no size, as most protocols', then costs no buffer and no field).
struct Slot<P: Process> {
    mark: Mark,
    timers: Arc<NodeTimers<P::Timer>>,
    stable: P::Stable,
}

impl<P: Process> Clone for Slot<P> {
    fn clone(&self) -> Self {
        Slot {
            mark: self.mark,
            timers: Arc::clone(&self.timers),
            stable: self.stable.clone(),
        }
    }
}

/// What a state knows of a node's own part besides its contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mark {
    /// The version of the node's part (see `version`): a copy into a scratch state copies
    /// only the nodes whose version differs (their timers are shared, not copied).
    version: Version,
    /// The fingerprint of the node's part (see `hash_node`) while it holds. `UNCACHED`: not
    /// known (a node whose fingerprint happens to be that is hashed anew each time, which
    /// costs time, never a wrong fingerprint).
    hash: u64,
}

impl Mark {
    /// A part just changed: a new version, its fingerprint not known.
    fn fresh() -> Self {
        Mark {
            version: Version::fresh(),
            hash: UNCACHED,
        }
    }
}

/// A state's monitors, to judge with (see [`State::judging`]): each may change what it
/// remembers, but none can be replaced, so what the state knows of them (whether every one
/// remembers nothing) holds.
pub(crate) struct MonitorsMut<'a, P: Process>(&'a mut [Box<dyn SearchMonitor<P>>]);

impl<P: Process> MonitorsMut<'_, P> {
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Each monitor, in the model's order.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut dyn SearchMonitor<P>> {
        self.0
            .iter_mut()
            .map(|m| &mut **m as &mut dyn SearchMonitor<P>)
    }
}

/// Node `node`'s own part of a [`State`], to change (see [`State::node_mut`]).
pub(crate) struct NodeMut<'a, P: Process> {
    pub proc: &'a mut P,
    pub stable: &'a mut P::Stable,
    pub timers: TimersMut<'a, P::Timer>,
}

impl<P: Process> State<P> {
    /// The state before anything happened: `procs` as built, every node up with nothing
    /// armed, stored or sent, in a search where a node may crash or not (`crashable`:
    /// see `Config::crashable`).
    pub(crate) fn new(
        procs: Vec<P>,
        monitors: Vec<Box<dyn SearchMonitor<P>>>,
        zone: Option<Zone>,
        crashable: bool,
    ) -> Self {
        let n = procs.len();
        State {
            procs: procs.into_boxed_slice(),
            slots: (0..n)
                .map(|_| Slot {
                    mark: Mark::fresh(),
                    timers: Arc::default(),
                    stable: P::Stable::default(),
                })
                .collect(),
            spare_timers: None,
            flags: [vec![true; n], vec![false; 2 * n]].concat().into(),
            net: Network::new(n, crashable),
            crashes: 0,
            started: false,
            monitors_forget: monitors.iter().all(|m| m.remembers_nothing()),
            extras: zone.map(|zone| {
                Box::new(Extras {
                    zone: Some(zone),
                    ..Extras::default()
                })
            }),
            monitors: monitors.into_boxed_slice(),
        }
    }

    /// Node `node`'s own part, to change; its cached fingerprint is forgotten and its version
    /// renewed.
    pub(crate) fn node_mut(&mut self, node: NodeId) -> NodeMut<'_, P> {
        let slot = &mut self.slots[node];
        slot.mark = Mark::fresh();
        NodeMut {
            proc: &mut self.procs[node],
            stable: &mut slot.stable,
            timers: TimersMut::new(&mut slot.timers, &mut self.spare_timers),
        }
    }

    /// Marks node `node` up or down (down: it also ever crashed, for good), a part of the
    /// node's own: its cached fingerprint is forgotten and its version renewed.
    pub(crate) fn set_up(&mut self, node: NodeId, up: bool) {
        self.slots[node].mark = Mark::fresh();
        let n = self.procs.len();
        let flags = Arc::make_mut(&mut self.flags);
        flags[node] = up;
        if !up {
            flags[n + node] = true;
        }
    }

    /// Node `node`'s timers, to change (its process untouched); its cached fingerprint is
    /// forgotten and its version renewed.
    pub(crate) fn timers_mut(&mut self, node: NodeId) -> &mut NodeTimers<P::Timer> {
        let slot = &mut self.slots[node];
        slot.mark = Mark::fresh();
        TimersMut::new(&mut slot.timers, &mut self.spare_timers).own()
    }

    /// Every node's process, by id.
    pub(crate) fn procs(&self) -> &[P] {
        &self.procs
    }

    /// Whether each node is up, by id.
    pub(crate) fn up(&self) -> &[bool] {
        flag_runs(&self.flags, self.procs.len())[0]
    }

    /// Whether each node is Byzantine, by id.
    pub(crate) fn byzantine(&self) -> &[bool] {
        flag_runs(&self.flags, self.procs.len())[2]
    }

    /// Node `node`'s adversary, if it is Byzantine, and whether each node is.
    pub(crate) fn adversary(
        &mut self,
        node: NodeId,
    ) -> (Option<&mut AdversarySnapshot<P>>, &[bool]) {
        let adversaries = self.extras.as_mut().map(|e| &mut e.adversaries);
        let adversary = adversaries.and_then(|a| a.get_mut(node)?.as_mut());
        (adversary, flag_runs(&self.flags, self.procs.len())[2])
    }

    /// Marks node `node` Byzantine or not.
    pub(crate) fn set_byzantine(&mut self, node: NodeId, traitor: bool) {
        let n = self.procs.len();
        Arc::make_mut(&mut self.flags)[2 * n + node] = traitor;
    }

    /// Whether each node ever crashed, by id.
    pub(crate) fn ever_crashed(&self) -> &[bool] {
        flag_runs(&self.flags, self.procs.len())[1]
    }

    /// Node `node`'s stable storage.
    pub(crate) fn stable(&self, node: NodeId) -> &P::Stable {
        &self.slots[node].stable
    }

    /// Node `node`'s armed timers, by handle.
    pub(crate) fn armed(&self, node: NodeId) -> &[Armed<P::Timer>] {
        self.slots[node].timers.armed()
    }

    /// Each checked property's monitor, in the model's order.
    pub(crate) fn monitors(&self) -> &[Box<dyn SearchMonitor<P>>] {
        &self.monitors
    }

    /// What the monitors judge: the world as a property sees it, and the monitors.
    pub(crate) fn judging(&mut self) -> (World<'_, P>, MonitorsMut<'_, P>) {
        let State {
            procs,
            flags,
            monitors,
            ..
        } = self;
        let [up, ever_crashed, byzantine] = flag_runs(flags, procs.len());
        (
            World::new(Time::ZERO, procs, up, ever_crashed, byzantine),
            MonitorsMut(monitors),
        )
    }

    /// The world as a property sees it in this state.
    pub(crate) fn world(&self) -> World<'_, P> {
        let (up, crashed) = (self.up(), self.ever_crashed());
        World::new(Time::ZERO, &self.procs, up, crashed, self.byzantine())
    }

    /// Every armed timer, node by node.
    pub(crate) fn all_armed(&self) -> impl Iterator<Item = &Armed<P::Timer>> {
        self.slots.iter().flat_map(|s| s.timers.armed())
    }
}

/// The flag buffer of a state of `n` nodes as its three runs of one flag a node: up, ever
/// crashed, Byzantine (see `State::flags`). Inlined: a caller reading one run computes only it
/// (not inlined, it cost 3% of a TwoPhase search's instructions).
#[inline(always)]
fn flag_runs(flags: &[bool], n: usize) -> [&[bool]; 3] {
    let (up, rest) = flags.split_at(n);
    let (ever_crashed, byzantine) = rest.split_at(n);
    [up, ever_crashed, byzantine]
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
    /// order itself among the messages of a node that may still crash (one that is up, that
    /// `may_crash` lets crash, while fewer than `crash_budget` crashes happened), since its
    /// crash loses a suffix of it.
    pub(crate) fn fingerprint(&self, may_crash: &[bool], crash_budget: u32) -> u64 {
        let mut h = DetHasher::default();
        for (node, slot) in self.slots.iter().enumerate() {
            h.write_u64(match slot.mark.hash {
                UNCACHED => self.node_hash(node),
                own => own,
            });
        }
        self.hash_rest(&mut h);
        if self.crashes < crash_budget {
            self.hash_send_order(&mut h, |n| self.up()[n] && may_crash[n]);
        }
        self.hash_timing(&mut h);
        h.finish()
    }

    /// Hashes what the timing of the state adds to its fingerprint: the zone, and every pending
    /// message's and timer's scheduling order (by rank, not step number) and whether it is timed.
    fn hash_timing(&self, h: &mut DetHasher) {
        let Some(zone) = self.zone() else {
            return;
        };
        zone.hash(h);
        let mut borns: Vec<u32> = (self.net.iter().map(|e| e.key.0))
            .chain(self.all_armed().map(|t| t.key.0))
            .chain(self.last_event().map(|k| k.0))
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
        for timer in self.all_armed() {
            let (r, made) = rank(timer.key);
            h.write_usize(r);
            h.write_u32(made);
        }
        match self.last_event() {
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
            .filter(|(_, e)| crashable(e.from()))
            .map(|(i, e)| (e.from(), e.seq, i))
            .collect();
        order.sort_unstable();
        for (from, seq, i) in order {
            h.write_usize(i);
            h.write_u8(u8::from(seq < self.net.left(from)));
        }
    }

    /// Caches each node's fingerprint that is not cached (see [`State::node_mut`]): a
    /// fingerprint then rehashes only the nodes changed since.
    pub(crate) fn cache_node_hashes(&mut self) {
        for node in 0..self.slots.len() {
            if self.slots[node].mark.hash == UNCACHED {
                self.slots[node].mark.hash = self.node_hash(node);
            }
        }
    }

    /// The fingerprint of node `node`'s own part.
    fn node_hash(&self, node: NodeId) -> u64 {
        let armed = self.armed(node);
        let mut h: DetHasher = hash_named(
            || timer_names(armed),
            |h| {
                self.procs[node].hash(h);
                self.slots[node].stable.hash(h);
            },
        );
        let (up, crashed) = (self.up()[node], self.ever_crashed()[node]);
        h.write_u8(u8::from(up) | u8::from(crashed) << 1);
        h.write_usize(armed.len());
        // The tags in canonical order (by name); one timer, the most a node of most
        // protocols keeps, without the buffer (which cost 1.4% of a TwoPhase search's
        // instructions).
        match armed {
            [] => {}
            [only] => h.write_u64(only.hash),
            _ => {
                let mut by_rank: SmallVec<[u64; 8]> = SmallVec::from_elem(0, armed.len());
                for a in armed {
                    by_rank[a.rank() as usize] = a.hash;
                }
                for hash in by_rank {
                    h.write_u64(hash);
                }
            }
        }
        h.finish()
    }

    /// Hashes what belongs to no single node: the network, notices, budget and monitors.
    fn hash_rest(&self, h: &mut DetHasher) {
        self.net.fingerprint(h);
        self.notices().hash(h);
        // Whom each node suspects, as (node, whom) for those that suspect someone: held or
        // not, a node that suspects no one adds nothing (and an empty buffer costs no loop).
        let suspected = self.extras.as_ref().map_or(&[][..], |e| &e.suspected);
        for (node, &whom) in suspected.iter().enumerate() {
            if whom != 0 {
                h.write_usize(node);
                h.write_u64(whom);
            }
        }
        h.write_usize(usize::MAX);
        h.write_u32(self.crashes);
        h.write_u8(u8::from(self.started));
        let adversaries = self.extras.as_ref().map_or(&[][..], |e| &e.adversaries);
        for (node, adversary) in adversaries.iter().enumerate() {
            if let Some(adversary) = adversary {
                h.write_usize(node);
                adversary.fingerprint(h);
            }
        }
        if !self.monitors_forget {
            for m in &self.monitors {
                m.hash_memory(h);
            }
        }
    }
}

impl<P: Process> State<P> {
    /// Whom node `node` suspects now (a bit per node).
    pub(crate) fn suspects(&self, node: NodeId) -> u64 {
        let suspected = self.extras.as_ref().and_then(|e| e.suspected.get(node));
        suspected.copied().unwrap_or(0)
    }

    /// Whom node `node` suspects, to change.
    pub(crate) fn suspects_mut(&mut self, node: NodeId) -> &mut u64 {
        let n = self.procs.len();
        let suspected = &mut self.extras_mut().suspected;
        if suspected.is_empty() {
            *suspected = vec![0; n];
        }
        &mut suspected[node]
    }

    /// The failure detector's notices not yet delivered, sorted.
    pub(crate) fn notices(&self) -> &[Notice] {
        self.extras.as_ref().map_or(&[], |e| &e.notices)
    }

    /// Adds a failure-detector notice (once).
    pub(crate) fn notify(&mut self, notice: Notice) {
        let notices = &mut self.extras_mut().notices;
        if let Err(at) = notices.binary_search(&notice) {
            notices.insert(at, notice);
        }
    }

    /// Takes notice `i` out, to deliver it.
    pub(crate) fn take_notice(&mut self, i: usize) -> Notice {
        self.extras_mut().notices.remove(i)
    }

    /// Keeps only the notices `keep` keeps.
    pub(crate) fn retain_notices(&mut self, keep: impl FnMut(&Notice) -> bool) {
        if let Some(extras) = &mut self.extras {
            extras.notices.retain(keep);
        }
    }

    /// Each node's adversary if it is Byzantine, to set (empty until the traitors are placed).
    pub(crate) fn adversaries_mut(&mut self) -> &mut Vec<Option<AdversarySnapshot<P>>> {
        &mut self.extras_mut().adversaries
    }

    /// For a model bounding delays, the constraints on the times still in play.
    pub(crate) fn zone(&self) -> Option<&Zone> {
        self.extras.as_ref()?.zone.as_ref()
    }

    /// Sets the zone (see [`State::zone`]).
    pub(crate) fn set_zone(&mut self, zone: Zone) {
        self.extras_mut().zone = Some(zone);
    }

    /// The last step's event, if the engine scheduled it (see `zone_graph`).
    pub(crate) fn last_event(&self) -> Option<Key> {
        self.extras.as_ref()?.last_event
    }

    /// Sets the last step's event (see [`State::last_event`]): only a search that keeps
    /// time does, whose states hold their zone in the extras already.
    pub(crate) fn set_last_event(&mut self, event: Option<Key>) {
        self.extras_mut().last_event = event;
    }

    /// The extras, made if there were none (see [`Extras`]).
    fn extras_mut(&mut self) -> &mut Extras<P> {
        self.extras.get_or_insert_with(Box::default)
    }
}

mod copy;
mod extras;
#[cfg(test)]
mod tests;
