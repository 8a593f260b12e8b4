//! Primary-backup replication with heartbeat failure detection and failover.
//!
//! Nodes `0..replicas` are replicas; the rest are clients, each issuing a sequence of writes
//! and retrying (at the next replica) when no answer comes. The primary orders writes into a
//! log, ships the whole log to the backups (the same message is its heartbeat), and answers a
//! client once the write is committed. Backups that miss heartbeats for a timeout fail over.
//!
//! Two failover rules:
//! - **fenced** (view-numbered): a backup that times out moves to view `v + 1`, whose primary
//!   is `(v + 1) mod replicas`, and sends it its log; the new primary starts the view once a
//!   majority joined, taking the log with the latest normal view (then the longest), as in
//!   Viewstamped Replication. A write commits once a majority holds it in the primary's view,
//!   and replicas ignore (and answer with their view) messages of older views, so a deposed
//!   primary cannot commit: at most one primary per view, no acknowledged write lost. Needs a
//!   majority of replicas up to make progress.
//! - **timeout-only** (the known bug): no views. A backup that misses heartbeats promotes the
//!   next replica, and a primary commits with the acknowledgements of the backups it still
//!   hears from. Under a partition or long delays, two primaries act at once (split brain) and
//!   acknowledged writes are overwritten.
//!
//! Known result (PROTOCOLS.md §3): timeout-only failover is caught with two primaries under a
//! partition or long delays; the fenced variant is not.

use std::collections::BTreeMap;

use sim_core::{Ctx, Duration, NodeId, Process, Property, PropertyKind, RunReport, Time, World};

use crate::registry::{describe, setup, ParamInfo, PropertyDef, Protocol, ProtocolInfo, RunSpec};

/// A client write: (client node, sequence number at that client).
pub type WriteId = (NodeId, u64);

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub replicas: usize,
    pub fenced: bool,
    pub writes: u64,
    pub heartbeat: Duration,
    pub timeout: Duration,
    pub client_retry: Duration,
}

impl Config {
    fn majority(&self) -> usize {
        self.replicas / 2 + 1
    }
    fn primary_of(&self, view: u64) -> NodeId {
        (view % self.replicas as u64) as NodeId
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Write {
        id: WriteId,
    },
    Redirect {
        primary: NodeId,
    },
    Reply {
        id: WriteId,
        index: usize,
    },
    /// The primary's log and commit point; also its heartbeat.
    Replicate {
        view: u64,
        log: Vec<WriteId>,
        commit: usize,
    },
    /// A backup holds `len` entries of view `view` (or, if `view` is newer than the primary's,
    /// tells a deposed primary that the world moved on).
    ReplicateOk {
        view: u64,
        len: usize,
    },
    /// Fenced failover: "I joined view `view`; here is my log, last normal in `last_normal`".
    DoViewChange {
        view: u64,
        log: Vec<WriteId>,
        last_normal: u64,
    },
    /// Fenced failover: the new primary starts `view` with this log.
    StartView {
        view: u64,
        log: Vec<WriteId>,
        commit: usize,
    },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Heartbeat,
    FailureCheck,
    ClientRetry,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A replica starts acting as primary of `view`.
    Primary { view: u64 },
    /// A replica applied the write `id` at log position `index`.
    Applied { index: usize, id: WriteId },
    /// A client got the answer that `id` is committed at `index`.
    Acked { index: usize, id: WriteId },
    /// A client issued a write.
    Issued { id: WriteId },
}

/// What a replica keeps on stable storage (written whenever it changes).
#[derive(Clone, Debug, Default, Hash)]
pub struct Durable {
    pub view: u64,
    pub last_normal: u64,
    pub log: Vec<WriteId>,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Status {
    Normal,
    ViewChange,
}

#[derive(Debug)]
pub struct Replica {
    view: u64,
    status: Status,
    last_normal: u64,
    log: Vec<WriteId>,
    commit: usize,
    applied: usize,
    /// Timeout-only: who this replica believes is primary.
    believed: NodeId,
    heard: bool,
    /// Primary: the longest log each backup acknowledged in this view, and when.
    acked: BTreeMap<NodeId, (usize, Time)>,
    /// Fenced, new primary: the logs of the replicas that joined the view.
    joined: BTreeMap<NodeId, (u64, Vec<WriteId>)>,
}

#[derive(Debug)]
pub struct Client {
    next: u64,
    outstanding: Option<WriteId>,
    target: NodeId,
}

#[derive(Debug)]
pub enum Role {
    Replica(Replica),
    Client(Client),
}

#[derive(Debug)]
pub struct Node {
    cfg: Config,
    role: Role,
}

impl Node {
    pub fn new(cfg: Config, id: NodeId) -> Self {
        let role = if id < cfg.replicas {
            Role::Replica(Replica {
                view: 0,
                status: Status::Normal,
                last_normal: 0,
                log: Vec::new(),
                commit: 0,
                applied: 0,
                believed: 0,
                heard: false,
                acked: BTreeMap::new(),
                joined: BTreeMap::new(),
            })
        } else {
            Role::Client(Client {
                next: 0,
                outstanding: None,
                target: 0,
            })
        };
        Node { cfg, role }
    }

