//! The servers and clients of the abstract Paxos, one enum since every node runs the same
//! type. A server's handlers follow stateright's `PaxosActor` step for step (the leader's
//! own promise and accept are recorded directly, not sent to itself).

use std::collections::BTreeMap;
use std::fmt;

use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{
    Ctx, Explorable, Falsified, NodeId, NodeSet, Process, Property, StateCheck, World,
};

use super::Bug;

/// A ballot: rounds compared first, the leader's id breaking ties. `(0, 0)` is below every
/// ballot a leader starts.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    pub round: u32,
    pub leader: u32,
}

impl fmt::Debug for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{}.{}", self.round, self.leader)
    }
}

/// A client's put: who asked, and the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Proposal {
    pub client: u32,
    pub value: char,
}

/// The model's messages: the register's (put, read) and the servers' Paxos phases.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Put(char),
    PutOk,
    Get,
    GetOk(char),
    /// Phase 1a.
    Prepare(Ballot),
    /// Phase 1b: a promise, with the last accepted proposal.
    Prepared(Ballot, Option<(Ballot, Proposal)>),
    /// Phase 2a.
    Accept(Ballot, Proposal),
    /// Phase 2b.
    Accepted(Ballot),
    /// The leader's value was chosen.
    Decided(Ballot, Proposal),
}

/// A server: proposer and acceptor in one (stateright's `PaxosState`).
#[derive(Clone, Debug, Hash)]
pub struct Server {
    /// The number of servers (nodes `0..servers`).
    servers: usize,
    bug: Bug,
    /// The highest ballot seen: promised, or led.
    pub ballot: Ballot,
    /// As a leader: the proposal of its ballot.
    pub proposal: Option<Proposal>,
    /// As a leader: the promises for its ballot, with what each reported accepted.
    pub prepares: BTreeMap<u32, Option<(Ballot, Proposal)>>,
    /// As a leader: who accepted its ballot.
    pub accepts: NodeSet,
    /// As an acceptor: the last proposal accepted, and in which ballot.
    pub accepted: Option<(Ballot, Proposal)>,
    pub decided: bool,
}

/// A client: puts its value, then reads the register once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    /// Waiting for its put to be answered.
    Putting,
    /// Waiting for its read to be answered.
    Reading,
    /// What its read returned.
    Read(char),
}

/// A node of the model.
#[derive(Clone, Debug, Hash)]
pub enum PaxosNode {
    Server(Server),
    Client { servers: usize, state: Client },
}

/// The size of a majority of `n`.
fn majority(n: usize) -> usize {
    n / 2 + 1
}

impl PaxosNode {
    /// Node `node` of a group whose first `servers` nodes are servers.
    pub fn new(node: NodeId, servers: usize, bug: Bug) -> Self {
        if node < servers {
            PaxosNode::Server(Server {
                servers,
                bug,
                ballot: Ballot::default(),
                proposal: None,
                prepares: BTreeMap::new(),
                accepts: NodeSet::EMPTY,
                accepted: None,
                decided: false,
            })
        } else {
            PaxosNode::Client {
                servers,
                state: Client::Putting,
            }
        }
    }

    /// The value a decided server holds (`None` otherwise).
    pub fn decided(&self) -> Option<char> {
        match self {
            PaxosNode::Server(s) if s.decided => s.accepted.map(|(_, p)| p.value),
            _ => None,
        }
    }

    /// The value a client read (`None` before).
    pub fn read(&self) -> Option<char> {
        match self {
            PaxosNode::Client {
                state: Client::Read(v),
                ..
            } => Some(*v),
            _ => None,
        }
    }
}

/// Client `k`'s value: `'A' + k`.
fn value_of(client: usize) -> char {
    char::from(b'A' + (client % 26) as u8)
}

