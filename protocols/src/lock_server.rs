//! A lock server for mutual exclusion that survives crashes (PROTOCOLS.md §7), over reliable
//! FIFO links and a perfect failure detector.
//!
//! Node 0 is the server, the others are clients that `enter` (request the lock, wait for the
//! grant, hold it a while) and `leave` (release), a few times each. The server keeps the owner
//! and a queue; each queued request gets a ticket, which the client learns, so the queue order
//! can be rebuilt. A client crash is handled through the failure detector: a queued client is
//! removed, an owner's lock goes to the next in line. A restarted client first resets its
//! standing with the server (and waits for the answer), so old grants cannot confuse it.
//!
//! On reboot the server says hello and every client answers with what it knows: holding or not,
//! waiting or not, and its ticket. The variants differ in what the server trusts:
//! - `stateful`: owner, queue and ticket counter are on stable storage, written at every change;
//!   the answers only repair messages lost while the server was down;
//! - `reconnect-window`: a stateless server that rebuilds owner and queue (in ticket order)
//!   from the answers, granting nothing until the window closes; safe as long as every live
//!   client answers within it (here: delays are bounded, the window exceeds a round trip);
//! - `stateless`: rebuilds from the answers but grants at once; a waiting client's answer can
//!   arrive before the owner's, so the lock is granted while still held (the known result).

use std::collections::{BTreeMap, BTreeSet};

use sim_core::{Ctx, Duration, NodeId, Process, PropertyKind, RunReport, Time, World};

use crate::registry::{
    describe, setup, ParamInfo, Params, PropertyDef, Protocol, ProtocolInfo, RunSpec, SpecError,
};

pub const SERVER: NodeId = 0;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    Request,
    Release,
    /// "I restarted: forget whatever you hold for me."
    Reset,
    /// The client's answer to `Hello`.
    Reconnect {
        holding: bool,
        waiting: bool,
        ticket: Option<u64>,
    },
    Queued {
        ticket: u64,
    },
    Grant {
        ticket: u64,
    },
    /// The answer to `Reset`.
    Welcome,
    /// "I rebooted: tell me what you hold."
    Hello,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    Think,
    Hold,
    WindowEnd,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// A client asks for the lock.
    Request,
    /// A client enters its critical section.
    Enter,
    /// A client leaves it.
    Exit,
    /// A client restarted after a crash: it holds nothing and waits for nothing.
    Restarted,
    /// The server sees a client's request for the first time (or again, after losing it).
    Arrived { client: NodeId },
    /// The server processed a restarted client's reset: whatever it had for the client's
    /// previous incarnation (including a request that arrived after the restart) is dropped.
    Forgot { client: NodeId },
    /// The server rebooted.
    Rebooted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Stateful,
    ReconnectWindow,
    Stateless,
}

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub variant: Variant,
    pub fifo: bool,
    pub window: Duration,
    pub requests: u64,
}

/// What the stateful server persists.
#[derive(Clone, Debug, Default)]
pub struct Stable {
    owner: Option<(NodeId, u64)>,
    queue: Vec<(u64, NodeId)>,
    next_ticket: u64,
}

#[derive(Debug, Default)]
pub struct Server {
    owner: Option<(NodeId, u64)>,
    /// (ticket, client), in arrival order.
    queue: Vec<(u64, NodeId)>,
    next_ticket: u64,
    /// Whether the owner was granted before the last reboot: only then does a client's answer
    /// to `Hello` (which reflects what the server sent before the reboot) say anything about it.
    owner_before_reboot: bool,
    /// Clients the failure detector reported crashed: their late messages are ignored until
    /// their new incarnation resets.
    suspected: BTreeSet<NodeId>,
    /// While rebuilding after a reboot (reconnect-window): the answers so far, and requests
    /// that came without a ticket, in arrival order.
    rebuilding: bool,
    answers: BTreeMap<NodeId, (bool, Option<u64>)>,
    unticketed: Vec<NodeId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientState {
    /// Restarted: waiting for the server to confirm the reset.
    Resetting,
    Idle,
    Waiting(Option<u64>),
    Holding,
}

#[derive(Debug)]
pub struct Client {
    state: ClientState,
    done: u64,
}

#[derive(Debug)]
pub enum LockProcess {
    Server(Server, Config),
    Client(Client, Config),
}

const THINK_MS: u64 = 10;
const HOLD_MS: u64 = 8;

impl Server {
    fn persist(&self, ctx: &mut Ctx<'_, LockProcess>, cfg: &Config) {
        if cfg.variant == Variant::Stateful {
            *ctx.stable_mut() = Stable {
                owner: self.owner,
                queue: self.queue.clone(),
                next_ticket: self.next_ticket,
            };
        }
    }

