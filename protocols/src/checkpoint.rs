//! Checkpointing and rollback recovery (PROTOCOLS.md §5) over a money-transfer application,
//! with crash-recover processes, stable storage and reliable FIFO links.
//!
//! Every process starts with the same balance and sends random amounts to random peers; money
//! is neither created nor destroyed, so the total is an invariant of every consistent global
//! state. Transfers carry a per-channel sequence number, so a process's checkpoint records how
//! many transfers it sent to and received from each peer; a set of checkpoints (a cut) is
//! consistent when no channel shows more received than sent (no orphan message).
//!
//! Node 0 also initiates snapshots and manages recoveries. After a crash a process restarts
//! from stable storage and asks node 0 for a recovery: node 0 opens a new epoch and tells
//! everyone which checkpoint to roll back to (the recovery line); transfers of older epochs are
//! dropped from then on. Modes:
//! - `coordinated`: Chandy-Lamport snapshots. Node 0 records its state and sends a marker on
//!   every channel; a process records its state at the first marker and then records each
//!   incoming channel until that channel's marker arrives. FIFO links make the cut consistent
//!   and the recorded channels hold exactly the transfers in flight, so the snapshot conserves
//!   the total. Node 0 commits a snapshot once every process has stored its part; recovery
//!   rolls everyone back to the last committed one and re-delivers its recorded channels.
//! - `independent`: each process checkpoints on its own schedule. Node 0 collects everyone's
//!   checkpoints and searches for the latest consistent line, rolling receivers of orphan
//!   messages back further: the known result is that this can cascade (the domino effect),
//!   possibly to the initial state.
//! - `independent-latest`: rolls everyone back to their latest checkpoint without the search:
//!   the known result is an inconsistent cut (orphans: money received but never sent).
//!
//! With `logging`, senders log each transfer on stable storage before sending it; after a
//! rollback they replay the transfers that the line shows in flight. Without it (and without
//! recorded channels), those transfers are lost.

use std::collections::BTreeMap;

use sim_core::{Ctx, Duration, NodeId, Process, PropertyKind, RunReport, Time, World};

use crate::registry::{
    describe, setup, ParamInfo, Params, PropertyDef, Protocol, ProtocolInfo, RunSpec, SpecError,
};

pub const MANAGER: NodeId = 0;
pub const INITIAL_BALANCE: u64 = 100;
const MAX_AMOUNT: u64 = 10;
const TRANSFER_GAP_MS: u64 = 4;
const RETRY: Duration = Duration::from_millis(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Coordinated,
    Independent,
    IndependentLatest,
}

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub mode: Mode,
    pub logging: bool,
    pub interval: Duration,
    pub transfers: u64,
}

/// A checkpoint's counters, as the recovery manager sees them.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Meta {
    pub index: u64,
    pub sent: Vec<u64>,
    pub recv: Vec<u64>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Transfer {
        epoch: u64,
        seq: u64,
        amount: u64,
    },
    Marker {
        epoch: u64,
        snapshot: u64,
    },
    /// "My part of `snapshot` is on stable storage."
    Done {
        epoch: u64,
        snapshot: u64,
    },
    Commit {
        epoch: u64,
        snapshot: u64,
    },
    /// "I restarted (for the `incarnation`-th time): roll us back."
    NeedRecovery {
        incarnation: u64,
    },
    /// "Send me your checkpoints." Carries the previous rollback, which a process that was
    /// down when it was sent has missed: its newer checkpoints belong to an abandoned history.
    Collect {
        epoch: u64,
        previous: Option<(u64, Vec<u64>)>,
    },
    Checkpoints {
        epoch: u64,
        metas: Vec<Meta>,
    },
    /// "Roll back to checkpoint `line[you]`"; `recv[j]` is what j's line checkpoint had
    /// received from each peer (for replaying logged transfers).
    Rollback {
        epoch: u64,
        line: Vec<u64>,
        recv: Vec<Vec<u64>>,
    },
}

