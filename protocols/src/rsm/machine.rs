//! The replicated state machine: a key-value map with a table of each client's last command
//! and its result, so that a command applied twice (a retry that got a second log position)
//! changes nothing the second time and is answered with the first result. Every replica
//! reports each log position it applies, which the prefix-agreement property compares.

use std::collections::BTreeMap;

use ftsim_api::properties::linearizability::{KvOp, KvOutput};
use ftsim_api::{Ctx, NodeId};

use super::messages::{Cmd, Entry, Host, Obs};

/// What applying a log entry answers: the client, its command's number and the result.
pub type Answer = (NodeId, u64, KvOutput<u64>);

#[derive(Clone, Debug, Default, Hash)]
pub struct Machine {
    kv: BTreeMap<u64, u64>,
    /// Per client: its last applied command's number and result.
    last: BTreeMap<NodeId, (u64, KvOutput<u64>)>,
    /// Log positions applied so far.
    pub(super) applied: u64,
}

impl Machine {
    /// Applies the next log entry (a no-op for `None`), reporting it; returns the answer for
    /// the client if the entry is its latest command.
    pub(super) fn apply(&mut self, ctx: &mut Ctx<'_, impl Host>, entry: &Entry) -> Option<Answer> {
        let index = self.applied;
        self.applied += 1;
        ctx.observe(Obs::Applied {
            index,
            cmd: entry.as_ref().map(|c| (c.client, c.seq)),
        });
        let cmd = entry.as_ref()?;
        match self.last.get(&cmd.client) {
            Some((seq, out)) if *seq == cmd.seq => return Some((cmd.client, cmd.seq, out.clone())),
            Some((seq, _)) if *seq > cmd.seq => return None,
            _ => {}
        }
        let out = self.execute(cmd);
        self.last.insert(cmd.client, (cmd.seq, out.clone()));
        Some((cmd.client, cmd.seq, out))
    }

    fn execute(&mut self, cmd: &Cmd) -> KvOutput<u64> {
        match cmd.op {
            KvOp::Get(k) => KvOutput::Value(self.kv.get(&k).copied()),
            KvOp::Put(k, v) => {
                self.kv.insert(k, v);
                KvOutput::Done
            }
        }
    }

    /// The answer to a command already applied, if it is the client's latest.
    pub(super) fn answered(&self, cmd: &Cmd) -> Option<Answer> {
        match self.last.get(&cmd.client) {
            Some((seq, out)) if *seq == cmd.seq => Some((cmd.client, cmd.seq, out.clone())),
            _ => None,
        }
    }

    /// Whether the client's command was applied already (its latest or an older one).
    pub(super) fn has_applied(&self, cmd: &Cmd) -> bool {
        self.last
            .get(&cmd.client)
            .is_some_and(|(seq, _)| *seq >= cmd.seq)
    }
}