    fn queued(&self, c: NodeId) -> Option<usize> {
        self.queue.iter().position(|&(_, q)| q == c)
    }

    fn enqueue(&mut self, ctx: &mut Ctx<'_, LockProcess>, c: NodeId) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.queue.push((ticket, c));
        ctx.observe(Obs::Arrived { client: c });
        ctx.send(c, Msg::Queued { ticket });
    }

    fn forget(&mut self, c: NodeId) {
        if self.owner.is_some_and(|(o, _)| o == c) {
            self.owner = None;
        }
        self.queue.retain(|&(_, q)| q != c);
        self.answers.remove(&c);
        self.unticketed.retain(|&q| q != c);
    }

    fn grant_next(&mut self, ctx: &mut Ctx<'_, LockProcess>, cfg: &Config) {
        if self.owner.is_none() && !self.rebuilding && !self.queue.is_empty() {
            let i = if cfg.fifo {
                0
            } else {
                // The priority server: the lowest client id first, whatever the arrival order.
                (0..self.queue.len())
                    .min_by_key(|&i| self.queue[i].1)
                    .unwrap_or(0)
            };
            let (ticket, c) = self.queue.remove(i);
            self.owner = Some((c, ticket));
            self.owner_before_reboot = false;
            ctx.send(c, Msg::Grant { ticket });
        }
        self.persist(ctx, cfg);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LockProcess>, cfg: &Config, c: NodeId, msg: Msg) {
        // A message sent before the client crashed can arrive after we forgot it; links are
        // FIFO, so everything after its new incarnation's reset is current.
        if self.suspected.contains(&c) && msg != Msg::Reset {
            return;
        }
        match msg {
            Msg::Request => {
                if self.rebuilding {
                    if !self.unticketed.contains(&c) {
                        self.unticketed.push(c);
                        ctx.observe(Obs::Arrived { client: c });
                    }
                } else if self.queued(c).is_none() {
                    // A client asks only after releasing; if we still think it owns the lock,
                    // its release was lost while we were down.
                    if self.owner.is_some_and(|(o, _)| o == c) {
                        self.owner = None;
                    }
                    self.enqueue(ctx, c);
                }
            }
            Msg::Release => {
                if self.rebuilding {
                    if let Some(a) = self.answers.get_mut(&c) {
                        a.0 = false;
                    }
                } else if self.owner.is_some_and(|(o, _)| o == c) {
                    self.owner = None;
                }
            }
            Msg::Reset => {
                self.suspected.remove(&c);
                self.forget(c);
                ctx.observe(Obs::Forgot { client: c });
                ctx.send(c, Msg::Welcome);
            }
            Msg::Reconnect {
                holding,
                waiting,
                ticket,
            } => self.reconnect(ctx, c, holding, waiting, ticket),
            _ => {}
        }
        self.grant_next(ctx, cfg);
    }

    fn reconnect(
        &mut self,
        ctx: &mut Ctx<'_, LockProcess>,
        c: NodeId,
        holding: bool,
        waiting: bool,
        ticket: Option<u64>,
    ) {
        if self.rebuilding {
            if waiting && ticket.is_none() {
                // Its request was lost with the old server (or is still unanswered): it counts
                // as arriving now.
                if !self.unticketed.contains(&c) {
                    self.unticketed.push(c);
                    ctx.observe(Obs::Arrived { client: c });
                }
            } else {
                self.answers
                    .insert(c, (holding, ticket.filter(|_| waiting)));
            }
            return;
        }
        // The answer reflects what we sent before the reboot and what the client sent before
        // answering (which, links being FIFO, we have already received): a grant we sent
        // since is simply not known to it yet.
        let owns = self.owner.is_some_and(|(o, _)| o == c);
        if holding && self.owner.is_none() {
            // Only a stateless server learns its owner this way; if it granted the lock to
            // someone else meanwhile, there are now two owners.
            self.owner = Some((c, ticket.unwrap_or(0)));
            self.owner_before_reboot = true;
        }
        if !holding && owns && self.owner_before_reboot {
            self.owner = None; // its release was lost while we were down
        }
        let owns = self.owner.is_some_and(|(o, _)| o == c);
        if waiting && !owns && self.queued(c).is_none() {
            self.enqueue(ctx, c); // its request was lost while we were down
        }
    }

