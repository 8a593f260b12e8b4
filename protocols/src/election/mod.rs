//! Coordinator election over heartbeats and timeouts: bully (Garcia-Molina) and ring
//! (Chang-Roberts), under crash-stop and crash-recover.
//!
//! **Model.** Crash-recover processes with stable storage; reliable links that may reorder;
//! bounded delays: every message arrives within `delay_max` (the network's promise, a
//! parameter of the model rather than of the algorithm). No failure detector: a node learns
//! of a crash from silence. Every wait of the algorithm is derived from `delay_max`.
//!
//! **Algorithm.** An *epoch* numbers an election; a node's epoch is the highest it has seen,
//! every message carries it, and a node stands only in a fresh epoch (its own plus one). A node
//! stands at start, when its leader falls silent for `leader_timeout`, when a lower id
//! claims to lead, and after a recovery. The winner of an epoch announces itself to everyone
//! and sends heartbeats every `heartbeat`; everyone follows the highest id it hears lead
//! the newest epoch.
//! - *bully*: a candidate sends `Election` to every higher id and waits a round trip. A live
//!   higher node answers and stands in the same epoch; a candidate that hears no answer wins.
//! - *ring*: a candidate sends a token with its id to its successor; each node passes on the
//!   higher of the token's id and its own (a node that already sent its own id swallows lower
//!   tokens), and a node that gets its own id back wins. Each hop waits a round trip for the
//!   successor's ack and skips a successor that does not ack (it crashed).
//!
//! Either way a node can win epoch e only if every higher id it asked stayed silent for a
//! round trip, that is, was down; so two live nodes never lead one epoch.
//!
//! **Timing: why the impatient variant is a bug, not the model's edge.** The model states the
//! network's bound (`delay_max`) and the algorithm derives its waits from it. With
//! `wait = "round-trip"` a node waits 2 × `delay_max` + 1ms, which covers any answer the
//! model allows. With `wait = "one-way"` it waits only `delay_max`: under the very delays
//! the model promises, an answer from a live higher id can come too late, and two nodes lead
//! one epoch. That failure is inside the model, so it is reported as a violation: the variant
//! is wrong for the network it claims to run on. (Deriving the model's bound from the wait, as
//! `examples/leader-election` does, would make every impatient failure "outside", which says
//! the network is to blame; here the network kept its promise.) A network slower than
//! `delay_max` is outside the model, and even the correct variant fails there.
//!
//! **Crash-recover.** A recovered node must not win an epoch it missed: while it was down the
//! others elected without it, and if it came back and won one of their epochs, that epoch would
//! have two leaders (or it would lead an epoch the group has left). `recovery = "rejoin"`
//! (correct) keeps the epoch in stable storage, synced before any message of it leaves, so a
//! recovered node never stands again in an epoch it took part in (its own past); and before
//! standing it asks every node for its epoch and waits a round trip, so it also skips the
//! epochs that ran while it was down (the group's present). Broken variants: `stable-only`
//! keeps the epoch but stands at once in its old epoch plus one; a bully node that is the
//! highest id wins it at once, while the live node the group elected in that very epoch still
//! leads. On a ring the token has to pass every live node, each of which drops a token of an
//! epoch it has left, so the token does the catching up and `stable-only` is safe there.
//! `volatile` forgets the epoch and stands in epoch 1 again: a bully wins it at once; a ring
//! node wins it when the others have not left it yet (its earlier election there was cut by
//! its crash). Either way it wins an epoch it had already been in.
//!
//! **Invariants.** No two live leaders in one epoch (`one-leader-per-epoch`); a recovered node
//! wins only an epoch newer than any it had reached before its crash and than any a live
//! leader leads (`no-missed-epoch`); at the end every live node follows the highest live id
//! (`follows-highest-live`). Reachability: a leader crashed and was replaced
//! (`leader-replaced`); a recovered node won an election (`recovered-won`).
//!
//! **Known result.** Both variants elect one leader per epoch under crashes and recoveries
//! with delays within the bound, with and without storage faults
//! (`scenarios/election-bully-crash-recover.toml`, `election-ring-crash-recover.toml`,
//! `election-bully-crashes.toml`, `election-ring-crashes.toml`); an impatient winner is caught
//! with two leaders in one epoch (`election-bully-one-way-wait.toml`,
//! `election-ring-one-way-wait.toml`); messages slower than the bound break even the correct
//! variant, outside the model (`election-bully-late-messages.toml`); a recovered bully node
//! that stands without catching up is caught with two leaders of the epoch the group used
//! while it was down (`election-bully-stable-only.toml`), and one that forgot its epoch is
//! caught winning an epoch it had already been in (`election-bully-volatile.toml`); the three
//! share their faults. The ring's variants are in the tests.

mod bully;
mod process;
mod properties;
mod ring;
#[cfg(test)]
mod tests;

use ftsim_api::Exploring;
use ftsim_api::{
    choice, params, Duration, FaultClass, Model, NodeId, Properties, Protocol, SpecError, Timing,
};

pub use process::{ElectionNode, Msg, Obs, Role, Stable, Timer, Timings};
pub use properties::{
    one_leader_per_epoch, FollowsHighestLive, LeaderReplaced, NoMissedEpoch, RecoveredWon,
};

choice! {
    /// How the election finds the highest live id.
    pub enum Variant {
        /// A candidate asks every higher id and wins if none answers.
        Bully = "bully",
        /// A token carries the highest id around the ring of live nodes (Chang-Roberts).
        Ring = "ring",
    }
}

