//! The messages in flight in one state of a search, in canonical order, with their
//! fingerprint kept up to date as they come and go.
//!
//! The fingerprint is a sum, over the messages, of a hash of each one's link, own fingerprint
//! and rank on its link. A message that comes or goes changes the terms of its link's
//! messages only, so a step pays for its link, not for the whole network, and a state's
//! fingerprint does not rehash every message in flight. The messages can be read as a slice;
//! they (and each node's sending counts) change only through this type's methods, each of
//! which keeps the sum and stamps a new version (see `version`): an Architecture Invariant,
//! no code can change a message and leave the sum or the version stale.

use std::hash::Hasher;
use std::ops::{Deref, Range};

use sim_core::entropy::DetHasher;
use sim_core::NodeId;

use crate::version::Version;

/// Scheduling order: the step that scheduled an event (a message's arrival, a timer), and its
/// place among what that step's handlers made. The engine runs simultaneous events in it.
/// 32 bits each (a path's steps are numbered by its depth, which a search keeps in 32 bits),
/// so that the envelopes and timers every held state copies are smaller.
pub(crate) type Key = (u32, u32);

/// A message in flight. Its hash is the message's own fingerprint: it orders a link's
/// messages canonically (unordered links) and tells equal messages apart from different ones.
#[derive(Clone, Debug)]
pub(crate) struct Envelope<M> {
    /// Its sender and receiver, read as [`NodeId`]s through `from()` and `to()`: 16 bits
    /// each (a scenario has at most 1,024 nodes), and the fingerprint in two 32-bit halves,
    /// so that an envelope of a small message (which every held state copies) is 28 bytes,
    /// not 32 (48 with 64-bit ids).
    from: u16,
    to: u16,
    hash: [u32; 2],
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

// What `Envelope` says of its size for a one-byte message, checked.
const _: () = assert!(std::mem::size_of::<Envelope<u8>>() == 28);

impl<M> Envelope<M> {
    /// Message `msg` (fingerprint `hash`) from `from` to `to`, its arrival scheduled at
    /// `key`: bounded, not late, numbered when the network takes it (see [`Network::send`]).
    pub(crate) fn new(from: NodeId, to: NodeId, hash: u64, msg: M, key: Key) -> Self {
        // A scenario has at most 1,024 nodes (`MAX_NODES` in the runner).
        let id = |node: NodeId| u16::try_from(node).expect("a node id fits in 16 bits");
        Envelope {
            from: id(from),
            to: id(to),
            hash: [hash as u32, (hash >> 32) as u32],
            seq: 0,
            msg,
            key,
            timed: true,
            late: false,
        }
    }

    /// Its sender.
    pub(crate) fn from(&self) -> NodeId {
        NodeId::from(self.from)
    }

    /// Its receiver.
    pub(crate) fn to(&self) -> NodeId {
        NodeId::from(self.to)
    }

    /// The message's own fingerprint.
    pub(crate) fn hash(&self) -> u64 {
        u64::from(self.hash[0]) | u64::from(self.hash[1]) << 32
    }
}

/// The messages in flight, ordered by link (sender, then receiver); within a FIFO link in
/// sending order, within an unordered one by fingerprint; and each node's sending count.
#[derive(Debug)]
pub(crate) struct Network<M> {
    envelopes: Vec<Envelope<M>>,
    /// The sum of every message's [`term`].
    sum: u64,
    /// Per node, the messages it sent so far (numbers `Envelope::seq`), at `node`; and, in a
    /// search where a node may crash, how many of them have certainly left its wire, at
    /// `n + node`: one more than the latest it sent that was delivered or lost in transit (a
    /// crash can only lose later ones). One buffer, so a held state pays one allocation for
    /// them. Read through [`Network::sent`] and [`Network::left`].
    counts: Box<[u32]>,
    /// Whether `counts` notes which messages left their sender's wire: only a crash reads
    /// it (the search enables one only if `crashable`), so a search where none can happen
    /// keeps half the counts (TwoPhase with 8 RMs: 32 bytes a held state, 4.7 MB at its peak).
    crashable: bool,
    /// Stamped anew by every method that changes the messages (see `version`).
    version: Version,
}

/// Room a copy's buffer of messages leaves for one more: the next step's send (most send
/// one at most) then needs no larger buffer, and a held state's no trimming (see
/// [`Network::trim`]), where an exact copy grew to twice its messages at the send and was
/// moved back into an exact buffer when held.
const ROOM: usize = 1;

impl<M: Clone> Clone for Network<M> {
    fn clone(&self) -> Self {
        let mut envelopes = Vec::with_capacity(self.envelopes.len() + ROOM);
        envelopes.extend_from_slice(&self.envelopes);
        Network {
            envelopes,
            sum: self.sum,
            counts: self.counts.clone(),
            crashable: self.crashable,
            version: self.version,
        }
    }