    /// The view in which this node acts as primary, if it does (for the split-brain check).
    pub fn acting_primary(&self, me: NodeId) -> Option<u64> {
        match &self.role {
            Role::Replica(r) if self.cfg.fenced => {
                (r.status == Status::Normal && self.cfg.primary_of(r.view) == me).then_some(r.view)
            }
            Role::Replica(r) => (r.believed == me).then_some(0),
            Role::Client(_) => None,
        }
    }
}

type C<'a, 'b> = &'a mut Ctx<'b, Node>;

impl Replica {
    fn persist(&self, ctx: C) {
        let d = ctx.stable_mut();
        d.view = self.view;
        d.last_normal = self.last_normal;
        d.log.clone_from(&self.log);
    }

    fn is_primary(&self, cfg: &Config, me: NodeId) -> bool {
        if cfg.fenced {
            self.status == Status::Normal && cfg.primary_of(self.view) == me
        } else {
            self.believed == me
        }
    }

    fn primary_hint(&self, cfg: &Config) -> NodeId {
        if cfg.fenced {
            cfg.primary_of(self.view)
        } else {
            self.believed
        }
    }

    /// Applies committed entries in order, reporting each.
    fn apply(&mut self, ctx: C) {
        let upto = self.commit.min(self.log.len());
        while self.applied < upto {
            ctx.observe(Obs::Applied {
                index: self.applied,
                id: self.log[self.applied],
            });
            self.applied += 1;
        }
    }

    fn replicate(&self, ctx: C, cfg: &Config) {
        let me = ctx.id();
        for b in (0..cfg.replicas).filter(|&b| b != me) {
            ctx.send(
                b,
                Msg::Replicate {
                    view: self.view,
                    log: self.log.clone(),
                    commit: self.commit,
                },
            );
        }
    }

    /// Primary: advances the commit point and answers the clients of newly committed writes.
    fn advance_commit(&mut self, ctx: C, cfg: &Config) {
        let me = ctx.id();
        let new_commit = if cfg.fenced {
            // The largest length held by a majority (the primary holds its whole log).
            let mut lens: Vec<usize> = self.acked.values().map(|&(len, _)| len).collect();
            lens.push(self.log.len());
            lens.sort_unstable_by(|a, b| b.cmp(a));
            lens.get(cfg.majority() - 1).copied().unwrap_or(self.commit)
        } else {
            // The bug: only backups heard from recently count; silence means "dead".
            let now = ctx.now();
            (0..cfg.replicas)
                .filter(|&b| b != me)
                .filter_map(|b| {
                    let (len, at) = self.acked.get(&b).copied().unwrap_or((0, Time::ZERO));
                    (now.since(at) < cfg.timeout).then_some(len)
                })
                .min()
                .unwrap_or(self.log.len())
                .min(self.log.len())
        };
        while self.commit < new_commit {
            let id = self.log[self.commit];
            ctx.send(
                id.0,
                Msg::Reply {
                    id,
                    index: self.commit,
                },
            );
            self.commit += 1;
        }
        self.apply(ctx);
    }