    /// Closes the reconnection window: the owner is whoever still holds the lock, the queue is
    /// the ticketed waiters in ticket order, then the requests that came without a ticket.
    fn rebuild(&mut self, ctx: &mut Ctx<'_, LockProcess>, cfg: &Config) {
        self.rebuilding = false;
        let answers = std::mem::take(&mut self.answers);
        self.owner = answers
            .iter()
            .find(|(_, &(holding, _))| holding)
            .map(|(&c, _)| (c, 0));
        self.owner_before_reboot = true;
        let mut waiting: Vec<(u64, NodeId)> = answers
            .iter()
            .filter_map(|(&c, &(_, t))| t.map(|t| (t, c)))
            .filter(|&(_, c)| self.owner.is_none_or(|(o, _)| o != c))
            .collect();
        waiting.sort_unstable();
        self.next_ticket = waiting.last().map_or(0, |&(t, _)| t + 1);
        self.queue = waiting;
        for c in std::mem::take(&mut self.unticketed) {
            let ticket = self.next_ticket;
            self.next_ticket += 1;
            self.queue.push((ticket, c));
            ctx.send(c, Msg::Queued { ticket });
        }
        self.grant_next(ctx, cfg);
    }
}

impl Client {
    fn think(ctx: &mut Ctx<'_, LockProcess>) {
        let d = Duration::from_millis(ctx.random_below(THINK_MS + 1));
        ctx.set_timer(d, Timer::Think);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LockProcess>, msg: Msg) {
        match (msg, self.state) {
            (Msg::Welcome, ClientState::Resetting) => {
                self.state = ClientState::Idle;
                Self::think(ctx);
            }
            (Msg::Queued { ticket }, ClientState::Waiting(_)) => {
                self.state = ClientState::Waiting(Some(ticket));
            }
            (Msg::Grant { ticket }, ClientState::Waiting(Some(mine))) if ticket == mine => {
                self.state = ClientState::Holding;
                ctx.observe(Obs::Enter);
                let d = Duration::from_millis(1 + ctx.random_below(HOLD_MS));
                ctx.set_timer(d, Timer::Hold);
            }
            (Msg::Hello, ClientState::Resetting) => ctx.send(SERVER, Msg::Reset),
            (Msg::Hello, state) => ctx.send(
                SERVER,
                Msg::Reconnect {
                    holding: state == ClientState::Holding,
                    waiting: matches!(state, ClientState::Waiting(_)),
                    ticket: match state {
                        ClientState::Waiting(t) => t,
                        _ => None,
                    },
                },
            ),
            // A grant for a request we no longer have (we restarted since): the server hears
            // of our reset and moves on.
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, LockProcess>, cfg: &Config, timer: Timer) {
        match (timer, self.state) {
            (Timer::Think, ClientState::Idle) => {
                self.state = ClientState::Waiting(None);
                ctx.observe(Obs::Request);
                ctx.send(SERVER, Msg::Request);
            }
            (Timer::Hold, ClientState::Holding) => {
                self.state = ClientState::Idle;
                self.done += 1;
                ctx.observe(Obs::Exit);
                ctx.send(SERVER, Msg::Release);
                if self.done < cfg.requests {
                    Self::think(ctx);
                }
            }
            _ => {}
        }
    }
}

impl LockProcess {
    pub fn new(id: NodeId, cfg: Config) -> Self {
        if id == SERVER {
            LockProcess::Server(Server::default(), cfg)
        } else {
            LockProcess::Client(
                Client {
                    state: ClientState::Idle,
                    done: 0,
                },
                cfg,
            )
        }
    }
}

impl Process for LockProcess {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = Stable;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let LockProcess::Client(..) = self {
            Client::think(ctx);
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            LockProcess::Server(s, cfg) => {
                ctx.observe(Obs::Rebooted);
                match cfg.variant {
                    Variant::Stateful => {
                        let st = ctx.stable().clone();
                        s.owner = st.owner;
                        s.owner_before_reboot = true;
                        s.queue = st.queue;
                        s.next_ticket = st.next_ticket;
                    }
                    Variant::ReconnectWindow => {
                        s.rebuilding = true;
                        ctx.set_timer(cfg.window, Timer::WindowEnd);
                    }
                    Variant::Stateless => {}
                }
                ctx.broadcast(Msg::Hello);
            }
            LockProcess::Client(c, _) => {
                c.state = ClientState::Resetting;
                ctx.observe(Obs::Restarted);
                ctx.send(SERVER, Msg::Reset);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            LockProcess::Server(s, cfg) => {
                let cfg = *cfg;
                s.on_message(ctx, &cfg, from, msg);
            }
            LockProcess::Client(c, _) if from == SERVER => c.on_message(ctx, msg),
            LockProcess::Client(..) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            LockProcess::Server(s, cfg) => {
                if timer == Timer::WindowEnd && s.rebuilding {
                    let cfg = *cfg;
                    s.rebuild(ctx, &cfg);
                }
            }
            LockProcess::Client(c, cfg) => {
                let cfg = *cfg;
                c.on_timer(ctx, &cfg, timer);
            }
        }
    }