choice! {
    /// How long a node waits for a higher id (bully: an answer; ring: the successor's ack).
    pub enum Wait {
        /// A round trip under the model's bound: 2 × `delay_max` + 1ms.
        RoundTrip = "round-trip",
        /// Only `delay_max` (a known-buggy variant): a live higher id can answer too late.
        OneWay = "one-way",
    }
}

choice! {
    /// What a recovered node knows of epochs before it stands.
    pub enum Recovery {
        /// Its synced epoch from stable storage, and every live node's, asked for a round trip.
        Rejoin = "rejoin",
        /// Its synced epoch only (a known-buggy variant): it stands at once.
        StableOnly = "stable-only",
        /// Nothing (a known-buggy variant): the epoch lives in memory; it stands in epoch 1.
        Volatile = "volatile",
    }
}

params! {
    /// Parameters of the coordinator election.
    pub struct ElectionParams {
        /// bully (ask every higher id) or ring (Chang-Roberts token)
        variant: Variant = Variant::Bully;
        /// round-trip: wait 2 x delay_max + 1ms for a higher id; one-way (buggy): wait only
        /// delay_max
        wait: Wait = Wait::RoundTrip;
        /// rejoin: a recovered node keeps its synced epoch and asks everyone's before standing;
        /// stable-only (buggy): it stands at once; volatile (buggy): it forgot its epoch
        recovery: Recovery = Recovery::Rejoin;
        /// the longest a message may take: the model's timing assumption, from which every
        /// wait is derived
        delay_max: Duration = Duration::from_millis(5), range "1ms"..="10s";
        /// how often the leader sends a heartbeat
        heartbeat: Duration = Duration::from_millis(10), range "1ms"..="10s";
        /// silence from the leader after which a follower stands; more than heartbeat +
        /// delay_max
        leader_timeout: Duration = Duration::from_millis(40), range "1ms"..="100s";
    }
}

impl ElectionParams {
    /// The waits every node works with, derived from the parameters and the group size.
    pub fn timings(&self, nodes: usize) -> Timings {
        let delay_max = self.delay_max;
        let higher_wait = match self.wait {
            Wait::RoundTrip => delay_max + delay_max + Duration::from_millis(1),
            Wait::OneWay => delay_max,
        };
        // Ring: at most two trips round the ring (one to reach the highest id, one to bring
        // it back), each hop a delivery and at worst a skipped successor's wait.
        let hop = delay_max + higher_wait;
        let ring_round = Duration(hop.0 * nodes as u64);
        Timings {
            higher_wait,
            coordinator_wait: match self.variant {
                Variant::Bully => higher_wait + delay_max + delay_max + Duration::from_millis(1),
                Variant::Ring => ring_round + ring_round + delay_max + Duration::from_millis(1),
            },
            heartbeat: self.heartbeat,
            leader_timeout: self.leader_timeout,
        }
    }
}

/// The declaration of the coordinator election.
pub struct CoordinatorElection;

impl Protocol for CoordinatorElection {
    type Process = ElectionNode;
    type Params = ElectionParams;

    fn name(&self) -> &'static str {
        "election"
    }

    fn summary(&self) -> &'static str {
        "Coordinator election over heartbeats, bully or ring (Chang-Roberts), with epochs; \
         crash-recover with the epoch in stable storage"
    }

    fn properties(&self) -> Properties<ElectionNode> {
        Properties::new()
            .always(
                "one-leader-per-epoch",
                "no two live nodes lead the same epoch at once",
                one_leader_per_epoch,
            )
            .always_in_runs(
                "no-missed-epoch",
                "a recovered node wins only an epoch newer than any it had reached before its \
                 crash and than any a live leader leads",
                NoMissedEpoch::default,
            )
            .eventually_in_runs(
                "follows-highest-live",
                "at the end every live node follows the highest live id",
                FollowsHighestLive::default,
            )
            .sometimes(
                "leader-replaced",
                "a leader crashed and another node took over",
                LeaderReplaced::default,
            )
            .sometimes(
                "recovered-won",
                "a node that crashed and recovered won an election afterwards",
                RecoveredWon::default,
            )
    }

    fn validate(&self, params: &ElectionParams, _: usize) -> Result<(), SpecError> {
        let least = params.heartbeat + params.delay_max;
        if params.leader_timeout <= least {
            return Err(SpecError::new(
                "params.leader_timeout",
                format!(
                    "expected more than heartbeat + delay_max ({least}), found {}: a \
                     follower would give up on a live leader",
                    params.leader_timeout
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, params: &ElectionParams, _: usize) -> Model {
        // Safe under any crashes and recoveries (the epoch is synced before it is used), as
        // long as the network keeps its promise on delays; the waits are derived from it.
        Model::new()
            .tolerates(FaultClass::CrashRecover)
            .tolerates(FaultClass::Reordering)
            .tolerates(FaultClass::StorageLoss)
            .timing(Timing::DeliveredWithin {
                bound: params.delay_max,
                rule: "params.delay_max".into(),
            })
    }

    fn process(&self, params: &ElectionParams, _: NodeId, nodes: usize) -> ElectionNode {
        ElectionNode::new(params.variant, params.recovery, params.timings(nodes))
    }

    /// A search is asynchronous, and this model bounds delays (the waits are derived from
    /// the bound): each violation found is checked for step times within it, so an impatient
    /// winner is caught and the correct waits' violations, found only under asynchrony, are
    /// set aside (`scenarios/explore-election-*.toml`). Epochs grow with every timeout, so
    /// searches here are bounded by depth.
    fn exploration<E: Exploring<Self>>(&self, explorer: E) -> Option<E::Explorer> {
        Some(explorer.searchable())
    }
}