    fn become_primary(&mut self, ctx: C, cfg: &Config) {
        self.acked.clear();
        ctx.observe(Obs::Primary { view: self.view });
        self.replicate(ctx, cfg);
        ctx.set_timer(cfg.heartbeat, Timer::Heartbeat);
    }

    /// Moves to a newer view (fenced), joining it by sending our log to its primary.
    fn join_view(&mut self, ctx: C, cfg: &Config, view: u64) {
        self.view = view;
        self.status = Status::ViewChange;
        self.joined.clear();
        self.persist(ctx);
        let primary = cfg.primary_of(view);
        let msg = Msg::DoViewChange {
            view,
            log: self.log.clone(),
            last_normal: self.last_normal,
        };
        if primary == ctx.id() {
            self.on_do_view_change(ctx, cfg, primary, view, self.log.clone(), self.last_normal);
        } else {
            ctx.send(primary, msg);
        }
    }

    fn on_do_view_change(
        &mut self,
        ctx: C,
        cfg: &Config,
        from: NodeId,
        view: u64,
        log: Vec<WriteId>,
        last_normal: u64,
    ) {
        if view > self.view {
            self.join_view(ctx, cfg, view);
        }
        if view != self.view || cfg.primary_of(view) != ctx.id() {
            return;
        }
        if self.status == Status::Normal {
            // A late joiner: bring it up to date.
            ctx.send(
                from,
                Msg::StartView {
                    view,
                    log: self.log.clone(),
                    commit: self.commit,
                },
            );
            return;
        }
        self.joined.insert(from, (last_normal, log));
        if self.joined.len() < cfg.majority() {
            return;
        }
        let best = self
            .joined
            .values()
            .max_by(|a, b| (a.0, a.1.len()).cmp(&(b.0, b.1.len())))
            .map(|(_, log)| log.clone())
            .unwrap_or_default();
        self.log = best;
        self.status = Status::Normal;
        self.last_normal = view;
        self.commit = self.commit.min(self.log.len());
        self.persist(ctx);
        let me = ctx.id();
        for b in (0..cfg.replicas).filter(|&b| b != me) {
            ctx.send(
                b,
                Msg::StartView {
                    view,
                    log: self.log.clone(),
                    commit: self.commit,
                },
            );
        }
        self.become_primary(ctx, cfg);
    }

