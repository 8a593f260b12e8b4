//! Per-node state: each node's process, stable storage, timers, liveness, Byzantine adversary,
//! crash history and the faults currently applied to it. Kept as one column per
//! field (a `Vec` indexed by [`NodeId`]) rather than a `Vec` of per-node structs, because
//! [`World`](crate::World) and [`Engine::states`](super::Engine::states) hand out whole slices of
//! processes and flags.

use crate::process::{Adversary, Process, Silent};
use crate::time::Time;
use crate::timer::TimerSlab;
use crate::NodeId;

use super::clock::Clock;
use super::queue::Ev;
use super::{AdversaryFactory, Factory};

pub(super) struct Nodes<P: Process> {
    /// The volatile state, rebuilt by the factory when the node recovers.
    pub(super) processes: Vec<P>,
    /// What survives a crash.
    pub(super) stable: Vec<P::Stable>,
    pub(super) timers: Vec<TimerSlab>,
    pub(super) up: Vec<bool>,
    pub(super) ever_crashed: Vec<bool>,
    pub(super) byzantine: Vec<bool>,
    /// The adversary driving each Byzantine node; `None` for honest nodes.
    pub(super) adversaries: Vec<Option<Box<dyn Adversary<P>>>>,
    /// When each node crashed, oldest first; the count is the node's incarnation number.
    pub(super) crash_times: Vec<Vec<Time>>,
    /// The last event that ran one of the node's handlers (0: none yet), for liveness
    /// properties that name where a stuck process last could have made progress.
    pub(super) last_step: Vec<u64>,
    /// Partition group: nodes in different groups cannot exchange messages.
    pub(super) group: Vec<u32>,
    pub(super) send_omission_ppm: Vec<u32>,
    /// A triggered crash fired in the middle of this node's handler: what it sends until the
    /// crash takes effect is lost.
    pub(super) cut: Vec<bool>,
    /// Each node's clock and speed.
    pub(super) clocks: Vec<Clock>,
    pub(super) receive_omission_ppm: Vec<u32>,
}

impl<P: Process> Nodes<P> {
    /// Every node up, honest unless listed in `byzantine`, with a fresh process. Adversaries
    /// are built before processes, in the order of `byzantine`.
    pub(super) fn new(
        n: usize,
        factory: &Factory<P>,
        byzantine_nodes: &[NodeId],
        adversary: Option<&AdversaryFactory<P>>,
    ) -> Self {
        let mut byzantine = vec![false; n];
        let mut adversaries: Vec<Option<Box<dyn Adversary<P>>>> = (0..n).map(|_| None).collect();
        for &b in byzantine_nodes {
            byzantine[b] = true;
            adversaries[b] = Some(match adversary {
                Some(make) => make(b),
                None => Box::new(Silent),
            });
        }
        Nodes {
            processes: (0..n).map(|i| factory(i, n)).collect(),
            stable: (0..n).map(|_| P::Stable::default()).collect(),
            timers: (0..n).map(|_| TimerSlab::default()).collect(),
            up: vec![true; n],
            ever_crashed: vec![false; n],
            byzantine,
            adversaries,
            crash_times: vec![Vec::new(); n],
            last_step: vec![0; n],
            group: vec![0; n],
            send_omission_ppm: vec![0; n],
            cut: vec![false; n],
            clocks: vec![Clock::real(); n],
            receive_omission_ppm: vec![0; n],
        }
    }

    /// Every node up again, as [`Nodes::new`] makes them, reusing the memory of the columns
    /// (a sweep worker's next seed).
    pub(super) fn reset(
        &mut self,
        factory: &Factory<P>,
        byzantine_nodes: &[NodeId],
        adversary: Option<&AdversaryFactory<P>>,
    ) {
        let n = self.up.len();
        self.byzantine.fill(false);
        self.adversaries.iter_mut().for_each(|a| *a = None);
        for &b in byzantine_nodes {
            self.byzantine[b] = true;
            self.adversaries[b] = Some(match adversary {
                Some(make) => make(b),
                None => Box::new(Silent),
            });
        }
        self.processes.clear();
        self.processes.extend((0..n).map(|i| factory(i, n)));
        self.stable
            .iter_mut()
            .for_each(|s| *s = P::Stable::default());
        self.timers.iter_mut().for_each(TimerSlab::reset);
        self.up.fill(true);
        self.ever_crashed.fill(false);
        self.crash_times.iter_mut().for_each(Vec::clear);
        self.last_step.fill(0);
        self.group.fill(0);
        self.send_omission_ppm.fill(0);
        self.cut.fill(false);
        self.clocks.fill(Clock::real());
        self.receive_omission_ppm.fill(0);
    }

    /// Whether a queued event still stands: false for a timer cancelled since it was set, or
    /// whose node has crashed since (a crash disarms its timers). The queue drops such events
    /// as it meets them, so they are never events of the run.
    #[inline]
    pub(super) fn still_set(&self, ev: &Ev<P>) -> bool {
        match ev {
            Ev::Timer { node, id, .. } => self.up[*node] && self.timers[*node].is_armed(*id),
            _ => true,
        }
    }

    /// How many times `node` has crashed so far.
    pub(super) fn incarnation(&self, node: NodeId) -> u32 {
        self.crash_times[node].len() as u32
    }

    /// Whether the given incarnation of `node` ended in a crash before `at` (a later crash of
    /// a later incarnation does not count).
    pub(super) fn crashed_before(&self, node: NodeId, incarnation: u32, at: Time) -> bool {
        self.crash_times[node]
            .get(incarnation as usize)
            .is_some_and(|&crashed| crashed < at)
    }
}
