//! A heartbeat/bully leader election, written as a user's own protocol for ftsim: the example
//! that `docs/writing-a-protocol.md` walks through.
//!
//! **Algorithm.** A node that has no leader (at start, or when its leader's heartbeats stop)
//! runs an election in a new epoch: it sends `Election` to every higher id and waits
//! `answer_wait`. A live higher node answers and runs its own election; a node that hears no
//! answer becomes the leader of its epoch and announces it; the leader sends heartbeats. The
//! highest live id therefore ends up leading, and everyone follows it.
//!
//! **Model.** Crash-stop nodes, reliable links with bounded delay. The timing matters:
//! `answer_wait` must exceed a round trip (twice the largest delay), or a lower node gives up
//! waiting and wins while a higher node is alive — two leaders in one epoch.
//!
//! **Properties.** `one-leader-per-epoch` (safety), `follows-highest-live` (liveness),
//! `leader-replaced` (reachability: a leader crashed and was replaced).
//!
//! **Known result.** With `answer_wait` above a round trip the election holds under crashes
//! (`scenarios/bully-crashes.toml`); with a shorter wait it is caught electing two leaders
//! (`scenarios/bully-impatient.toml`).

mod process;
mod properties;

use ftsim_api::{
    params, Duration, FaultClass, Model, NodeId, Properties, Protocol, SpecError, Timing,
};

pub use process::{Msg, Node, Obs, Timeouts, Timer};
pub use properties::{one_leader_per_epoch, FollowsHighestLive, LeaderReplaced};

params! {
    /// The election's timing.
    pub struct BullyParams {
        /// How long a candidate waits for an answer from a higher id; must exceed a round trip.
        answer_wait: Duration = Duration::from_millis(10);
        /// How often the leader sends a heartbeat.
        heartbeat: Duration = Duration::from_millis(5);
        /// Silence from the leader after which a follower starts an election.
        leader_timeout: Duration = Duration::from_millis(20);
    }
}

/// The declaration: everything ftsim needs to know about the protocol, written once.
pub struct Bully;

impl Protocol for Bully {
    type Process = Node;
    type Params = BullyParams;

    fn name(&self) -> &'static str {
        "bully"
    }

    fn summary(&self) -> &'static str {
        "Bully leader election over heartbeats: the highest live id leads"
    }

    fn properties(&self) -> Properties<Node> {
        Properties::new()
            .always(
                "one-leader-per-epoch",
                "no two live nodes lead the same epoch",
                one_leader_per_epoch,
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
    }

    fn validate(&self, params: &BullyParams, _: usize) -> Result<(), SpecError> {
        if params.leader_timeout <= params.heartbeat {
            return Err(SpecError::new(
                "params.leader_timeout",
                format!(
                    "expected more than the heartbeat period ({}), found {}",
                    params.heartbeat, params.leader_timeout
                ),
            ));
        }
        Ok(())
    }

    fn model(&self, params: &BullyParams, nodes: usize) -> Model {
        // Any number of crashes, but bounded delays: an answer must come back within
        // `answer_wait`, so each message must take less than half of it.
        Model::new()
            .tolerates_at_most(FaultClass::CrashStop, nodes - 1, "all but one")
            .tolerates(FaultClass::Reordering)
            .timing(Timing::DeliveredWithin {
                bound: Duration(params.answer_wait.0 / 2),
                rule: "half of params.answer_wait: a round trip must fit in it".into(),
            })
    }

    fn process(&self, params: &BullyParams, _: NodeId, _: usize) -> Node {
        Node::new(Timeouts {
            answer_wait: params.answer_wait,
            heartbeat: params.heartbeat,
            leader_timeout: params.leader_timeout,
        })
    }
}