    fn on_message(&mut self, ctx: C, cfg: &Config, from: NodeId, msg: Msg) {
        let me = ctx.id();
        match msg {
            Msg::Write { id } => {
                if !self.is_primary(cfg, me) {
                    if self.status == Status::Normal {
                        ctx.send(
                            from,
                            Msg::Redirect {
                                primary: self.primary_hint(cfg),
                            },
                        );
                    }
                    return;
                }
                match self.log.iter().position(|&w| w == id) {
                    Some(index) if index < self.commit => ctx.send(from, Msg::Reply { id, index }),
                    Some(_) => {}
                    None => {
                        self.log.push(id);
                        self.persist(ctx);
                        self.replicate(ctx, cfg);
                        self.advance_commit(ctx, cfg);
                    }
                }
            }
            Msg::Replicate { view, log, commit } => {
                if cfg.fenced {
                    if view < self.view {
                        ctx.send(
                            from,
                            Msg::ReplicateOk {
                                view: self.view,
                                len: 0,
                            },
                        );
                        return;
                    }
                    if view > self.view || self.status == Status::ViewChange {
                        self.view = view;
                        self.status = Status::Normal;
                        self.last_normal = view;
                        self.log = log;
                    } else if log.len() > self.log.len() {
                        self.log = log;
                    }
                } else {
                    // No views: whoever sends a log is obeyed.
                    self.believed = from;
                    self.log = log;
                }
                self.heard = true;
                self.commit = self.commit.max(commit).min(self.log.len());
                self.persist(ctx);
                self.apply(ctx);
                ctx.send(
                    from,
                    Msg::ReplicateOk {
                        view: self.view,
                        len: self.log.len(),
                    },
                );
            }
            Msg::ReplicateOk { view, len } => {
                if cfg.fenced && view > self.view {
                    // Deposed: a newer view exists. Join it rather than keep acting.
                    self.join_view(ctx, cfg, view);
                    return;
                }
                if view == self.view && self.is_primary(cfg, me) {
                    let now = ctx.now();
                    let e = self.acked.entry(from).or_insert((0, now));
                    *e = (e.0.max(len), now);
                    self.advance_commit(ctx, cfg);
                }
            }
            Msg::DoViewChange {
                view,
                log,
                last_normal,
            } if cfg.fenced => {
                self.on_do_view_change(ctx, cfg, from, view, log, last_normal);
            }
            Msg::StartView { view, log, commit } if cfg.fenced => {
                if view < self.view
                    || (view == self.view
                        && self.status == Status::Normal
                        && cfg.primary_of(view) == me)
                {
                    return;
                }
                // Within one view the primary's log only grows: a late StartView must not
                // truncate a log that a newer Replicate of the same view already extended.
                if view > self.view
                    || self.status == Status::ViewChange
                    || log.len() > self.log.len()
                {
                    self.log = log;
                }
                self.view = view;
                self.status = Status::Normal;
                self.last_normal = view;
                self.commit = self.commit.max(commit).min(self.log.len());
                self.heard = true;
                self.persist(ctx);
                self.apply(ctx);
                ctx.send(
                    from,
                    Msg::ReplicateOk {
                        view,
                        len: self.log.len(),
                    },
                );
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: C, cfg: &Config, timer: Timer) {
        let me = ctx.id();
        match timer {
            Timer::Heartbeat => {
                if self.is_primary(cfg, me) {
                    self.replicate(ctx, cfg);
                    // Re-evaluating lets the timeout-only primary drop silent backups.
                    self.advance_commit(ctx, cfg);
                    ctx.set_timer(cfg.heartbeat, Timer::Heartbeat);
                }
            }
            Timer::FailureCheck => {
                if !self.is_primary(cfg, me) && !self.heard {
                    if cfg.fenced {
                        self.join_view(ctx, cfg, self.view + 1);
                    } else {
                        self.believed = (self.believed + 1) % cfg.replicas;
                        if self.believed == me {
                            self.become_primary(ctx, cfg);
                        }
                    }
                }
                self.heard = false;
                ctx.set_timer(cfg.timeout, Timer::FailureCheck);
            }
            Timer::ClientRetry => {}
        }
    }

    fn start(&mut self, ctx: C, cfg: &Config) {
        if self.is_primary(cfg, ctx.id()) {
            self.become_primary(ctx, cfg);
        }
        ctx.set_timer(cfg.timeout, Timer::FailureCheck);
    }
}

impl Client {
    fn issue(&mut self, ctx: C, cfg: &Config) {
        if self.next >= cfg.writes {
            self.outstanding = None;
            return;
        }
        let id = (ctx.id(), self.next);
        self.next += 1;
        self.outstanding = Some(id);
        ctx.observe(Obs::Issued { id });
        ctx.send(self.target, Msg::Write { id });
        ctx.set_timer(cfg.client_retry, Timer::ClientRetry);
    }

    fn on_message(&mut self, ctx: C, cfg: &Config, msg: Msg) {
        match msg {
            Msg::Reply { id, index } if self.outstanding == Some(id) => {
                ctx.observe(Obs::Acked { index, id });
                self.issue(ctx, cfg);
            }
            Msg::Redirect { primary } => {
                if let Some(id) = self.outstanding {
                    if primary != self.target {
                        self.target = primary;
                        ctx.send(primary, Msg::Write { id });
                    }
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: C, cfg: &Config) {
        if let Some(id) = self.outstanding {
            self.target = (self.target + 1) % cfg.replicas;
            ctx.send(self.target, Msg::Write { id });
            ctx.set_timer(cfg.client_retry, Timer::ClientRetry);
        }
    }
}

impl Process for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Durable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let cfg = self.cfg;
        match &mut self.role {
            Role::Replica(r) => r.start(ctx, &cfg),
            Role::Client(c) => c.issue(ctx, &cfg),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let cfg = self.cfg;
        match &mut self.role {
            Role::Replica(r) => r.on_message(ctx, &cfg, from, msg),
            Role::Client(c) => c.on_message(ctx, &cfg, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let cfg = self.cfg;
        match &mut self.role {
            Role::Replica(r) => r.on_timer(ctx, &cfg, timer),
            Role::Client(c) => c.on_timer(ctx, &cfg),
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        let cfg = self.cfg;
        match &mut self.role {
            Role::Replica(r) => {
                let d = ctx.stable().clone();
                r.view = d.view;
                r.last_normal = d.last_normal;
                r.log = d.log;
                // Applied state was volatile: it is rebuilt as commits are learned again.
                r.believed = cfg.primary_of(r.view);
                if r.view != r.last_normal {
                    r.status = Status::ViewChange;
                }
                r.start(ctx, &cfg);
            }
            // A client that crashed has lost its place; it does not resume.
            Role::Client(_) => {}
        }
    }
}

/// At most one live replica acts as primary in any one view.
#[derive(Default)]
pub struct SinglePrimary;

impl Property<Node> for SinglePrimary {
    fn name(&self) -> &str {
        "single-primary"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn watches_state(&self) -> bool {
        true
    }
    fn check_state(&mut self, w: &World<'_, Node>) -> Result<(), String> {
        let mut by_view: BTreeMap<u64, NodeId> = BTreeMap::new();
        for i in w.nodes().filter(|&i| w.is_up(i)) {
            if let Some(view) = w.state(i).acting_primary(i) {
                if let Some(other) = by_view.insert(view, i) {
                    return Err(format!(
                        "split brain: nodes {other} and {i} both act as primary of view {view}"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Replicas agree on the prefix they applied: no two apply different writes at one position.
#[derive(Default)]
pub struct PrefixAgreement {
    /// Position → the first replica to apply it, what, and at which event.
    at: BTreeMap<usize, (NodeId, WriteId, u64)>,
    conflict: Option<u64>,
}

impl Property<Node> for PrefixAgreement {
    fn name(&self) -> &str {
        "prefix-agreement"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let Obs::Applied { index, id } = obs else {
            return Ok(());
        };
        match self.at.get(index) {
            Some(&(other, was, at)) if was != *id => {
                self.conflict = Some(at);
                Err(format!(
                    "replica {node} applied write {id:?} at position {index}, replica {other} applied {was:?}"
                ))
            }
            Some(_) => Ok(()),
            None => {
                self.at.insert(*index, (node, *id, w.event()));
                Ok(())
            }
        }
    }
    fn related_events(&self) -> Vec<u64> {
        self.conflict.into_iter().collect()
    }
}

/// No acknowledged write is lost: a position a client was told holds its write never holds
/// anything else at any replica.
#[derive(Default)]
pub struct AckedWritesKept {
    acked: BTreeMap<usize, WriteId>,
    applied: BTreeMap<usize, (NodeId, WriteId)>,
}

impl Property<Node> for AckedWritesKept {
    fn name(&self) -> &str {
        "acked-writes-kept"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        let conflict = match *obs {
            Obs::Acked { index, id } => {
                self.acked.insert(index, id);
                self.applied
                    .get(&index)
                    .filter(|(_, w)| *w != id)
                    .map(|&(r, w)| (r, w, id, index))
            }
            Obs::Applied { index, id } => {
                self.applied.entry(index).or_insert((node, id));
                self.acked
                    .get(&index)
                    .filter(|&&w| w != id)
                    .map(|&w| (node, id, w, index))
            }
            _ => None,
        };
        match conflict {
            Some((replica, there, acked, index)) => Err(format!(
                "acknowledged write {acked:?} at position {index} lost: replica {replica} holds {there:?} there"
            )),
            None => Ok(()),
        }
    }
}

/// Every write of a correct client is eventually acknowledged, while a majority of replicas is
/// up at the end (the fenced variant cannot make progress without one).
#[derive(Default)]
pub struct RequestsAnswered {
    issued: BTreeMap<WriteId, bool>,
}

impl Property<Node> for RequestsAnswered {
    fn name(&self) -> &str {
        "requests-answered"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(&mut self, _: &World<'_, Node>, _: NodeId, obs: &Obs) -> Result<(), String> {
        match *obs {
            Obs::Issued { id } => {
                self.issued.entry(id).or_insert(false);
            }
            Obs::Acked { id, .. } => {
                self.issued.insert(id, true);
            }
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, Node>) -> Result<(), String> {
        let replicas = w
            .nodes()
            .filter(|&i| matches!(w.state(i).role, Role::Replica(_)))
            .collect::<Vec<_>>();
        let up = replicas.iter().filter(|&&i| w.is_up(i)).count();
        if up < replicas.len() / 2 + 1 {
            return Ok(());
        }
        for (id, done) in &self.issued {
            if !done && w.is_correct(id.0) {
                return Err(format!(
                    "write {id:?} of client {} was never answered",
                    id.0
                ));
            }
        }
        // A client that never got to issue all its writes is stuck too.
        for i in w.nodes().filter(|&i| w.is_correct(i)) {
            if let Role::Client(c) = &w.state(i).role {
                if c.next < w.state(i).cfg.writes {
                    return Err(format!("client {i} issued only {} of its writes", c.next));
                }
            }
        }
        Ok(())
    }
}

/// Reached when some replica other than the first primary took over: failover was exercised.
#[derive(Default)]
pub struct Failover {
    reached: bool,
}

impl Property<Node> for Failover {
    fn name(&self) -> &str {
        "failover"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn observe(&mut self, _: &World<'_, Node>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if matches!(obs, Obs::Primary { .. }) && node != 0 {
            self.reached = true;
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, Node>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("no failover happened".into())
        }
    }
}

fn properties() -> Vec<PropertyDef<Node>> {
    vec![
        PropertyDef {
            name: "single-primary",
            kind: PropertyKind::Always,
            help: "at most one live replica acts as primary per view (no split brain)",
            make: || Box::<SinglePrimary>::default(),
        },
        PropertyDef {
            name: "prefix-agreement",
            kind: PropertyKind::Always,
            help: "replicas agree on the prefix of writes they applied",
            make: || Box::<PrefixAgreement>::default(),
        },
        PropertyDef {
            name: "acked-writes-kept",
            kind: PropertyKind::Always,
            help: "no acknowledged write is lost or replaced",
            make: || Box::<AckedWritesKept>::default(),
        },
        PropertyDef {
            name: "requests-answered",
            kind: PropertyKind::Eventually,
            help: "every correct client's writes are answered while a majority of replicas is up",
            make: || Box::<RequestsAnswered>::default(),
        },
        PropertyDef {
            name: "failover",
            kind: PropertyKind::Sometimes,
            help: "a replica other than the first primary became primary",
            make: || Box::<Failover>::default(),
        },
    ]
}

pub struct PrimaryBackup;

impl Protocol for PrimaryBackup {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "primary-backup",
            summary: "Primary-backup replication with heartbeats and failover: view-numbered \
                      and fenced, or timeout-only (split brain)",
            params: vec![
                ParamInfo::int(
                    "replicas",
                    2,
                    64,
                    3,
                    "nodes 0..replicas are replicas; the rest are clients",
                ),
                ParamInfo::choice(
                    "failover",
                    &["fenced", "timeout-only"],
                    "fenced",
                    "fenced: view numbers, majority commits and view changes; timeout-only: a \
                     backup promotes the next replica when heartbeats stop (the known bug)",
                ),
                ParamInfo::int(
                    "writes",
                    1,
                    10_000,
                    5,
                    "writes each client issues, one after the other",
                ),
                ParamInfo::int(
                    "heartbeat_ms",
                    1,
                    100_000,
                    5,
                    "milliseconds between primary heartbeats",
                ),
                ParamInfo::int(
                    "timeout_ms",
                    1,
                    100_000,
                    20,
                    "milliseconds without a heartbeat before failover",
                ),
                ParamInfo::int(
                    "client_retry_ms",
                    1,
                    100_000,
                    30,
                    "milliseconds before a client retries at the next replica",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: false,
        }
    }

    fn check(&self, params: &crate::Params, n: usize) -> Result<(), crate::SpecError> {
        let replicas = params.int("replicas") as usize;
        if n <= replicas {
            return Err(crate::SpecError::new(
                "nodes",
                format!("{replicas} replicas need at least one client: expected more than {replicas} nodes, found {n}"),
            ));
        }
        Ok(())
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        let p = &spec.params;
        let cfg = Config {
            replicas: p.int("replicas") as usize,
            fenced: p.choice("failover") == "fenced",
            writes: p.int("writes") as u64,
            heartbeat: Duration::from_millis(p.int("heartbeat_ms") as u64),
            timeout: Duration::from_millis(p.int("timeout_ms") as u64),
            client_retry: Duration::from_millis(p.int("client_retry_ms") as u64),
        };
        let setup = setup(spec, &properties(), move |id, _| Node::new(cfg, id), None);
        sim_core::Engine::new(setup, spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ParamValue;
    use crate::testing::{ms, spec, sweep, violated};
    use sim_core::faults::{CrashSpec, PartitionSpec};
    use sim_core::{FaultSpec, Outcome};

    fn faults() -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: 0,
                max: 1,
                between: [ms(0), ms(100)],
                nodes: Some(vec![0, 1, 2]),
                recover_after: Some([Duration::from_millis(10), Duration::from_millis(60)]),
            }),
            partitions: Some(PartitionSpec {
                min: 0,
                max: 1,
                between: [ms(0), ms(100)],
                lasting: [Duration::from_millis(10), Duration::from_millis(50)],
            }),
            ..FaultSpec::default()
        }
    }

    fn base(failover: &str) -> RunSpec {
        let mut s = spec(
            &PrimaryBackup,
            4,
            &[("failover", ParamValue::Str(failover.into()))],
        );
        s.config.duration = Duration::from_millis(150);
        s.config.settle = Duration::from_millis(400);
        s
    }

    #[test]
    fn happy_path_answers_every_write_in_order() {
        let mut s = base("fenced");
        s.config.trace = true;
        let r = PrimaryBackup.run(&s);
        assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
        let acked: Vec<String> = r
            .trace
            .unwrap()
            .iter()
            .filter_map(|e| match &e.kind {
                sim_core::TraceKind::Observe { obs } if obs.starts_with("Acked") => {
                    Some(obs.clone())
                }
                _ => None,
            })
            .collect();
        let want: Vec<String> = (0..5)
            .map(|i| format!("Acked {{ index: {i}, id: (3, {i}) }}"))
            .collect();
        assert_eq!(acked, want);
    }

    #[test]
    fn fenced_failover_survives_crashes_and_partitions() {
        let reports = sweep(&PrimaryBackup, &base("fenced"), &faults(), 0..300);
        assert!(violated(&reports).is_empty(), "{:?}", violated(&reports));
    }

    #[test]
    fn a_late_start_view_does_not_truncate_a_committed_write() {
        // Seed 4156 of the fenced scenario: a StartView delayed past the new primary's first
        // Replicate once shortened a backup's log, and the next view lost an acknowledged write.
        let mut s = base("fenced");
        s.network.default.delay = sim_core::DelayDist::Exponential {
            min: Duration::from_millis(1),
            mean: Duration::from_millis(3),
        };
        s.network.default.loss_ppm = 50_000;
        let reports = sweep(&PrimaryBackup, &s, &faults(), 4150..4160);
        assert!(violated(&reports).is_empty(), "{:?}", violated(&reports));
    }

    #[test]
    fn timeout_only_failover_is_caught_with_two_primaries() {
        let reports = sweep(&PrimaryBackup, &base("timeout-only"), &faults(), 0..300);
        let found = violated(&reports);
        assert!(
            found.get("single-primary").copied().unwrap_or(0) > 30,
            "{found:?}"
        );
    }

    #[test]
    fn invariants_judge_hand_built_histories() {
        let cfg = Config {
            replicas: 3,
            fenced: false,
            writes: 1,
            heartbeat: Duration::from_millis(1),
            timeout: Duration::from_millis(1),
            client_retry: Duration::from_millis(1),
        };
        // Timeout-only replicas all start believing node 0 is primary; make node 1 believe in
        // itself too: two acting primaries of "view 0".
        let mut states: Vec<Node> = (0..4).map(|i| Node::new(cfg, i)).collect();
        let (up, never) = ([true; 4], [false; 4]);
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        assert!(SinglePrimary.check_state(&w).is_ok());
        if let Role::Replica(r) = &mut states[1].role {
            r.believed = 1;
        }
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let err = SinglePrimary.check_state(&w).unwrap_err();
        assert!(err.contains("nodes 0 and 1"), "{err}");
        let down0 = [false, true, true, true];
        let w = World::new(Time::ZERO, &states, &down0, &never, &never);
        assert!(
            SinglePrimary.check_state(&w).is_ok(),
            "a crashed primary does not act"
        );

        let (a, b) = ((3, 0), (3, 1));
        let mut prefix = PrefixAgreement::default();
        prefix
            .observe(&w, 0, &Obs::Applied { index: 0, id: a })
            .unwrap();
        prefix
            .observe(&w, 1, &Obs::Applied { index: 0, id: a })
            .unwrap();
        assert!(prefix
            .observe(&w, 2, &Obs::Applied { index: 0, id: b })
            .is_err());

        let mut kept = AckedWritesKept::default();
        kept.observe(&w, 3, &Obs::Acked { index: 0, id: a })
            .unwrap();
        kept.observe(&w, 0, &Obs::Applied { index: 0, id: a })
            .unwrap();
        assert!(kept
            .observe(&w, 1, &Obs::Applied { index: 0, id: b })
            .is_err());
        let mut kept = AckedWritesKept::default();
        kept.observe(&w, 1, &Obs::Applied { index: 0, id: b })
            .unwrap();
        assert!(
            kept.observe(&w, 3, &Obs::Acked { index: 0, id: a })
                .is_err(),
            "ack after overwrite"
        );

        let mut answered = RequestsAnswered::default();
        answered.observe(&w, 3, &Obs::Issued { id: a }).unwrap();
        assert!(answered.finish(&w).is_err());
        answered
            .observe(&w, 3, &Obs::Acked { index: 0, id: a })
            .unwrap();
        // Client 3 issued only 1 of its 1 writes in this history: answered.
        if let Role::Client(c) = &mut states[3].role {
            c.next = 1;
        }
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        assert!(answered.finish(&w).is_ok());
    }
}