    /// Copies nothing if `self` is already a copy of `from` (the same version). A buffer too
    /// small for `from`'s messages and [`ROOM`] is replaced by one of that size, not grown
    /// to twice its own.
    fn clone_from(&mut self, from: &Self) {
        if self.version != from.version {
            if self.envelopes.capacity() < from.envelopes.len() + ROOM {
                self.envelopes = Vec::with_capacity(from.envelopes.len() + ROOM);
            }
            self.envelopes.clone_from(&from.envelopes);
            self.sum = from.sum;
            self.counts.clone_from(&from.counts);
            self.crashable = from.crashable;
            self.version = from.version;
        }
    }
}

impl<M> Deref for Network<M> {
    type Target = [Envelope<M>];

    fn deref(&self) -> &[Envelope<M>] {
        &self.envelopes
    }
}

impl<'a, M> IntoIterator for &'a Network<M> {
    type Item = &'a Envelope<M>;
    type IntoIter = std::slice::Iter<'a, Envelope<M>>;

    fn into_iter(self) -> Self::IntoIter {
        self.envelopes.iter()
    }
}

/// A message's part of the network's fingerprint: its link, its fingerprint and its rank on
/// its link (so a FIFO link's order counts; an unordered link's is a function of its set).
fn term<M>(e: &Envelope<M>, rank: usize) -> u64 {
    let mut h = DetHasher::default();
    h.write_u64(e.hash());
    // Sender and receiver, 32 bits each.
    h.write_u64((u64::from(e.from) << 32) | u64::from(e.to));
    h.write_usize(rank);
    h.finish()
}

impl<M> Network<M> {
    /// No message in flight among `n` nodes, in a search where a node may crash or not
    /// (`crashable`: see [`Network::left`]).
    pub(crate) fn new(n: usize, crashable: bool) -> Self {
        let per_node = if crashable { 2 } else { 1 };
        Network {
            envelopes: Vec::new(),
            sum: 0,
            counts: vec![0; per_node * n].into_boxed_slice(),
            crashable,
            version: Version::fresh(),
        }
    }

    /// Moves the messages into a buffer of their number if more than [`ROOM`] of it is
    /// unused, for a state held a while: it keeps at most the room a copy leaves. (A
    /// shrinking `realloc` may keep the block: the allocator need not give back less than
    /// half of it.) Trimming only beyond a quarter of the messages unused cost TwoPhase with
    /// 8 RMs 3 MB more at its peak; trimming to the message, 1.2 MB less than this but 6%
    /// more time, as copies into the trimmed buffers then grow them again.
    pub(crate) fn trim(&mut self) {
        let len = self.envelopes.len();
        if self.envelopes.capacity() - len > ROOM {
            let mut exact = Vec::with_capacity(len);
            exact.append(&mut self.envelopes);
            self.envelopes = exact;
        }
    }

    /// Brings its buffers into the cache (see `prefetch`).
    pub(crate) fn prefetch(&self) {
        crate::prefetch::slice(&self.envelopes);
        crate::prefetch::slice(&self.counts);
    }

    /// Messages `node` sent so far.
    pub(crate) fn sent(&self, node: NodeId) -> u32 {
        self.counts[node]
    }

    /// How many of `node`'s messages have certainly left its wire (see `counts`). Only a
    /// crash asks, and a search enables one only where a node may crash: the network was
    /// made `crashable` (see `State::new`), an Architecture Invariant.
    pub(crate) fn left(&self, node: NodeId) -> u32 {
        assert!(
            self.crashable,
            "only a search where a node may crash asks what left a wire"
        );
        self.counts[self.counts.len() / 2 + node]
    }

    /// Puts a message `env.from` sent in flight, numbered in its sending order, at its
    /// canonical place (see [`Network::insert`]).
    pub(crate) fn send(&mut self, mut env: Envelope<M>, fifo: bool, duplicating: bool) {
        self.version = Version::fresh();
        env.seq = self.counts[env.from()];
        self.counts[env.from()] += 1;
        self.insert(env, fifo, duplicating);
    }

