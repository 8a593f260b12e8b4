//! Applying the fault plan's events as they come due: crashes and recoveries, partitions and
//! heals, omission windows, and the end of the fault phase (the network heals for good).

use crate::entropy::Choices;
use crate::faults::FaultKind;
use crate::process::Process;
use crate::trace::TraceKind;
use crate::NodeId;

use super::Engine;

impl<P: Process, C: Choices> Engine<P, C> {
    pub(super) fn apply_fault(&mut self, kind: FaultKind) {
        match kind {
            FaultKind::Crash { node } => self.crash(node),
            FaultKind::Recover { node } => self.recover(node),
            FaultKind::Partition { groups } => self.partition(groups),
            FaultKind::Heal => self.heal(),
            FaultKind::OmissionStart {
                node,
                send_ppm,
                receive_ppm,
            } => self.start_omission(node, send_ppm, receive_ppm),
            FaultKind::OmissionEnd { node } => self.end_omission(node),
            FaultKind::OneWay { from, to } => self.one_way(from, to),
            FaultKind::ClockSkew {
                node,
                offset_ns,
                drift_ppm,
            } => self.skew(node, offset_ns, drift_ppm),
            FaultKind::SlowStart { node, factor_pct } => self.slow(node, factor_pct),
            FaultKind::SlowEnd { node } => self.slow(node, 100),
        }
    }

    /// The node stops: its timers are gone, and so are the messages still on its wire.
    /// Crashing a node that is down is an event that changes nothing.
    fn crash(&mut self, node: NodeId) {
        self.begin("crash", Some(node), None, None);
        if !self.nodes.up[node] {
            return;
        }
        self.nodes.up[node] = false;
        self.nodes.ever_crashed[node] = true;
        self.nodes.crash_times[node].push(self.now);
        self.nodes.timers[node].clear();
        self.links.cut_wire(node, self.now);
        self.tick(node);
        self.trace(Some(node), || TraceKind::Crash);
        self.lose_unsynced_writes(node);
        self.announce_crash(node);
    }

    /// Under storage faults, a crash loses the writes the node did not sync.
    fn lose_unsynced_writes(&mut self, node: NodeId) {
        let Some(kept) = self.storage.at_crash(node, &mut self.choices) else {
            return;
        };
        self.nodes.stable[node] = kept;
        self.stats.storage_losses += 1;
        if self.tracer.is_some() {
            let stable = super::tracer::stable_text(&self.nodes.stable[node]);
            self.trace(Some(node), || TraceKind::StorageLost { stable });
        }
    }

    /// Messages from `from` to `to` are lost from now on (the other way works).
    fn one_way(&mut self, from: Vec<NodeId>, to: Vec<NodeId>) {
        self.begin("one-way partition", None, None, None);
        for &f in &from {
            for &t in &to {
                self.links.block(f, t);
                self.hash.mix(((f as u64) << 32) | t as u64);
            }
        }
        self.trace(None, || TraceKind::OneWay { from, to });
    }

    fn skew(&mut self, node: NodeId, offset_ns: i64, drift_ppm: i32) {
        self.begin("clock skew", Some(node), None, None);
        self.nodes.clocks[node].skew(self.now, offset_ns, drift_ppm);
        self.hash.mix(offset_ns as u64 ^ ((drift_ppm as u64) << 32));
        self.trace(Some(node), || TraceKind::ClockSkew {
            offset_ns,
            drift_ppm,
        });
    }

    /// The node runs at `factor_pct` percent of normal time (100: normal again).
    fn slow(&mut self, node: NodeId, factor_pct: u32) {
        let what = if factor_pct == 100 {
            "slow end"
        } else {
            "slow start"
        };
        self.begin(what, Some(node), None, None);
        self.nodes.clocks[node].set_slow(factor_pct);
        self.hash.mix(factor_pct as u64);
        self.trace(Some(node), || TraceKind::Slow { factor_pct });
    }

    /// The node restarts with a fresh process and its stable storage. Recovering a node that
    /// is up is an event that changes nothing.
    fn recover(&mut self, node: NodeId) {
        self.begin("recovery", Some(node), None, None);
        if self.nodes.up[node] {
            return;
        }
        self.nodes.up[node] = true;
        self.nodes.cut[node] = false;
        self.nodes.processes[node] = (self.factory)(node, self.n);
        self.detector.forget_suspicions_of(node);
        self.tick(node);
        self.trace(Some(node), || TraceKind::Recover);
        self.announce_recovery(node);
        self.dispatch(node, |p, ctx| p.on_recover(ctx));
    }

    /// Nodes not listed in `groups` form one more group together.
    fn partition(&mut self, groups: Vec<Vec<NodeId>>) {
        self.begin("partition", None, None, None);
        let group = &mut self.nodes.group;
        group.fill(groups.len() as u32);
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                group[m] = g as u32;
            }
        }
        for &g in group.iter() {
            self.hash.mix(g as u64);
        }
        self.trace(None, || TraceKind::Partition { groups });
    }

    fn heal(&mut self) {
        self.begin("heal", None, None, None);
        self.nodes.group.fill(0);
        self.links.unblock_all();
        self.trace(None, || TraceKind::Heal);
    }

    fn start_omission(&mut self, node: NodeId, send_ppm: u32, receive_ppm: u32) {
        self.begin("omission start", Some(node), None, None);
        self.nodes.send_omission_ppm[node] = send_ppm;
        self.nodes.receive_omission_ppm[node] = receive_ppm;
        self.trace(Some(node), || TraceKind::OmissionStart {
            send_ppm,
            receive_ppm,
        });
    }

    fn end_omission(&mut self, node: NodeId) {
        self.begin("omission end", Some(node), None, None);
        self.nodes.send_omission_ppm[node] = 0;
        self.nodes.receive_omission_ppm[node] = 0;
        self.trace(Some(node), || TraceKind::OmissionEnd);
    }

    /// From here on the network is healed and no node omits messages.
    pub(super) fn end_fault_phase(&mut self) {
        self.begin("end of fault phase", None, None, None);
        self.nodes.group.fill(0);
        self.nodes.send_omission_ppm.fill(0);
        self.nodes.receive_omission_ppm.fill(0);
        self.links.unblock_all();
        self.links.end_fault_phase();
        self.nodes.clocks.iter_mut().for_each(|c| c.set_slow(100));
        self.triggers.disarm();
        self.trace(None, || TraceKind::FaultsEnd);
    }
}
