//! A replica. The primary orders writes into its log, ships the whole log to the backups (the
//! same message is its heartbeat) and answers a client once its write is committed; backups
//! follow it and fail over when it falls silent, by one of the two rules:
//! - fenced: a backup that times out moves to the next view and sends its log to that view's
//!   primary, which starts the view once a majority joined (Viewstamped Replication's view
//!   change); messages of older views are refused and answered with the newer view;
//! - timeout-only: the backup promotes the next replica; a primary commits with the
//!   acknowledgements of the backups it heard from recently.

use std::collections::BTreeMap;

use ftsim_api::{Ctx, NodeId, Time};

use super::messages::{Config, Host, Msg, Obs, Timer, WriteId};

#[derive(Debug, PartialEq, Eq, Clone, Copy, Hash)]
enum Status {
    Normal,
    ViewChange,
}

#[derive(Clone, Debug, Hash)]
pub struct Replica {
    view: u64,
    status: Status,
    last_normal: u64,
    log: Vec<WriteId>,
    commit: usize,
    applied: usize,
    /// Timeout-only: who this replica believes is primary.
    pub(super) believed: NodeId,
    heard: bool,
    /// Primary: the longest log each backup acknowledged in this view, and when.
    acked: BTreeMap<NodeId, (usize, Time)>,
    /// Fenced, new primary: the logs of the replicas that joined the view.
    joined: BTreeMap<NodeId, (u64, Vec<WriteId>)>,
}

impl Replica {
    pub(super) fn new() -> Self {
        Replica {
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
        }
    }

    /// The view in which this replica acts as primary, if it does (timeout-only has no views:
    /// every primary acts in "view 0").
    pub(super) fn acting_primary(&self, cfg: &Config, me: NodeId) -> Option<u64> {
        if cfg.fenced {
            (self.status == Status::Normal && cfg.primary_of(self.view) == me).then_some(self.view)
        } else {
            (self.believed == me).then_some(0)
        }
    }