    /// Notes that message `seq` of `from` left its sender's wire (it was delivered or lost in
    /// transit).
    pub(crate) fn mark_left(&mut self, from: NodeId, seq: u32) {
        if !self.crashable {
            return;
        }
        let left = &mut self.counts[self.counts.len() / 2 + from];
        if seq >= *left {
            *left = seq + 1;
            self.version = Version::fresh();
        }
    }

    /// The sending numbers of `node`'s messages in flight that a crash could still lose,
    /// in sending order.
    pub(crate) fn cuttable(&self, node: NodeId) -> Vec<u32> {
        let left = self.left(node);
        let mut seqs: Vec<u32> = (self.envelopes.iter())
            .filter(|e| e.from() == node && e.seq >= left)
            .map(|e| e.seq)
            .collect();
        seqs.sort_unstable();
        seqs
    }

    /// The fingerprint of the messages in flight (with their number).
    pub(crate) fn fingerprint(&self, h: &mut DetHasher) {
        h.write_usize(self.envelopes.len());
        h.write_u64(self.sum);
    }

    /// The positions of link `from` → `to`'s messages.
    fn link(&self, from: NodeId, to: NodeId) -> Range<usize> {
        let link = (from, to);
        let start = self
            .envelopes
            .partition_point(|e| (e.from(), e.to()) < link);
        let len = self.envelopes[start..].partition_point(|e| (e.from(), e.to()) == link);
        start..start + len
    }

    /// Takes the terms of `link`'s messages out of the sum (`add` false) or puts them in.
    fn count(&mut self, link: Range<usize>, add: bool) {
        for (i, e) in self.envelopes[link].iter().enumerate() {
            let t = term(e, i);
            self.sum = if add {
                self.sum.wrapping_add(t)
            } else {
                self.sum.wrapping_sub(t)
            };
        }
    }

    /// Puts `env` in flight at its canonical place. On a duplicating link the network is a
    /// set: a message already in flight there is not added again (false).
    fn insert(&mut self, env: Envelope<M>, fifo: bool, duplicating: bool) -> bool {
        let link = self.link(env.from(), env.to());
        let on_link = &self.envelopes[link.clone()];
        if duplicating && on_link.iter().any(|e| e.hash == env.hash) {
            return false;
        }
        let at = match fifo {
            true => link.end,
            false => link.start + on_link.partition_point(|e| e.hash() <= env.hash()),
        };
        self.version = Version::fresh();
        self.count(link.clone(), false);
        self.envelopes.insert(at, env);
        self.count(link.start..link.end + 1, true);
        true
    }

    /// Takes message `i` out of flight.
    pub(crate) fn remove(&mut self, i: usize) -> Envelope<M> {
        let link = self.link(self.envelopes[i].from(), self.envelopes[i].to());
        self.version = Version::fresh();
        self.count(link.clone(), false);
        let env = self.envelopes.remove(i);
        self.count(link.start..link.end - 1, true);
        env
    }

    /// Keeps only the messages `keep` says to.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Envelope<M>) -> bool) {
        self.version = Version::fresh();
        self.envelopes.retain(keep);
        self.sum = self.sum_anew();
    }

    /// Sets message `i`'s timing flags (they are not part of the sum: the timing's
    /// fingerprint is taken apart, see `State::hash_timing`).
    pub(crate) fn set_timing(&mut self, i: usize, timed: bool, late: bool) {
        let e = &mut self.envelopes[i];
        if (e.timed, e.late) != (timed, late) {
            (e.timed, e.late) = (timed, late);
            self.version = Version::fresh();
        }
    }