impl Msg {
    fn epoch(&self) -> Option<u64> {
        match self {
            Msg::Transfer { epoch, .. }
            | Msg::Marker { epoch, .. }
            | Msg::Done { epoch, .. }
            | Msg::Commit { epoch, .. } => Some(*epoch),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Transfer { epoch: u64 },
    Checkpoint { epoch: u64 },
    Snapshot { epoch: u64 },
    Retry,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A local checkpoint reached stable storage. `channel` is the sum of the transfers
    /// recorded in flight towards this process (coordinated snapshots only).
    Checkpoint {
        index: u64,
        snapshot: Option<u64>,
        at: Time,
        balance: u64,
        channel: u64,
        sent: Vec<u64>,
        recv: Vec<u64>,
        permanent: bool,
    },
    /// A tentative checkpoint became permanent (its snapshot was committed).
    Permanent { index: u64 },
    /// The process restarted after a crash and waits to be rolled back.
    Restarted,
    /// The process rolled back to checkpoint `index` (taken at `at`) in `epoch`. `recv`
    /// includes re-delivered channel contents; `replay[j]` transfers to j are being resent
    /// from the log, worth `replayed` in total.
    RolledBack {
        epoch: u64,
        index: u64,
        at: Time,
        balance: u64,
        sent: Vec<u64>,
        recv: Vec<u64>,
        replay: Vec<u64>,
        replayed: u64,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Checkpoint {
    index: u64,
    snapshot: Option<u64>,
    at: Time,
    balance: u64,
    done: u64,
    sent: Vec<u64>,
    recv: Vec<u64>,
    /// Transfers recorded in flight towards us, per sender (coordinated snapshots).
    channel: Vec<Vec<u64>>,
}

#[derive(Clone, Debug, Default)]
pub struct Stable {
    epoch: u64,
    incarnation: u64,
    checkpoints: Vec<Checkpoint>,
    /// Logged transfers per destination: (seq, amount).
    log: Vec<Vec<(u64, u64)>>,
    /// The manager's: the highest epoch opened, the last committed snapshot, the next snapshot
    /// id, and per node the highest incarnation a recovery already covers.
    max_epoch: u64,
    committed: u64,
    next_snapshot: u64,
    covered: Vec<u64>,
    last_rollback: Option<(u64, Vec<u64>)>,
}

/// A snapshot being recorded here.
#[derive(Debug)]
struct Recording {
    snapshot: u64,
    state: Checkpoint,
    markers: u64,
}

/// The manager's recovery round in progress (independent modes collect checkpoints first).
#[derive(Debug)]
struct Round {
    epoch: u64,
    metas: BTreeMap<NodeId, Vec<Meta>>,
}

#[derive(Debug)]
pub struct CheckpointProcess {
    cfg: Config,
    epoch: u64,
    recovering: bool,
    /// Reported our checkpoints to a recovery round: take no new ones until the line is set.
    frozen: bool,
    balance: u64,
    done: u64,
    sent: Vec<u64>,
    recv: Vec<u64>,
    next_index: u64,
    recording: Option<Recording>,
    /// Messages of an epoch we have not rolled into yet.
    future: Vec<(NodeId, Msg)>,
    // The manager's volatile state.
    round: Option<Round>,
    acks: BTreeMap<u64, u64>,
    snapshot_running: bool,
}

fn bit(i: NodeId) -> u64 {
    1 << i
}

fn everyone(n: usize) -> u64 {
    if n == 64 {
        u64::MAX
    } else {
        (1 << n) - 1
    }
}

fn all_but(n: usize, me: NodeId) -> u64 {
    (0..n).filter(|&i| i != me).fold(0, |a, i| a | bit(i))
}

impl CheckpointProcess {
    pub fn new(n: usize, cfg: Config) -> Self {
        CheckpointProcess {
            cfg,
            epoch: 0,
            recovering: false,
            frozen: false,
            balance: INITIAL_BALANCE,
            done: 0,
            sent: vec![0; n],
            recv: vec![0; n],
            next_index: 0,
            recording: None,
            future: Vec::new(),
            round: None,
            acks: BTreeMap::new(),
            snapshot_running: false,
        }
    }

    fn state(&self, ctx: &Ctx<'_, Self>, snapshot: Option<u64>) -> Checkpoint {
        Checkpoint {
            index: 0,
            snapshot,
            at: ctx.now(),
            balance: self.balance,
            done: self.done,
            sent: self.sent.clone(),
            recv: self.recv.clone(),
            channel: vec![Vec::new(); ctx.n()],
        }
    }

    /// Puts a checkpoint on stable storage. Coordinated snapshots are tentative until node 0
    /// commits them; independent checkpoints are permanent at once.
    fn store(&mut self, ctx: &mut Ctx<'_, Self>, mut c: Checkpoint) {
        c.index = self.next_index;
        self.next_index += 1;
        ctx.observe(Obs::Checkpoint {
            index: c.index,
            snapshot: c.snapshot,
            at: c.at,
            balance: c.balance,
            channel: c.channel.iter().flatten().sum(),
            sent: c.sent.clone(),
            recv: c.recv.clone(),
            permanent: c.snapshot.is_none() || c.snapshot == Some(0),
        });
        ctx.stable_mut().checkpoints.push(c);
    }

    fn arm(&mut self, ctx: &mut Ctx<'_, Self>) {
        let epoch = self.epoch;
        let gap = Duration::from_millis(1 + ctx.random_below(TRANSFER_GAP_MS));
        ctx.set_timer(gap, Timer::Transfer { epoch });
        match self.cfg.mode {
            Mode::Coordinated if ctx.id() == MANAGER => {
                ctx.set_timer(self.cfg.interval, Timer::Snapshot { epoch });
            }
            Mode::Coordinated => {}
            Mode::Independent | Mode::IndependentLatest => {
                let half = self.cfg.interval.0 / 2;
                let d = ctx.random_duration(Duration(half), Duration(half * 3));
                ctx.set_timer(d, Timer::Checkpoint { epoch });
            }
        }
    }

    fn transfer(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.done >= self.cfg.transfers || self.balance == 0 || ctx.n() < 2 {
            return;
        }
        let peer = ctx.random_below(ctx.n() as u64 - 1) as NodeId;
        let to = if peer >= ctx.id() { peer + 1 } else { peer };
        let amount = 1 + ctx.random_below(self.balance.min(MAX_AMOUNT));
        self.balance -= amount;
        self.sent[to] += 1;
        self.done += 1;
        let seq = self.sent[to];
        if self.cfg.logging {
            let n = ctx.n();
            let log = &mut ctx.stable_mut().log;
            log.resize(n, Vec::new());
            log[to].push((seq, amount));
        }
        let epoch = self.epoch;
        ctx.send(to, Msg::Transfer { epoch, seq, amount });
    }

    fn receive(&mut self, from: NodeId, seq: u64, amount: u64) {
        // Links are FIFO and reliable, so a smaller seq is a replay we already have; a gap is
        // transfers lost in a rollback without logging (their money is gone).
        if seq <= self.recv[from] {
            return;
        }
        self.recv[from] = seq;
        self.balance += amount;
        if let Some(r) = &mut self.recording {
            if r.markers & bit(from) == 0 {
                r.state.channel[from].push(amount);
            }
        }
    }

    fn marker(&mut self, ctx: &mut Ctx<'_, Self>, from: Option<NodeId>, snapshot: u64) {
        if self
            .recording
            .as_ref()
            .is_none_or(|r| r.snapshot < snapshot)
        {
            let state = self.state(ctx, Some(snapshot));
            self.recording = Some(Recording {
                snapshot,
                state,
                markers: 0,
            });
            let epoch = self.epoch;
            ctx.broadcast(Msg::Marker { epoch, snapshot });
        }
        let Some(r) = &mut self.recording else { return };
        if r.snapshot != snapshot {
            return;
        }
        if let Some(j) = from {
            r.markers |= bit(j);
        }
        if r.markers == all_but(ctx.n(), ctx.id()) {
            let Some(r) = self.recording.take() else {
                return;
            };
            self.store(ctx, r.state);
            let epoch = self.epoch;
            if ctx.id() == MANAGER {
                self.snapshot_done(ctx, MANAGER, snapshot);
            } else {
                ctx.send(MANAGER, Msg::Done { epoch, snapshot });
            }
        }
    }

    fn commit(&mut self, ctx: &mut Ctx<'_, Self>, snapshot: u64) {
        // Older checkpoints are no longer needed: the committed one is the recovery line.
        let st = ctx.stable_mut();
        st.checkpoints
            .retain(|c| c.snapshot.is_none_or(|s| s >= snapshot));
        if let Some(c) = st.checkpoints.iter().find(|c| c.snapshot == Some(snapshot)) {
            let index = c.index;
            ctx.observe(Obs::Permanent { index });
        }
    }

    // ---- the manager (node 0) ----

    fn snapshot_done(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, snapshot: u64) {
        let acks = self.acks.entry(snapshot).or_default();
        *acks |= bit(from);
        if *acks == everyone(ctx.n()) {
            self.acks.remove(&snapshot);
            self.snapshot_running = false;
            ctx.stable_mut().committed = snapshot;
            let epoch = self.epoch;
            ctx.broadcast(Msg::Commit { epoch, snapshot });
            self.commit(ctx, snapshot);
        }
    }

    fn start_snapshot(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.snapshot_running || self.round.is_some() || self.recovering {
            return;
        }
        self.snapshot_running = true;
        let st = ctx.stable_mut();
        st.next_snapshot = st.next_snapshot.max(1);
        let snapshot = st.next_snapshot;
        st.next_snapshot += 1;
        self.marker(ctx, None, snapshot);
    }

    fn need_recovery(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, incarnation: u64) {
        let n = ctx.n();
        let st = ctx.stable_mut();
        st.covered.resize(n, 0);
        if incarnation <= st.covered[from] {
            return; // the rollback that covers this restart is on its way
        }
        st.covered[from] = incarnation;
        if let Some(round) = &self.round {
            // Still collecting: this restart is covered by the round in progress.
            let epoch = round.epoch;
            if from != MANAGER {
                let previous = st.last_rollback.clone();
                ctx.send(from, Msg::Collect { epoch, previous });
            }
            return;
        }
        st.max_epoch += 1;
        let epoch = st.max_epoch;
        self.snapshot_running = false;
        self.acks.clear();
        match self.cfg.mode {
            Mode::Coordinated => {
                let committed = ctx.stable().committed;
                let line = (0..n).map(|_| committed).collect();
                self.rollback_all(ctx, epoch, line, vec![Vec::new(); n]);
            }
            Mode::Independent | Mode::IndependentLatest => {
                self.round = Some(Round {
                    epoch,
                    metas: BTreeMap::new(),
                });
                let previous = ctx.stable().last_rollback.clone();
                ctx.broadcast(Msg::Collect { epoch, previous });
                self.frozen = true;
                let metas = self.metas(ctx);
                self.collected(ctx, MANAGER, epoch, metas);
            }
        }
    }

    fn metas(&self, ctx: &Ctx<'_, Self>) -> Vec<Meta> {
        ctx.stable()
            .checkpoints
            .iter()
            .map(|c| Meta {
                index: c.index,
                sent: c.sent.clone(),
                recv: c.recv.clone(),
            })
            .collect()
    }

    fn collected(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, epoch: u64, metas: Vec<Meta>) {
        let Some(round) = &mut self.round else { return };
        if round.epoch != epoch {
            return;
        }
        round.metas.insert(from, metas);
        if round.metas.len() < ctx.n() {
            return;
        }
        let Some(round) = self.round.take() else {
            return;
        };
        let lists: Vec<Vec<Meta>> = round.metas.into_values().collect();
        let chosen = match self.cfg.mode {
            Mode::IndependentLatest => latest_line(&lists),
            _ => consistent_line(&lists),
        };
        let line = chosen.iter().map(|&(i, _)| lists[i.0][i.1].index).collect();
        let recv = chosen
            .iter()
            .map(|&(i, _)| lists[i.0][i.1].recv.clone())
            .collect();
        self.rollback_all(ctx, epoch, line, recv);
    }

    fn rollback_all(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        epoch: u64,
        line: Vec<u64>,
        recv: Vec<Vec<u64>>,
    ) {
        ctx.stable_mut().last_rollback = Some((epoch, line.clone()));
        let msg = Msg::Rollback { epoch, line, recv };
        ctx.broadcast(msg.clone());
        self.handle(ctx, MANAGER, msg);
    }

    // ---- every process ----

    fn rollback(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64, line: &[u64], recv: &[Vec<u64>]) {
        let me = ctx.id();
        let n = ctx.n();
        // Coordinated lines name snapshots, independent ones checkpoint indices.
        let coordinated = self.cfg.mode == Mode::Coordinated;
        let Some(c) = ctx
            .stable()
            .checkpoints
            .iter()
            .find(|c| {
                if coordinated {
                    c.snapshot == Some(line[me])
                } else {
                    c.index == line[me]
                }
            })
            .cloned()
        else {
            return; // a line names only checkpoints on stable storage; nothing to do otherwise
        };
        self.epoch = epoch;
        self.recovering = false;
        self.frozen = false;
        self.recording = None;
        self.balance = c.balance;
        self.done = c.done;
        self.sent = c.sent.clone();
        self.recv = c.recv.clone();
        // Re-deliver what the snapshot recorded in flight.
        for (from, amounts) in c.channel.iter().enumerate() {
            self.balance += amounts.iter().sum::<u64>();
            self.recv[from] += amounts.len() as u64;
        }
        self.next_index = c.index + 1;
        let mut replay = vec![0; n];
        let mut replayed = 0;
        let mut resend = Vec::new();
        {
            let st = ctx.stable_mut();
            st.epoch = epoch;
            st.checkpoints.retain(|k| k.index <= c.index);
            st.log.resize(n, Vec::new());
            for (to, log) in st.log.iter_mut().enumerate() {
                log.retain(|&(seq, _)| seq <= c.sent[to]);
                let Some(&have) = recv.get(to).and_then(|r| r.get(me)) else {
                    continue;
                };
                if to != me {
                    for &(seq, amount) in log.iter().filter(|&&(s, _)| s > have) {
                        replay[to] += 1;
                        replayed += amount;
                        resend.push((to, seq, amount));
                    }
                }
            }
        }
        for (to, seq, amount) in resend {
            ctx.send(to, Msg::Transfer { epoch, seq, amount });
        }
        ctx.observe(Obs::RolledBack {
            epoch,
            index: c.index,
            at: c.at,
            balance: self.balance,
            sent: self.sent.clone(),
            recv: self.recv.clone(),
            replay,
            replayed,
        });
        self.arm(ctx);
        let future = std::mem::take(&mut self.future);
        for (from, msg) in future {
            self.handle(ctx, from, msg);
        }
    }

    fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        if let Some(e) = msg.epoch() {
            if e > self.epoch || (self.recovering && e >= self.epoch) {
                self.future.push((from, msg));
                return;
            }
            if e < self.epoch {
                return;
            }
        }
        match msg {
            Msg::Transfer { seq, amount, .. } => self.receive(from, seq, amount),
            Msg::Marker { snapshot, .. } => self.marker(ctx, Some(from), snapshot),
            Msg::Done { snapshot, .. } => {
                if self.round.is_none() {
                    self.snapshot_done(ctx, from, snapshot);
                }
            }
            Msg::Commit { snapshot, .. } => self.commit(ctx, snapshot),
            Msg::NeedRecovery { incarnation } => self.need_recovery(ctx, from, incarnation),
            Msg::Collect { epoch, previous } => {
                self.frozen = true;
                if let Some((e, line)) = previous {
                    let me = ctx.id();
                    let st = ctx.stable_mut();
                    if st.epoch < e {
                        st.checkpoints.retain(|c| c.index <= line[me]);
                    }
                }
                let metas = self.metas(ctx);
                ctx.send(MANAGER, Msg::Checkpoints { epoch, metas });
            }
            Msg::Checkpoints { epoch, metas } => self.collected(ctx, from, epoch, metas),
            Msg::Rollback { epoch, line, recv } => {
                if epoch > ctx.stable().epoch {
                    self.rollback(ctx, epoch, &line, &recv);
                }
            }
        }
    }
}

/// Each process's latest checkpoint: ((process, position in its list), index).
fn latest_line(lists: &[Vec<Meta>]) -> Vec<((usize, usize), u64)> {
    lists
        .iter()
        .enumerate()
        .map(|(p, l)| ((p, l.len() - 1), l[l.len() - 1].index))
        .collect()
}

/// The latest consistent line: start from the latest checkpoints and, while some process has
/// received more from a peer than that peer's line checkpoint had sent (an orphan), roll the
/// receiver back one checkpoint. Initial checkpoints are all zero, so this terminates.
pub fn consistent_line(lists: &[Vec<Meta>]) -> Vec<((usize, usize), u64)> {
    let mut at: Vec<usize> = lists.iter().map(|l| l.len() - 1).collect();
    loop {
        let orphan = (0..lists.len()).find_map(|j| {
            (0..lists.len())
                .find(|&i| lists[j][at[j]].recv[i] > lists[i][at[i]].sent[j])
                .map(|_| j)
        });
        match orphan {
            Some(j) if at[j] > 0 => at[j] -= 1,
            _ => break,
        }
    }
    at.iter()
        .enumerate()
        .map(|(p, &k)| ((p, k), lists[p][k].index))
        .collect()
}

impl Process for CheckpointProcess {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let snapshot = (self.cfg.mode == Mode::Coordinated).then_some(0);
        let initial = self.state(ctx, snapshot);
        self.store(ctx, initial);
        self.arm(ctx);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.recovering = true;
        self.epoch = ctx.stable().epoch;
        let st = ctx.stable_mut();
        st.incarnation += 1;
        let incarnation = st.incarnation;
        ctx.observe(Obs::Restarted);
        if ctx.id() == MANAGER {
            self.need_recovery(ctx, MANAGER, incarnation);
        } else {
            ctx.send(MANAGER, Msg::NeedRecovery { incarnation });
        }
        ctx.set_timer(RETRY, Timer::Retry);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.handle(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Retry if self.recovering => {
                // Our request may have reached a manager that was down.
                let incarnation = ctx.stable().incarnation;
                if ctx.id() != MANAGER {
                    ctx.send(MANAGER, Msg::NeedRecovery { incarnation });
                }
                ctx.set_timer(RETRY, Timer::Retry);
            }
            Timer::Retry => {}
            // Timers of an epoch we rolled out of are dead.
            Timer::Transfer { epoch } | Timer::Checkpoint { epoch } | Timer::Snapshot { epoch }
                if epoch != self.epoch || self.recovering => {}
            Timer::Transfer { .. } => {
                self.transfer(ctx);
                if self.done < self.cfg.transfers {
                    let epoch = self.epoch;
                    let gap = Duration::from_millis(1 + ctx.random_below(TRANSFER_GAP_MS));
                    ctx.set_timer(gap, Timer::Transfer { epoch });
                }
            }
            Timer::Checkpoint { epoch } => {
                if !self.frozen {
                    let c = self.state(ctx, None);
                    self.store(ctx, c);
                }
                let half = self.cfg.interval.0 / 2;
                let d = ctx.random_duration(Duration(half), Duration(half * 3));
                ctx.set_timer(d, Timer::Checkpoint { epoch });
            }
            Timer::Snapshot { epoch } => {
                self.start_snapshot(ctx);
                ctx.set_timer(self.cfg.interval, Timer::Snapshot { epoch });
            }
        }
    }
}

// ---- properties ----

/// The cuts the properties judge: snapshots (by id) and recovery lines (by epoch), as their
/// parts arrive, complete once every process has contributed.
#[derive(Default)]
struct Cuts {
    snapshots: BTreeMap<u64, BTreeMap<NodeId, Part>>,
    lines: BTreeMap<u64, BTreeMap<NodeId, Part>>,
}

#[derive(Clone, Debug)]
struct Part {
    balance: u64,
    channel: u64,
    sent: Vec<u64>,
    recv: Vec<u64>,
    replay: Vec<u64>,
}

enum Cut {
    Snapshot(u64),
    Line(u64),
}

impl Cut {
    fn describe(&self) -> String {
        match self {
            Cut::Snapshot(s) => format!("snapshot {s}"),
            Cut::Line(e) => format!("the recovery line of epoch {e}"),
        }
    }
}

impl Cuts {
    /// Records a part; returns the cut if this completed it.
    fn add(&mut self, n: usize, node: NodeId, obs: &Obs) -> Option<(Cut, Vec<Part>)> {
        let (key, map, part) = match obs {
            Obs::Checkpoint {
                snapshot: Some(s),
                balance,
                channel,
                sent,
                recv,
                ..
            } => (
                Cut::Snapshot(*s),
                self.snapshots.entry(*s).or_default(),
                Part {
                    balance: *balance,
                    channel: *channel,
                    sent: sent.clone(),
                    recv: recv.clone(),
                    replay: vec![0; n],
                },
            ),
            Obs::RolledBack {
                epoch,
                balance,
                sent,
                recv,
                replay,
                replayed,
                ..
            } => (
                Cut::Line(*epoch),
                self.lines.entry(*epoch).or_default(),
                Part {
                    balance: *balance,
                    channel: *replayed,
                    sent: sent.clone(),
                    recv: recv.clone(),
                    replay: replay.clone(),
                },
            ),
            _ => return None,
        };
        map.insert(node, part);
        (map.len() == n).then(|| (key, map.values().cloned().collect()))
    }
}

/// Consistent cut: no snapshot or recovery line records a transfer as received that the
/// sender's part does not record as sent (an orphan message).
#[derive(Default)]
pub struct ConsistentCut {
    cuts: Cuts,
}

impl sim_core::Property<CheckpointProcess> for ConsistentCut {
    fn name(&self) -> &str {
        "consistent-cut"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        let Some((cut, parts)) = self.cuts.add(w.n(), node, obs) else {
            return Ok(());
        };
        for (j, pj) in parts.iter().enumerate() {
            for (i, pi) in parts.iter().enumerate() {
                if pj.recv[i] > pi.sent[j] {
                    return Err(format!(
                        "{} is inconsistent: node {j} has received {} transfers from node {i}, \
                         which had sent it only {} ({} orphan message(s))",
                        cut.describe(),
                        pj.recv[i],
                        pi.sent[j],
                        pj.recv[i] - pi.sent[j]
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Snapshot total: balances plus the transfers recorded in flight add up to the true total.
#[derive(Default)]
pub struct SnapshotTotal {
    cuts: Cuts,
}

impl sim_core::Property<CheckpointProcess> for SnapshotTotal {
    fn name(&self) -> &str {
        "snapshot-total"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        let Some((cut @ Cut::Snapshot(_), parts)) = self.cuts.add(w.n(), node, obs) else {
            return Ok(());
        };
        let balances: u64 = parts.iter().map(|p| p.balance).sum();
        let channels: u64 = parts.iter().map(|p| p.channel).sum();
        let total = INITIAL_BALANCE * w.n() as u64;
        if balances + channels != total {
            return Err(format!(
                "{} records {balances} in balances and {channels} in flight: {} instead of {total}",
                cut.describe(),
                balances + channels
            ));
        }
        Ok(())
    }
}

/// No committed transfer lost: every transfer that a recovery line records as sent is, after
/// the rollback, either received in the line (or re-delivered from a recorded channel) or
/// being replayed from the sender's log.
#[derive(Default)]
pub struct NoLostTransfer {
    cuts: Cuts,
}

impl sim_core::Property<CheckpointProcess> for NoLostTransfer {
    fn name(&self) -> &str {
        "no-lost-transfer"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        let Some((cut @ Cut::Line(_), parts)) = self.cuts.add(w.n(), node, obs) else {
            return Ok(());
        };
        for (i, pi) in parts.iter().enumerate() {
            for (j, pj) in parts.iter().enumerate() {
                let covered = pj.recv[i] + pi.replay[j];
                if covered < pi.sent[j] {
                    return Err(format!(
                        "{} loses transfers: node {i} sent {} to node {j}, which has {} of them \
                         and {} are replayed ({} lost)",
                        cut.describe(),
                        pi.sent[j],
                        pj.recv[i],
                        pi.replay[j],
                        pi.sent[j] - covered
                    ));
                }
            }
        }
        Ok(())
    }
}

/// No domino effect: a recovery rolls no process back past its latest permanent checkpoint.
/// The violation says how far the cascade went.
#[derive(Default)]
pub struct NoDomino {
    /// Per node: its permanent checkpoints (index, time), in order, of its current history.
    permanent: BTreeMap<NodeId, Vec<(u64, Time)>>,
    tentative: BTreeMap<NodeId, BTreeMap<u64, Time>>,
}

impl sim_core::Property<CheckpointProcess> for NoDomino {
    fn name(&self) -> &str {
        "no-domino"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Checkpoint {
                index,
                at,
                permanent: true,
                ..
            } => self.permanent.entry(node).or_default().push((*index, *at)),
            Obs::Checkpoint { index, at, .. } => {
                self.tentative.entry(node).or_default().insert(*index, *at);
            }
            Obs::Permanent { index } => {
                if let Some(at) = self.tentative.entry(node).or_default().remove(index) {
                    self.permanent.entry(node).or_default().push((*index, at));
                }
            }
            Obs::RolledBack {
                epoch, index, at, ..
            } => {
                let list = self.permanent.entry(node).or_default();
                let past = list.iter().filter(|(i, _)| i > index).count();
                list.retain(|(i, _)| i <= index);
                self.tentative.entry(node).or_default().clear();
                if past > 0 {
                    return Err(format!(
                        "the recovery of epoch {epoch} cascaded: node {node} rolled back past \
                         {past} of its checkpoints, to checkpoint #{index} taken at {at} \
                         ({} of work lost)",
                        w.now.since(*at)
                    ));
                }
            }
            Obs::Restarted => {}
        }
        Ok(())
    }
}

/// Every process that restarted was rolled back (and so runs again) by the end of the run.
#[derive(Default)]
pub struct Recovered {
    waiting: std::collections::BTreeSet<NodeId>,
}

impl sim_core::Property<CheckpointProcess> for Recovered {
    fn name(&self) -> &str {
        "recovered"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(
        &mut self,
        _: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Restarted => {
                self.waiting.insert(node);
            }
            Obs::RolledBack { .. } => {
                self.waiting.remove(&node);
            }
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, CheckpointProcess>) -> Result<(), String> {
        let stuck: Vec<NodeId> = self
            .waiting
            .iter()
            .copied()
            .filter(|&i| w.is_up(i))
            .collect();
        if stuck.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} restarted but never rolled back (at {})",
                crate::nodes_phrase(&stuck),
                w.now
            ))
        }
    }
}

/// Conservation: once everything has settled, the balances add up to the true total (judged
/// from the processes' states, only when every process is up and running).
#[derive(Default)]
pub struct Conservation;

impl sim_core::Property<CheckpointProcess> for Conservation {
    fn name(&self) -> &str {
        "conservation"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn finish(&mut self, w: &World<'_, CheckpointProcess>) -> Result<(), String> {
        if w.nodes().any(|i| !w.is_up(i) || w.state(i).recovering) {
            return Ok(()); // `recovered` speaks for this case
        }
        let total: u64 = w.nodes().map(|i| w.state(i).balance).sum();
        let expected = INITIAL_BALANCE * w.n() as u64;
        if total == expected {
            Ok(())
        } else {
            Err(format!(
                "the balances add up to {total} at the end instead of {expected}"
            ))
        }
    }
}

/// Reached when a whole recovery line was rolled back to.
#[derive(Default)]
struct RecoveryLine {
    cuts: Cuts,
    reached: bool,
}

impl sim_core::Property<CheckpointProcess> for RecoveryLine {
    fn name(&self) -> &str {
        "recovery-line"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn observe(
        &mut self,
        w: &World<'_, CheckpointProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        if let Some((Cut::Line(_), _)) = self.cuts.add(w.n(), node, obs) {
            self.reached = true;
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, CheckpointProcess>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no recovery line was rolled back to".into())
        }
    }
}

fn properties() -> Vec<PropertyDef<CheckpointProcess>> {
    vec![
        PropertyDef {
            name: "consistent-cut",
            kind: PropertyKind::Always,
            help: "every snapshot and recovery line is a consistent cut (no orphan message: \
                   received but not sent)",
            make: || Box::<ConsistentCut>::default(),
        },
        PropertyDef {
            name: "snapshot-total",
            kind: PropertyKind::Always,
            help: "every complete snapshot's balances plus recorded in-flight transfers equal \
                   the true total",
            make: || Box::<SnapshotTotal>::default(),
        },
        PropertyDef {
            name: "no-lost-transfer",
            kind: PropertyKind::Always,
            help: "after a rollback, every transfer the recovery line records as sent is \
                   received, re-delivered or replayed",
            make: || Box::<NoLostTransfer>::default(),
        },
        PropertyDef {
            name: "no-domino",
            kind: PropertyKind::Always,
            help: "no recovery rolls a process back past its latest permanent checkpoint (says \
                   how far a cascade went)",
            make: || Box::<NoDomino>::default(),
        },
        PropertyDef {
            name: "recovered",
            kind: PropertyKind::Eventually,
            help: "every restarted process that is up at the end was rolled back and runs again",
            make: || Box::<Recovered>::default(),
        },
        PropertyDef {
            name: "conservation",
            kind: PropertyKind::Eventually,
            help: "at the end, with every process up and running, the balances add up to the \
                   true total",
            make: || Box::<Conservation>::default(),
        },
        PropertyDef {
            name: "recovery-line",
            kind: PropertyKind::Sometimes,
            help: "every process rolled back to a recovery line",
            make: || Box::<RecoveryLine>::default(),
        },
    ]
}

pub struct Checkpointing;

impl Protocol for Checkpointing {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "checkpoint",
            summary: "Checkpointing and rollback recovery of a money-transfer application: \
                      Chandy-Lamport coordinated snapshots or independent checkpoints, optional \
                      message logging; node 0 initiates snapshots and manages recoveries; needs \
                      FIFO links",
            params: vec![
                ParamInfo::choice(
                    "mode",
                    &["coordinated", "independent", "independent-latest"],
                    "coordinated",
                    "coordinated: marker snapshots, roll back to the last committed one; \
                     independent: own schedules, roll back to the latest consistent line \
                     (may cascade); independent-latest: roll back to everyone's latest \
                     checkpoint, consistent or not",
                ),
                ParamInfo::boolean(
                    "logging",
                    false,
                    "independent modes: senders log transfers on stable storage and replay \
                     those in flight across the recovery line (coordinated snapshots record \
                     channels instead)",
                ),
                ParamInfo::int(
                    "interval_ms",
                    1,
                    10_000,
                    10,
                    "time between snapshots (coordinated) or mean time between a process's \
                     checkpoints (independent, drawn from half to 1.5 times it)",
                ),
                ParamInfo::int(
                    "transfers",
                    0,
                    10_000,
                    20,
                    "transfers each process makes (1-4ms apart, 1-10 units each)",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: false,
        }
    }

    fn check(&self, params: &Params, n: usize) -> Result<(), SpecError> {
        if !(2..=64).contains(&n) {
            return Err(SpecError::new(
                "nodes",
                format!("checkpointing needs from 2 to 64 nodes, found {n}"),
            ));
        }
        if params.boolean("logging") && params.choice("mode") == "coordinated" {
            return Err(SpecError::new(
                "params.logging",
                "coordinated snapshots record in-flight transfers themselves: logging applies \
                 to the independent modes only",
            ));
        }
        Ok(())
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        let cfg = Config {
            mode: match spec.params.choice("mode") {
                "coordinated" => Mode::Coordinated,
                "independent" => Mode::Independent,
                _ => Mode::IndependentLatest,
            },
            logging: spec.params.boolean("logging"),
            interval: Duration::from_millis(spec.params.int("interval_ms") as u64),
            transfers: spec.params.int("transfers") as u64,
        };
        let setup = setup(
            spec,
            &properties(),
            move |_, n| CheckpointProcess::new(n, cfg),
            None,
        );
        sim_core::Engine::new(setup, spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ParamValue;
    use crate::testing::{ms, spec, sweep, violated};
    use sim_core::faults::CrashSpec;
    use sim_core::{FaultSpec, Outcome, Property};

    fn base(mode: &str, logging: bool) -> RunSpec {
        let mut s = spec(
            &Checkpointing,
            5,
            &[
                ("mode", ParamValue::Str(mode.into())),
                ("logging", ParamValue::Bool(logging)),
            ],
        );
        s.network.default.fifo = true;
        s
    }

    fn crashes(max: u32) -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: 1,
                max,
                between: [ms(10), ms(60)],
                nodes: None,
                recover_after: Some([Duration::from_millis(1), Duration::from_millis(10)]),
            }),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn without_faults_snapshots_complete_and_money_is_conserved() {
        let mut s = base("coordinated", false);
        s.config.trace = true;
        let r = Checkpointing.run(&s);
        assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
        let committed = r
            .trace
            .as_ref()
            .unwrap()
            .iter()
            .filter(|e| matches!(&e.kind, sim_core::TraceKind::Observe { obs } if obs.starts_with("Permanent")))
            .count();
        // Snapshots every 10ms for about 80ms of transfers, each committed at all 5 processes.
        assert!(committed >= 5 * 5, "{committed} permanent checkpoints");
    }

    #[test]
    fn coordinated_snapshots_survive_crashes() {
        let reports = sweep(
            &Checkpointing,
            &base("coordinated", false),
            &crashes(2),
            0..300,
        );
        assert!(violated(&reports).is_empty(), "{:?}", violated(&reports));
    }

    #[test]
    fn independent_checkpoints_cascade_or_break_the_cut() {
        let v = violated(&sweep(
            &Checkpointing,
            &base("independent", true),
            &crashes(1),
            0..100,
        ));
        assert!(v.get("no-domino").copied().unwrap_or(0) > 30, "{v:?}");
        assert!(
            !v.contains_key("consistent-cut") && !v.contains_key("no-lost-transfer"),
            "{v:?}"
        );
        let v = violated(&sweep(
            &Checkpointing,
            &base("independent-latest", true),
            &crashes(1),
            0..100,
        ));
        assert!(v.get("consistent-cut").copied().unwrap_or(0) > 30, "{v:?}");
        let v = violated(&sweep(
            &Checkpointing,
            &base("independent", false),
            &crashes(1),
            0..100,
        ));
        assert!(
            v.contains_key("no-lost-transfer") || v.contains_key("no-domino"),
            "{v:?}"
        );
    }

    #[test]
    fn the_line_search_rolls_receivers_of_orphans_back() {
        let m = |index, sent: [u64; 2], recv: [u64; 2]| Meta {
            index,
            sent: sent.to_vec(),
            recv: recv.to_vec(),
        };
        // Node 1's latest checkpoint received 2 from node 0, whose latest had sent 1: node 1
        // goes back to its checkpoint 1, which received 1.
        let lists = vec![
            vec![m(0, [0, 0], [0, 0]), m(1, [0, 1], [0, 0])],
            vec![
                m(0, [0, 0], [0, 0]),
                m(1, [0, 0], [1, 0]),
                m(2, [0, 0], [2, 0]),
            ],
        ];
        let line: Vec<u64> = consistent_line(&lists).iter().map(|&(_, i)| i).collect();
        assert_eq!(line, vec![1, 1]);
        // Domino: each checkpoint received a transfer the other's checkpoint had not sent yet;
        // rolling one back orphans the other, down to the initial checkpoints.
        let lists = vec![
            vec![m(0, [0, 0], [0, 0]), m(1, [0, 0], [0, 1])],
            vec![m(0, [0, 0], [0, 0]), m(1, [0, 0], [1, 0])],
        ];
        let line: Vec<u64> = consistent_line(&lists).iter().map(|&(_, i)| i).collect();
        assert_eq!(line, vec![0, 0]);
        let latest: Vec<u64> = latest_line(&lists).iter().map(|&(_, i)| i).collect();
        assert_eq!(latest, vec![1, 1]);
    }

    fn checkpoint(
        snapshot: Option<u64>,
        balance: u64,
        channel: u64,
        sent: [u64; 2],
        recv: [u64; 2],
    ) -> Obs {
        Obs::Checkpoint {
            index: 1,
            snapshot,
            at: ms(5),
            balance,
            channel,
            sent: sent.to_vec(),
            recv: recv.to_vec(),
            permanent: snapshot.is_none(),
        }
    }

    fn rolled(
        epoch: u64,
        index: u64,
        balance: u64,
        sent: [u64; 2],
        recv: [u64; 2],
        replay: [u64; 2],
    ) -> Obs {
        Obs::RolledBack {
            epoch,
            index,
            at: ms(3),
            balance,
            sent: sent.to_vec(),
            recv: recv.to_vec(),
            replay: replay.to_vec(),
            replayed: 0,
        }
    }

    #[test]
    fn invariants_judge_hand_built_histories() {
        let cfg = Config {
            mode: Mode::Coordinated,
            logging: false,
            interval: Duration::from_millis(10),
            transfers: 0,
        };
        let mut states: Vec<CheckpointProcess> =
            (0..2).map(|_| CheckpointProcess::new(2, cfg)).collect();
        let up = [true; 2];
        let never = [false; 2];
        {
            let w = World::new(ms(20), &states, &up, &never, &never);
            // Snapshot 1: node 0 sent 2 to node 1, which recorded 1 received and 1 in flight (7).
            let mut cut = ConsistentCut::default();
            assert!(cut
                .observe(&w, 0, &checkpoint(Some(1), 90, 0, [0, 2], [0, 0]))
                .is_ok());
            assert!(cut
                .observe(&w, 1, &checkpoint(Some(1), 103, 7, [0, 0], [1, 0]))
                .is_ok());
            // Snapshot 2: node 1 received 3, node 0 had sent 2: an orphan.
            assert!(cut
                .observe(&w, 0, &checkpoint(Some(2), 90, 0, [0, 2], [0, 0]))
                .is_ok());
            let err = cut
                .observe(&w, 1, &checkpoint(Some(2), 110, 0, [0, 0], [3, 0]))
                .unwrap_err();
            assert!(
                err.contains("snapshot 2 is inconsistent") && err.contains("1 orphan"),
                "{err}"
            );

            let mut total = SnapshotTotal::default();
            assert!(total
                .observe(&w, 0, &checkpoint(Some(1), 90, 0, [0, 2], [0, 0]))
                .is_ok());
            assert!(total
                .observe(&w, 1, &checkpoint(Some(1), 103, 7, [0, 0], [1, 0]))
                .is_ok());
            assert!(total
                .observe(&w, 0, &checkpoint(Some(2), 90, 0, [0, 2], [0, 0]))
                .is_ok());
            let err = total
                .observe(&w, 1, &checkpoint(Some(2), 103, 0, [0, 0], [1, 0]))
                .unwrap_err();
            assert!(err.contains("193 instead of 200"), "{err}");

            // A line where node 0 sent 2, node 1 has 1: fine if 1 is replayed, lost otherwise.
            let mut lost = NoLostTransfer::default();
            assert!(lost
                .observe(&w, 0, &rolled(1, 1, 90, [0, 2], [0, 0], [0, 1]))
                .is_ok());
            assert!(lost
                .observe(&w, 1, &rolled(1, 1, 103, [0, 0], [1, 0], [0, 0]))
                .is_ok());
            assert!(lost
                .observe(&w, 0, &rolled(2, 1, 90, [0, 2], [0, 0], [0, 0]))
                .is_ok());
            let err = lost
                .observe(&w, 1, &rolled(2, 1, 103, [0, 0], [1, 0], [0, 0]))
                .unwrap_err();
            assert!(
                err.contains("epoch 2 loses transfers") && err.contains("(1 lost)"),
                "{err}"
            );

            // Node 1 has permanent checkpoints 0, 1, 2: back to 2 is fine, back to 0 cascades.
            let mut domino = NoDomino::default();
            for index in 0..3 {
                let mut c = checkpoint(None, 100, 0, [0, 0], [0, 0]);
                if let Obs::Checkpoint { index: i, .. } = &mut c {
                    *i = index;
                }
                domino.observe(&w, 1, &c).unwrap();
            }
            assert!(domino
                .observe(&w, 1, &rolled(1, 2, 100, [0, 0], [0, 0], [0, 0]))
                .is_ok());
            let err = domino
                .observe(&w, 1, &rolled(2, 0, 100, [0, 0], [0, 0], [0, 0]))
                .unwrap_err();
            assert!(
                err.contains("node 1 rolled back past 2 of its checkpoints"),
                "{err}"
            );

            let mut recovered = Recovered::default();
            recovered.observe(&w, 0, &Obs::Restarted).unwrap();
            assert!(recovered
                .finish(&w)
                .unwrap_err()
                .starts_with("node 0 restarted"));
            recovered
                .observe(&w, 0, &rolled(1, 0, 100, [0, 0], [0, 0], [0, 0]))
                .unwrap();
            assert!(recovered.finish(&w).is_ok());

            assert!(Conservation.finish(&w).is_ok());
        }
        states[1].balance = 90;
        let w = World::new(ms(20), &states, &up, &never, &never);
        let err = Conservation.finish(&w).unwrap_err();
        assert!(err.contains("190 at the end instead of 200"), "{err}");
    }
}