impl Server {
    /// Sends `msg` to every other server.
    fn to_peers(&self, ctx: &mut Ctx<'_, PaxosNode>, msg: Msg) {
        let me = ctx.id();
        for to in (0..self.servers).filter(|&s| s != me) {
            ctx.send(to, msg.clone());
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, PaxosNode>, from: NodeId, msg: Msg) {
        if self.decided {
            if let (Msg::Get, Some((_, p))) = (msg, self.accepted) {
                ctx.send(from, Msg::GetOk(p.value));
            }
            return;
        }
        match msg {
            Msg::Put(value) if self.proposal.is_none() => self.lead(ctx, from, value),
            Msg::Prepare(ballot) if self.ballot < ballot => {
                self.ballot = ballot;
                ctx.send(from, Msg::Prepared(ballot, self.accepted));
            }
            Msg::Prepared(ballot, last) if ballot == self.ballot => {
                self.prepares.insert(from as u32, last);
                if self.prepares.len() == majority(self.servers) {
                    self.propose(ctx, ballot);
                }
            }
            Msg::Accept(ballot, proposal)
                if self.ballot <= ballot || self.bug == Bug::BreakPromise =>
            {
                self.ballot = self.ballot.max(ballot);
                self.accepted = Some((ballot, proposal));
                ctx.send(from, Msg::Accepted(ballot));
            }
            Msg::Accepted(ballot) if ballot == self.ballot => {
                self.accepts.insert(from);
                if self.accepts.len() == majority(self.servers) {
                    self.decide(ctx, ballot);
                }
            }
            Msg::Decided(ballot, proposal) => {
                self.ballot = ballot;
                self.accepted = Some((ballot, proposal));
                self.decided = true;
            }
            _ => {}
        }
    }

    /// A client's put: start a ballot above any seen, promising it to itself.
    fn lead(&mut self, ctx: &mut Ctx<'_, PaxosNode>, client: NodeId, value: char) {
        self.proposal = Some(Proposal {
            client: client as u32,
            value,
        });
        self.prepares.clear();
        self.accepts = NodeSet::EMPTY;
        self.ballot = Ballot {
            round: self.ballot.round + 1,
            leader: ctx.id() as u32,
        };
        self.prepares.insert(ctx.id() as u32, self.accepted);
        self.to_peers(ctx, Msg::Prepare(self.ballot));
    }

    /// A majority promised: propose the highest-ballot accepted proposal they reported, or
    /// the client's (always the client's, with the `ignore-accepted` bug), accepting it
    /// itself.
    fn propose(&mut self, ctx: &mut Ctx<'_, PaxosNode>, ballot: Ballot) {
        let reported = self.prepares.values().max().copied().flatten();
        let own = self.proposal.expect("a leader has a proposal");
        let proposal = match reported {
            Some((_, p)) if self.bug != Bug::IgnoreAccepted => p,
            _ => own,
        };
        self.proposal = Some(proposal);
        self.accepted = Some((ballot, proposal));
        self.accepts.insert(ctx.id());
        self.to_peers(ctx, Msg::Accept(ballot, proposal));
    }

    /// A majority accepted: the value is chosen; tell the other servers and the client.
    fn decide(&mut self, ctx: &mut Ctx<'_, PaxosNode>, ballot: Ballot) {
        self.decided = true;
        let proposal = self.proposal.expect("a leader has a proposal");
        self.to_peers(ctx, Msg::Decided(ballot, proposal));
        ctx.send(proposal.client as NodeId, Msg::PutOk);
    }
}

impl Process for PaxosNode {
    type Msg = Msg;
    type Timer = ();
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let PaxosNode::Client { servers, .. } = *self {
            let k = ctx.id() - servers;
            ctx.send(k % servers, Msg::Put(value_of(k)));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            PaxosNode::Server(server) => server.on_message(ctx, from, msg),
            PaxosNode::Client { servers, state } => match (*state, msg) {
                (Client::Putting, Msg::PutOk) => {
                    // Read from the next server, which may not know the value yet.
                    let k = ctx.id() - *servers;
                    ctx.send((k + 1) % *servers, Msg::Get);
                    *state = Client::Reading;
                }
                (Client::Reading, Msg::GetOk(v)) => *state = Client::Read(v),
                _ => {}
            },
        }
    }
}

/// At most one value is chosen, as the servers and clients see it: every decided server
/// holds the same value, and every client read returns it. Judged from the states alone; it
/// remembers only where the first value appeared, to name it as evidence (a later value that
/// differs always differs from the first, or an earlier check failed).
#[derive(Clone, Copy, Debug, Default)]
pub struct Agreement {
    /// The first node seen holding a value, the value, and the event it appeared at. Not in
    /// the fingerprint: the verdict depends on the states alone.
    first: Option<(NodeId, char, u64)>,
}

/// What a node holding `value` did: a server decided it, a client read it.
fn verb(node: &PaxosNode) -> &'static str {
    match node {
        PaxosNode::Server(_) => "decided",
        PaxosNode::Client { .. } => "read",
    }
}

impl Agreement {
    /// What `check_state` judges, as a result.
    fn judge_states(&mut self, w: &World<'_, PaxosNode>) -> Result<(), Falsified> {
        for i in w.nodes() {
            let node = w.state(i);
            let Some(v) = node.decided().or(node.read()) else {
                continue;
            };
            match self.first {
                None => self.first = Some((i, v, w.event())),
                Some((j, u, at)) if u != v => {
                    return Err(Falsified::new(format!(
                        "node {j} {} {u:?} at {} but node {i} {} {v:?} at {}",
                        verb(w.state(j)),
                        event_ref(at),
                        verb(node),
                        event_ref(w.event())
                    ))
                    .citing([at, w.event()]));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl Property<PaxosNode> for Agreement {
    fn check_state(&mut self, w: &World<'_, PaxosNode>) -> StateCheck {
        self.judge_states(w).into()
    }
}

impl Explorable<PaxosNode> for Agreement {
    /// Nothing: what it remembers (the first value seen) only names evidence; the verdict
    /// depends on the states alone.
    fn fingerprint(&self, _: &mut DetHasher) {}
}
