//! An abstract single-decree Paxos for `ftsim explore`, the model of stateright's
//! `examples/paxos.rs`: servers that each act as proposer and acceptor, clients that write a
//! value and then read the register back. Small enough to search exhaustively, and written
//! so that stateright's checker can run the same spec (`bench/stateright-compare/`).
//!
//! **Model.** The first `servers` nodes are servers, the rest clients. The network may delay
//! and reorder messages; no loss, duplication or crash (the bundled `paxos` family covers
//! those, with retries and backoff that make its state space unbounded). Every message is
//! consumed when delivered, also one its receiver ignores.
//!
//! **Algorithm.** Client k puts its value (`'A' + k`) to server `k mod servers`. A server with
//! no proposal yet takes the put as its proposal and starts a ballot one round above the
//! highest it has seen (ballots are `(round, server)`, so the number of ballots is bounded by
//! the number of puts). Phase 1: the other servers promise a higher ballot and report the
//! proposal they last accepted; with a majority (itself included) the leader proposes the
//! highest-ballot accepted proposal, or its client's if none. Phase 2: a server accepts a
//! ballot at least as high as its promise; with a majority of accepts the leader has its value
//! chosen: it tells the other servers (`Decided`) and answers its client, which then reads the
//! register from the next server; a decided server answers with the decided value.
//!
//! **Invariants.** `agreement`: every decided server holds the same value and every client
//! read returns it (at most one value is chosen, as the servers and the clients see it).
//!
//! **Known result.** With 3 servers and 2 clients (`scenarios/explore-paxos-3.toml`) the explorer
//! visits 301,099 distinct states (depth 24) and finds `agreement` always holds; stateright's BFS
//! checker on the same spec counts the same states. Two known bugs must be caught with a shortest
//! counterexample, 10 steps each: with `bug = "ignore-accepted"` a leader proposes its own client's
//! value even when a promise reported an accepted one (`explore-paxos-3-ignore-accepted.toml`;
//! seeds find it in 2 runs of 2,000, with delays spread to 20ms); with `bug = "break-promise"` an
//! acceptor accepts a ballot below its promise (`explore-paxos-3-break-promise.toml`).

mod process;
#[cfg(test)]
mod tests;

use ftsim_api::Exploring;
use ftsim_api::{choice, params, FaultClass, Model, NodeId, Properties, Protocol, SpecError};

pub use process::{Agreement, Ballot, Client, Msg, PaxosNode, Proposal, Server};

choice! {
    /// Which known bug, if any, the servers have.
    pub enum Bug {
        /// Paxos as published.
        None = "none",
        /// A leader ignores the accepted proposals its promises report and proposes its own
        /// client's value.
        IgnoreAccepted = "ignore-accepted",
        /// An acceptor accepts any ballot, also one below the ballot it promised.
        BreakPromise = "break-promise",
    }
}

params! {
    /// Parameters of the abstract single-decree Paxos.
    pub struct PaxosAbstractParams {
        /// the first `servers` nodes are servers (proposers and acceptors), the rest clients
        servers: usize = 3, range 1..=9;
        /// none, or a known bug: ignore-accepted (a leader proposes its client's value even
        /// if a promise reported an accepted one) or break-promise (an acceptor accepts below
        /// its promise)
        bug: Bug = Bug::None;
    }
}

/// The declaration of the abstract single-decree Paxos.
pub struct PaxosAbstract;

impl Protocol for PaxosAbstract {
    type Process = PaxosNode;
    type Params = PaxosAbstractParams;

    fn name(&self) -> &'static str {
        "paxos-abstract"
    }

    fn summary(&self) -> &'static str {
        "Single-decree Paxos as stateright's model has it (servers that propose and accept, \
         clients that write then read), for `ftsim explore`"
    }

    fn properties(&self) -> Properties<PaxosNode> {
        Properties::new().always(
            "agreement",
            "every decided server holds the same value, and every client read returns it",
            Agreement::default,
        )
    }

    fn validate(&self, params: &PaxosAbstractParams, nodes: usize) -> Result<(), SpecError> {
        ftsim_api::fits_node_set("paxos-abstract", nodes)?;
        if nodes <= params.servers {
            return Err(SpecError::new(
                "nodes",
                format!(
                    "expected more nodes than the {} servers (the rest are clients), found \
                     {nodes}",
                    params.servers
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, _: &PaxosAbstractParams, _: usize) -> Model {
        Model::new().tolerates(FaultClass::Reordering)
    }

    fn process(&self, params: &PaxosAbstractParams, node: NodeId, _: usize) -> PaxosNode {
        PaxosNode::new(node, params.servers, params.bug)
    }

    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