    fn on_suspect(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        if let LockProcess::Server(s, cfg) = self {
            let cfg = *cfg;
            s.forget(node);
            s.suspected.insert(node);
            s.grant_next(ctx, &cfg);
        }
    }
}

/// Mutual exclusion: no client enters while another live client is inside. A client that
/// crashed is out (it runs nothing); one that restarted says so.
#[derive(Default)]
pub struct MutualExclusion {
    inside: BTreeMap<NodeId, Time>,
}

impl sim_core::Property<LockProcess> for MutualExclusion {
    fn name(&self) -> &str {
        "mutual-exclusion"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(
        &mut self,
        w: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Enter => {
                if let Some((&other, &since)) =
                    self.inside.iter().find(|(&o, _)| o != node && w.is_up(o))
                {
                    return Err(format!(
                        "node {node} entered the critical section while node {other} was in it \
                         (since {since})"
                    ));
                }
                self.inside.insert(node, w.now);
            }
            Obs::Exit | Obs::Restarted => {
                self.inside.remove(&node);
            }
            _ => {}
        }
        Ok(())
    }
}

/// FIFO grants: clients enter in the order their requests first reached the server, skipping
/// clients that crashed (or restarted, dropping their request) meanwhile.
#[derive(Default)]
pub struct FifoGrants {
    /// Clients with a pending request, in order of first arrival at the server.
    pending: Vec<NodeId>,
}

impl sim_core::Property<LockProcess> for FifoGrants {
    fn name(&self) -> &str {
        "fifo-grants"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(
        &mut self,
        w: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Arrived { client } if !self.pending.contains(client) => {
                self.pending.push(*client);
            }
            Obs::Restarted => self.pending.retain(|&c| c != node),
            Obs::Forgot { client } => self.pending.retain(|c| c != client),
            Obs::Enter => {
                let Some(at) = self.pending.iter().position(|&c| c == node) else {
                    return Ok(());
                };
                if let Some(&first) = self.pending[..at].iter().find(|&&c| w.is_up(c)) {
                    return Err(format!(
                        "node {node} was granted the lock before node {first}, whose request \
                         reached the server first and is still waiting"
                    ));
                }
                self.pending.remove(at);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Every request of a client that is up at the end was granted.
#[derive(Default)]
pub struct EveryRequestGranted {
    waiting: BTreeSet<NodeId>,
}

impl sim_core::Property<LockProcess> for EveryRequestGranted {
    fn name(&self) -> &str {
        "every-request-granted"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(
        &mut self,
        _: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Request => {
                self.waiting.insert(node);
            }
            Obs::Enter | Obs::Restarted => {
                self.waiting.remove(&node);
            }
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, LockProcess>) -> Result<(), String> {
        let starved: Vec<NodeId> = self
            .waiting
            .iter()
            .copied()
            .filter(|&c| w.is_up_and_honest(c))
            .collect();
        if starved.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} still waiting for the lock at {}",
                crate::nodes_phrase(&starved),
                w.now
            ))
        }
    }
}

/// Reached when the server rebooted while a client held the lock: the case where a stateless
/// server can go wrong.
#[derive(Default)]
struct RebootWhileHeld {
    inside: BTreeSet<NodeId>,
    reached: bool,
}

impl sim_core::Property<LockProcess> for RebootWhileHeld {
    fn name(&self) -> &str {
        "reboot-while-held"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn observe(
        &mut self,
        w: &World<'_, LockProcess>,
        node: NodeId,
        obs: &Obs,
    ) -> Result<(), String> {
        match obs {
            Obs::Enter => {
                self.inside.insert(node);
            }
            Obs::Exit | Obs::Restarted => {
                self.inside.remove(&node);
            }
            Obs::Rebooted => self.reached |= self.inside.iter().any(|&c| w.is_up(c)),
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self, _: &World<'_, LockProcess>) -> Result<(), String> {
        if self.reached {
            Ok(())
        } else {
            Err("the server never rebooted while a client held the lock".into())
        }
    }
}

fn properties() -> Vec<PropertyDef<LockProcess>> {
    vec![
        PropertyDef {
            name: "mutual-exclusion",
            kind: PropertyKind::Always,
            help: "no client enters the critical section while another live client is in it",
            make: || Box::<MutualExclusion>::default(),
        },
        PropertyDef {
            name: "fifo-grants",
            kind: PropertyKind::Always,
            help: "clients enter in the order their requests reached the server (crashed ones \
                   skipped)",
            make: || Box::<FifoGrants>::default(),
        },
        PropertyDef {
            name: "every-request-granted",
            kind: PropertyKind::Eventually,
            help: "every request of a client that is up at the end was granted",
            make: || Box::<EveryRequestGranted>::default(),
        },
        PropertyDef {
            name: "reboot-while-held",
            kind: PropertyKind::Sometimes,
            help: "the server rebooted while a live client held the lock",
            make: || Box::<RebootWhileHeld>::default(),
        },
    ]
}

pub struct LockServer;

impl Protocol for LockServer {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "lock-server",
            summary: "Lock server for mutual exclusion (node 0 serves, the others are clients) \
                      surviving client and server crashes; needs FIFO links",
            params: vec![
                ParamInfo::choice(
                    "server",
                    &["stateful", "reconnect-window", "stateless"],
                    "stateful",
                    "stateful: owner and queue on stable storage; reconnect-window: rebuilt \
                     from the clients' answers after a reboot, granting nothing until the \
                     window closes; stateless: rebuilt from the answers but granting at once",
                ),
                ParamInfo::int(
                    "window_ms",
                    1,
                    10_000,
                    15,
                    "reconnect-window: how long the rebooted server waits for the clients \
                     (must exceed a round trip)",
                ),
                ParamInfo::choice(
                    "queue",
                    &["fifo", "lowest-id"],
                    "fifo",
                    "fifo: grant in arrival order; lowest-id: grant the waiting client with \
                     the lowest id",
                ),
                ParamInfo::int(
                    "requests",
                    1,
                    1_000,
                    3,
                    "critical sections per client (0-10ms thinking before each, 1-8ms inside)",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: vec![],
            needs_detector: true,
        }
    }

    fn check(&self, _: &Params, n: usize) -> Result<(), SpecError> {
        if n < 2 {
            return Err(SpecError::new(
                "nodes",
                "the lock server needs a server and at least one client: expected 2 nodes or more",
            ));
        }
        Ok(())
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        let cfg = Config {
            variant: match spec.params.choice("server") {
                "stateful" => Variant::Stateful,
                "reconnect-window" => Variant::ReconnectWindow,
                _ => Variant::Stateless,
            },
            fifo: spec.params.choice("queue") == "fifo",
            window: Duration::from_millis(spec.params.int("window_ms") as u64),
            requests: spec.params.int("requests") as u64,
        };
        let setup = setup(
            spec,
            &properties(),
            move |id, _| LockProcess::new(id, cfg),
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

    fn base(server: &str, queue: &str) -> RunSpec {
        let mut s = spec(
            &LockServer,
            5,
            &[
                ("server", ParamValue::Str(server.into())),
                ("queue", ParamValue::Str(queue.into())),
            ],
        );
        s.network.default.fifo = true;
        s
    }

    fn crashes(nodes: Vec<NodeId>, max: u32) -> FaultSpec {
        FaultSpec {
            crashes: Some(CrashSpec {
                min: 1,
                max,
                between: [ms(5), ms(50)],
                nodes: Some(nodes),
                recover_after: Some([
                    sim_core::Duration::from_millis(1),
                    sim_core::Duration::from_millis(8),
                ]),
            }),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn without_faults_every_client_gets_the_lock_in_turn() {
        let mut s = base("stateful", "fifo");
        s.config.trace = true;
        let r = LockServer.run(&s);
        assert_eq!(r.outcome, Outcome::Ok, "{:?}", r.violations);
        let enters = r
            .trace
            .as_ref()
            .unwrap()
            .iter()
            .filter(|e| matches!(&e.kind, sim_core::TraceKind::Observe { obs } if obs == "Enter"))
            .count();
        assert_eq!(enters, 4 * 3);
    }

    #[test]
    fn stateful_and_reconnect_window_survive_crashes() {
        for server in ["stateful", "reconnect-window"] {
            let reports = sweep(
                &LockServer,
                &base(server, "fifo"),
                &crashes(vec![0, 1, 2, 3, 4], 2),
                0..300,
            );
            assert!(
                violated(&reports).is_empty(),
                "{server}: {:?}",
                violated(&reports)
            );
        }
    }

    #[test]
    fn a_stateless_server_granting_at_once_is_caught_with_two_owners() {
        let reports = sweep(
            &LockServer,
            &base("stateless", "fifo"),
            &crashes(vec![0], 1),
            0..300,
        );
        let v = violated(&reports);
        assert!(v.get("mutual-exclusion").copied().unwrap_or(0) > 0, "{v:?}");
    }

    #[test]
    fn a_lowest_id_server_breaks_fifo_order_only() {
        let reports = sweep(
            &LockServer,
            &base("stateful", "lowest-id"),
            &FaultSpec::default(),
            0..100,
        );
        let v = violated(&reports);
        assert!(v.get("fifo-grants").copied().unwrap_or(0) > 0, "{v:?}");
        assert!(!v.contains_key("mutual-exclusion"), "{v:?}");
    }

    #[test]
    fn invariants_judge_hand_built_histories() {
        let cfg = Config {
            variant: Variant::Stateful,
            fifo: true,
            window: Duration::from_millis(1),
            requests: 1,
        };
        let states: Vec<LockProcess> = (0..4).map(|i| LockProcess::new(i, cfg)).collect();
        let up = [true; 4];
        let down2 = [true, true, false, true];
        let never = [false; 4];
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let w_down2 = World::new(Time::ZERO, &states, &down2, &never, &never);
        let arrived = |c| Obs::Arrived { client: c };

        let mut me = MutualExclusion::default();
        for (n, o) in [(1, Obs::Enter), (1, Obs::Exit), (2, Obs::Enter)] {
            assert!(me.observe(&w, n, &o).is_ok());
        }
        let err = me.observe(&w, 3, &Obs::Enter).unwrap_err();
        assert!(
            err.contains("node 3 entered") && err.contains("node 2 was in it"),
            "{err}"
        );
        // Node 2 crashed inside: it is no longer in the critical section.
        assert!(me.observe(&w_down2, 3, &Obs::Enter).is_ok());

        let mut fifo = FifoGrants::default();
        for (n, o) in [
            (0, arrived(2)),
            (0, arrived(1)),
            (2, Obs::Enter),
            (0, arrived(3)),
        ] {
            assert!(fifo.observe(&w, n, &o).is_ok());
        }
        let err = fifo.observe(&w, 3, &Obs::Enter).unwrap_err();
        assert!(
            err.contains("node 3 was granted the lock before node 1"),
            "{err}"
        );
        assert!(fifo.observe(&w, 1, &Obs::Enter).is_ok());
        assert!(fifo.observe(&w, 3, &Obs::Enter).is_ok());

        let mut granted = EveryRequestGranted::default();
        for (n, o) in [(1, Obs::Request), (2, Obs::Request), (1, Obs::Enter)] {
            granted.observe(&w, n, &o).unwrap();
        }
        let err = granted.finish(&w).unwrap_err();
        assert!(err.starts_with("node 2 still waiting"), "{err}");
        assert!(granted.finish(&w_down2).is_ok());
    }
}
