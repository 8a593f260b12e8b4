//! How an external node's observations read as the catalogue's: a proposal and a decision
//! for consensus (`{"kind": "propose", "value": 7}`, `{"kind": "decide", "value": 7}`), and a
//! vote and a commit or an abort for two-phase commit (`{"kind": "vote", "value": true}`,
//! `{"kind": "commit"}`, `{"kind": "abort", "value": "NoVote"}`). A commit decides
//! [`COMMIT`] and an abort [`ABORT`], as in the Rust protocol, so atomicity is agreement.

use ftsim_api::properties::consensus::Decision;
use protocols::twophase::{CommitEvent, CommitObs, Why, ABORT, COMMIT};

use crate::messages::Obs;

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        self.node_number("propose")
    }

    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Node { kind, .. } if &**kind == "commit" => Some(COMMIT),
            Obs::Node { kind, .. } if &**kind == "abort" => Some(ABORT),
            _ => self.node_number("decide"),
        }
    }
}

impl CommitObs for Obs {
    fn commit_event(&self) -> Option<CommitEvent> {
        let Obs::Node { kind, value } = self else {
            return None;
        };
        match &**kind {
            "vote" => Some(CommitEvent::Vote {
                yes: &**value == "true",
            }),
            "commit" => Some(CommitEvent::Commit),
            "abort" => {
                let name = serde_json::from_str::<String>(value).unwrap_or_default();
                Some(CommitEvent::Abort(
                    Why::from_name(&name).ok_or_else(|| value.to_string()),
                ))
            }
            _ => None,
        }
    }
}