    /// The sum of every message's term, computed from scratch.
    fn sum_anew(&self) -> u64 {
        let (mut sum, mut start) = (0u64, 0);
        while let Some(e) = self.envelopes.get(start) {
            let link = self.link(e.from(), e.to());
            start = link.end;
            for (rank, e) in self.envelopes[link].iter().enumerate() {
                sum = sum.wrapping_add(term(e, rank));
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(from: NodeId, to: NodeId, hash: u64) -> Envelope<()> {
        Envelope::new(from, to, hash, (), (0, 0))
    }

    fn fingerprint(net: &Network<()>) -> u64 {
        let mut h = DetHasher::default();
        net.fingerprint(&mut h);
        h.finish()
    }

    /// A network where no node can crash numbers each node's messages but keeps no count of
    /// what left a wire: a delivery changes no count and stamps no version.
    #[test]
    fn without_crashes_only_the_sending_counts_are_kept() {
        let mut net = Network::new(3, false);
        assert_eq!(net.counts.len(), 3);
        net.send(env(0, 1, 7), false, false);
        net.send(env(0, 2, 8), false, false);
        assert_eq!((net.sent(0), net.sent(1)), (2, 0));
        let version = net.version;
        net.mark_left(0, 1);
        assert_eq!(net.version, version, "nothing changed");
        let mut crashable = Network::new(3, true);
        crashable.send(env(0, 1, 7), false, false);
        crashable.send(env(0, 2, 8), false, false);
        crashable.mark_left(0, 0);
        assert_eq!((crashable.sent(0), crashable.left(0)), (2, 1));
        assert_eq!(crashable.cuttable(0), vec![1]);
    }

    #[test]
    #[should_panic(expected = "only a search where a node may crash")]
    fn without_crashes_no_one_asks_what_left_a_wire() {
        Network::<u8>::new(2, false).left(0);
    }

    /// A copy has room for one more message, so a step that sends one grows no buffer, and a
    /// state held after it keeps its buffer; a buffer with more room than that is trimmed.
    #[test]
    fn a_copy_has_room_for_one_send_and_is_not_trimmed_after_it() {
        let mut net = Network::new(2, true);
        for hash in 0..8 {
            net.send(env(0, 1, hash), true, false);
        }
        let mut copy = net.clone();
        assert_eq!(copy.envelopes.capacity(), 9);
        let buffer = copy.envelopes.as_ptr();
        copy.send(env(1, 0, 1), true, false);
        copy.trim();
        assert_eq!(copy.envelopes.as_ptr(), buffer, "neither grown nor trimmed");
        let mut into = Network::new(2, true);
        into.clone_from(&net);
        assert_eq!(
            into.envelopes.capacity(),
            9,
            "a buffer too small is replaced, not doubled"
        );
        for _ in 0..3 {
            into.remove(0);
        }
        into.trim();
        assert_eq!(
            into.envelopes.capacity(),
            5,
            "4 unused is more than the room a copy leaves"
        );
    }

    #[test]
    fn the_sum_follows_every_change() {
        let mut net = Network::new(3, true);
        for (i, &(from, to, hash)) in [(0, 1, 7), (1, 0, 3), (0, 1, 2), (0, 1, 7), (2, 1, 9)]
            .iter()
            .enumerate()
        {
            net.insert(env(from, to, hash), i % 2 == 0, false);
            assert_eq!(net.sum, net.sum_anew());
        }
        net.remove(1);
        assert_eq!(net.sum, net.sum_anew());
        assert_eq!(net.len(), 4);
        net.retain(|e| e.hash() != 7);
        assert_eq!(net.sum, net.sum_anew());
        assert!(!net.is_empty() && net.iter().all(|e| e.hash() != 7));
    }

    #[test]
    fn the_same_messages_in_any_order_of_arrival_give_one_fingerprint() {
        let (mut a, mut b) = (Network::new(3, true), Network::new(3, true));
        for hash in [5, 1, 3] {
            a.insert(env(0, 1, hash), false, false);
        }
        for hash in [3, 5, 1] {
            b.insert(env(0, 1, hash), false, false);
        }
        assert_eq!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn a_fifo_links_order_tells_states_apart() {
        let (mut a, mut b) = (Network::new(3, true), Network::new(3, true));
        for hash in [1, 2] {
            a.insert(env(0, 1, hash), true, false);
        }
        for hash in [2, 1] {
            b.insert(env(0, 1, hash), true, false);
        }
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn a_message_on_another_link_is_another_state() {
        let (mut a, mut b) = (Network::new(3, true), Network::new(3, true));
        a.insert(env(0, 1, 4), false, false);
        b.insert(env(0, 2, 4), false, false);
        assert_ne!(fingerprint(&a), fingerprint(&b));
        let mut twice = Network::new(3, true);
        twice.insert(env(0, 1, 4), false, false);
        twice.insert(env(0, 1, 4), false, false);
        assert_ne!(fingerprint(&a), fingerprint(&twice));
        assert!(
            !twice.insert(env(0, 1, 4), false, true),
            "a duplicating link is a set"
        );
    }
}