    /// Writes and syncs what a replica must not forget, before it answers.
    fn persist(&self, ctx: &mut Ctx<'_, impl Host>) {
        let d = ctx.stable_mut();
        d.view = self.view;
        d.last_normal = self.last_normal;
        d.log.clone_from(&self.log);
        ctx.sync();
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
    fn apply(&mut self, ctx: &mut Ctx<'_, impl Host>) {
        let upto = self.commit.min(self.log.len());
        while self.applied < upto {
            ctx.observe(Obs::Applied {
                index: self.applied,
                id: self.log[self.applied],
            });
            self.applied += 1;
        }
    }

    fn replicate(&self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
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

    /// Primary: how far the log is committed, by the failover rule.
    fn commit_point(&self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) -> usize {
        if cfg.fenced {
            // The largest length held by a majority (the primary holds its whole log).
            let mut lens: Vec<usize> = self.acked.values().map(|&(len, _)| len).collect();
            lens.push(self.log.len());
            lens.sort_unstable_by(|a, b| b.cmp(a));
            return lens.get(cfg.majority() - 1).copied().unwrap_or(self.commit);
        }
        // The bug: only backups heard from recently count; silence means "dead".
        let (me, now) = (ctx.id(), ctx.now());
        (0..cfg.replicas)
            .filter(|&b| b != me)
            .filter_map(|b| {
                let (len, at) = self.acked.get(&b).copied().unwrap_or((0, Time::ZERO));
                (now.since(at) < cfg.timeout).then_some(len)
            })
            .min()
            .unwrap_or(self.log.len())
            .min(self.log.len())
    }

    /// Primary: advances the commit point and answers the clients of newly committed writes.
    fn advance_commit(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let new_commit = self.commit_point(ctx, cfg);
        while self.commit < new_commit {
            let id = self.log[self.commit];
            let index = self.commit;
            ctx.send(id.0, Msg::Reply { id, index });
            self.commit += 1;
        }
        self.apply(ctx);
    }

    fn become_primary(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.acked.clear();
        ctx.observe(Obs::Primary { view: self.view });
        self.replicate(ctx, cfg);
        ctx.set_timer(cfg.heartbeat, Timer::Heartbeat);
    }

    /// Moves to a newer view (fenced), joining it by sending our log to its primary.
    fn join_view(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, view: u64) {
        self.view = view;
        self.status = Status::ViewChange;
        self.joined.clear();
        self.persist(ctx);
        let primary = cfg.primary_of(view);
        if primary == ctx.id() {
            self.on_do_view_change(ctx, cfg, primary, view, self.log.clone(), self.last_normal);
        } else {
            let msg = Msg::DoViewChange {
                view,
                log: self.log.clone(),
                last_normal: self.last_normal,
            };
            ctx.send(primary, msg);
        }
    }

    /// Fenced, the primary of `view`: a replica joined the view with its log.
    fn on_do_view_change(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
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
            let (log, commit) = (self.log.clone(), self.commit);
            ctx.send(from, Msg::StartView { view, log, commit });
            return;
        }
        self.joined.insert(from, (last_normal, log));
        if self.joined.len() >= cfg.majority() {
            self.start_view(ctx, cfg, view);
        }
    }

    /// Fenced, the new primary once a majority joined: takes the log with the latest normal
    /// view (then the longest) and starts the view.
    fn start_view(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, view: u64) {
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
            let (log, commit) = (self.log.clone(), self.commit);
            ctx.send(b, Msg::StartView { view, log, commit });
        }
        self.become_primary(ctx, cfg);
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Write { id } => self.on_write(ctx, cfg, from, id),
            Msg::Replicate { view, log, commit } => {
                self.on_replicate(ctx, cfg, from, view, log, commit)
            }
            Msg::ReplicateOk { view, len } => self.on_replicate_ok(ctx, cfg, from, view, len),
            Msg::DoViewChange {
                view,
                log,
                last_normal,
            } if cfg.fenced => {
                self.on_do_view_change(ctx, cfg, from, view, log, last_normal);
            }
            Msg::StartView { view, log, commit } if cfg.fenced => {
                self.on_start_view(ctx, cfg, from, view, log, commit)
            }
            _ => {}
        }
    }

    /// A client's write: the primary logs it (once) and replicates it; a backup redirects.
    fn on_write(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, from: NodeId, id: WriteId) {
        if !self.is_primary(cfg, ctx.id()) {
            if self.status == Status::Normal {
                let primary = self.primary_hint(cfg);
                ctx.send(from, Msg::Redirect { primary });
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

    /// The primary's log (and heartbeat).
    fn on_replicate(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        view: u64,
        log: Vec<WriteId>,
        commit: usize,
    ) {
        if !cfg.fenced {
            // No views: whoever sends a log is obeyed.
            self.believed = from;
            self.log = log;
        } else if view < self.view {
            let view = self.view;
            ctx.send(from, Msg::ReplicateOk { view, len: 0 });
            return;
        } else if view > self.view || self.status == Status::ViewChange {
            self.view = view;
            self.status = Status::Normal;
            self.last_normal = view;
            self.log = log;
        } else if log.len() > self.log.len() {
            self.log = log;
        }
        self.follow(ctx, from, commit);
    }

    /// Fenced: the new primary's log for `view`.
    fn on_start_view(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        view: u64,
        log: Vec<WriteId>,
        commit: usize,
    ) {
        if view < self.view
            || (view == self.view
                && self.status == Status::Normal
                && cfg.primary_of(view) == ctx.id())
        {
            return;
        }
        // Within one view the primary's log only grows: a late StartView must not truncate a
        // log that a newer Replicate of the same view already extended.
        if view > self.view || self.status == Status::ViewChange || log.len() > self.log.len() {
            self.log = log;
        }
        self.view = view;
        self.status = Status::Normal;
        self.last_normal = view;
        self.follow(ctx, from, commit);
    }

    /// A backup took the primary's log: learns the commit point, applies, acknowledges.
    fn follow(&mut self, ctx: &mut Ctx<'_, impl Host>, primary: NodeId, commit: usize) {
        self.heard = true;
        self.commit = self.commit.max(commit).min(self.log.len());
        self.persist(ctx);
        self.apply(ctx);
        let (view, len) = (self.view, self.log.len());
        ctx.send(primary, Msg::ReplicateOk { view, len });
    }

    fn on_replicate_ok(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        view: u64,
        len: usize,
    ) {
        if cfg.fenced && view > self.view {
            // Deposed: a newer view exists. Join it rather than keep acting.
            self.join_view(ctx, cfg, view);
            return;
        }
        if view == self.view && self.is_primary(cfg, ctx.id()) {
            let now = ctx.now();
            let e = self.acked.entry(from).or_insert((0, now));
            *e = (e.0.max(len), now);
            self.advance_commit(ctx, cfg);
        }
    }

    pub(super) fn on_timer(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, timer: Timer) {
        match timer {
            Timer::Heartbeat => {
                if self.is_primary(cfg, ctx.id()) {
                    self.replicate(ctx, cfg);
                    // Re-evaluating lets the timeout-only primary drop silent backups.
                    self.advance_commit(ctx, cfg);
                    ctx.set_timer(cfg.heartbeat, Timer::Heartbeat);
                }
            }
            Timer::FailureCheck => self.failure_check(ctx, cfg),
            Timer::ClientRetry => {}
        }
    }

    /// A backup that heard nothing from the primary since the last check fails over.
    fn failure_check(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let me = ctx.id();
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

    pub(super) fn start(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if self.is_primary(cfg, ctx.id()) {
            self.become_primary(ctx, cfg);
        }
        ctx.set_timer(cfg.timeout, Timer::FailureCheck);
    }

    /// Restarts from stable storage. Applied state was volatile: it is rebuilt as commits are
    /// learned again.
    pub(super) fn recover(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let d = ctx.stable().clone();
        self.view = d.view;
        self.last_normal = d.last_normal;
        self.log = d.log;
        self.believed = cfg.primary_of(self.view);
        if self.view != self.last_normal {
            self.status = Status::ViewChange;
        }
        self.start(ctx, cfg);
    }
}
