//! ftsim's `paxos-abstract` spec as a stateright actor model: the servers of stateright's
//! `examples/paxos.rs` (each proposer and acceptor, the leader's own promise and accept
//! recorded directly), clients that put a value and then read it from the next server, an
//! unordered network without loss or duplication, and `agreement` as the only property.
//!
//! One deliberate difference from stateright's example: every delivered message is consumed,
//! also one its receiver ignores (each handler takes its state by `to_mut`, so stateright does
//! not treat the delivery as a no-op). That is ftsim's semantics, so both tools search the
//! same state graph; the example leaves ignored messages in flight and counts fewer states.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use stateright::actor::{majority, model_peers, Actor, ActorModel, Id, Network, Out};
use stateright::Expectation;

type Ballot = (u32, Id);
/// The client that put it, and the value.
type Proposal = (Id, char);

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Msg {
    Put(char),
    PutOk,
    Get,
    GetOk(char),
    Prepare(Ballot),
    Prepared(Ballot, Option<(Ballot, Proposal)>),
    Accept(Ballot, Proposal),
    Accepted(Ballot),
    Decided(Ballot, Proposal),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    ballot: Ballot,
    proposal: Option<Proposal>,
    prepares: BTreeMap<Id, Option<(Ballot, Proposal)>>,
    accepts: BTreeSet<Id>,
    accepted: Option<(Ballot, Proposal)>,
    decided: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    Putting,
    Reading,
    Read(char),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeState {
    Server(Server),
    Client(Client),
}

/// A node: a server knows its peers, a client its index and the number of servers.
#[derive(Clone)]
pub enum Node {
    Server { peers: Vec<Id> },
    Client { index: usize, servers: usize },
}

impl Actor for Node {
    type Msg = Msg;
    type State = NodeState;
    type Timer = ();
    type Random = ();
    type Storage = ();

    fn on_start(&self, _: Id, _: &Option<()>, o: &mut Out<Self>) -> NodeState {
        match self {
            Node::Server { .. } => NodeState::Server(Server {
                ballot: (0, Id::from(0)),
                proposal: None,
                prepares: BTreeMap::new(),
                accepts: BTreeSet::new(),
                accepted: None,
                decided: false,
            }),
            Node::Client { index, servers } => {
                let value = char::from(b'A' + *index as u8);
                o.send(Id::from(index % servers), Msg::Put(value));
                NodeState::Client(Client::Putting)
            }
        }
    }

    fn on_msg(&self, id: Id, state: &mut Cow<NodeState>, src: Id, msg: Msg, o: &mut Out<Self>) {
        // Consumed even if ignored, as under ftsim (see the module doc).
        match (self, state.to_mut()) {
            (Node::Server { peers }, NodeState::Server(s)) => server(peers, s, id, src, msg, o),
            (Node::Client { index, servers }, NodeState::Client(c)) => match (&*c, msg) {
                (Client::Putting, Msg::PutOk) => {
                    o.send(Id::from((index + 1) % servers), Msg::Get);
                    *c = Client::Reading;
                }
                (Client::Reading, Msg::GetOk(v)) => *c = Client::Read(v),
                _ => {}
            },
            _ => {}
        }
    }
}

/// A server's step, as in stateright's `PaxosActor`.
fn server(peers: &[Id], s: &mut Server, id: Id, src: Id, msg: Msg, o: &mut Out<Node>) {
    let quorum = majority(peers.len() + 1);
    if s.decided {
        if let (Msg::Get, Some((_, (_, value)))) = (msg, s.accepted) {
            o.send(src, Msg::GetOk(value));
        }
        return;
    }
    match msg {
        Msg::Put(value) if s.proposal.is_none() => {
            s.proposal = Some((src, value));
            s.prepares.clear();
            s.accepts.clear();
            s.ballot = (s.ballot.0 + 1, id);
            s.prepares.insert(id, s.accepted);
            o.broadcast(peers, &Msg::Prepare(s.ballot));
        }
        Msg::Prepare(ballot) if s.ballot < ballot => {
            s.ballot = ballot;
            o.send(src, Msg::Prepared(ballot, s.accepted));
        }
        Msg::Prepared(ballot, last) if ballot == s.ballot => {
            s.prepares.insert(src, last);
            if s.prepares.len() == quorum {
                let reported = s.prepares.values().max().copied().flatten();
                let proposal = reported.map_or_else(|| s.proposal.unwrap(), |(_, p)| p);
                s.proposal = Some(proposal);
                s.accepted = Some((ballot, proposal));
                s.accepts.insert(id);
                o.broadcast(peers, &Msg::Accept(ballot, proposal));
            }
        }
        Msg::Accept(ballot, proposal) if s.ballot <= ballot => {
            s.ballot = ballot;
            s.accepted = Some((ballot, proposal));
            o.send(src, Msg::Accepted(ballot));
        }
        Msg::Accepted(ballot) if ballot == s.ballot => {
            s.accepts.insert(src);
            if s.accepts.len() == quorum {
                s.decided = true;
                let proposal = s.proposal.unwrap();
                o.broadcast(peers, &Msg::Decided(ballot, proposal));
                o.send(proposal.0, Msg::PutOk);
            }
        }
        Msg::Decided(ballot, proposal) => {
            s.ballot = ballot;
            s.accepted = Some((ballot, proposal));
            s.decided = true;
        }
        _ => {}
    }
}

/// The value a node holds: a decided server's, or a client's read.
fn held(state: &NodeState) -> Option<char> {
    match state {
        NodeState::Server(s) if s.decided => s.accepted.map(|(_, (_, v))| v),
        NodeState::Client(Client::Read(v)) => Some(*v),
        _ => None,
    }
}

/// `servers` servers and `clients` clients (ids after the servers).
pub fn model(servers: usize, clients: usize) -> ActorModel<Node, (), ()> {
    let servers_iter = (0..servers).map(|i| Node::Server {
        peers: model_peers(i, servers),
    });
    let clients_iter = (0..clients).map(|index| Node::Client { index, servers });
    ActorModel::new((), ())
        .actors(servers_iter)
        .actors(clients_iter)
        .init_network(Network::new_unordered_nonduplicating([]))
        .property(Expectation::Always, "agreement", |_, state| {
            let mut values = state.actor_states.iter().filter_map(|s| held(s));
            let first = values.next();
            values.all(|v| Some(v) == first)
        })
}
