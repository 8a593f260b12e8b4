//! `lww-kv`: last write wins, eventually consistent. The store is a few replicas inside one
//! ftsim node; each request is served by a replica drawn from the seed, which first, one time
//! in two, takes in what another replica drawn from the seed knows (a newer write wins, by its
//! stamp). So a read may be stale, and a cas judged on a stale replica may overwrite a write it
//! never saw (a lost update), as Maelstrom's `lww-kv` may; replicas agree once enough requests
//! have spread what each knows.

use std::collections::BTreeMap;

use ftsim_api::NodeId;
use serde_json::Value;

use super::store::{Request, Store};
use super::Service;

/// How many replicas the store keeps.
const REPLICAS: usize = 3;

/// The replicas and the stamp of the next write.
#[derive(Clone, Debug, Hash)]
pub struct LwwKv {
    replicas: Vec<Replica>,
    next_stamp: u64,
}

/// One replica: each key's value and the stamp of the write that set it.
#[derive(Clone, Debug, Default, Hash)]
struct Replica {
    stamped: BTreeMap<String, (u64, Value)>,
}

impl Replica {
    /// Takes in `other`'s newer writes.
    fn merge(&mut self, other: &Replica) {
        for (key, (stamp, value)) in &other.stamped {
            let newer = self.stamped.get(key).is_none_or(|(mine, _)| mine < stamp);
            if newer {
                self.stamped.insert(key.clone(), (*stamp, value.clone()));
            }
        }
    }

    /// `key` as this replica has it: a store holding only it, for a request to run on.
    fn view(&self, key: &str) -> Store {
        let mut view = Store::default();
        if let Some((_, value)) = self.stamped.get(key) {
            view.set(key.to_string(), value.clone());
        }
        view
    }
}

impl Default for LwwKv {
    fn default() -> Self {
        LwwKv {
            replicas: vec![Replica::default(); REPLICAS],
            next_stamp: 1,
        }
    }
}

impl Service for LwwKv {
    fn answer(
        &mut self,
        _: NodeId,
        body: &Value,
        random_below: &mut dyn FnMut(u64) -> u64,
    ) -> Value {
        let request = match Request::parse(body) {
            Ok(request) => request,
            Err(reply) => return reply,
        };
        let serving = random_below(REPLICAS as u64) as usize;
        if random_below(2) == 0 {
            let other = random_below(REPLICAS as u64) as usize;
            let source = self.replicas[other].clone();
            self.replicas[serving].merge(&source);
        }
        let key = match &request {
            Request::Read { key } | Request::Write { key, .. } | Request::Cas { key, .. } => {
                key.clone()
            }
        };
        let mut view = self.replicas[serving].view(&key);
        let reply = view.apply_parsed(request);
        if matches!(reply["type"].as_str(), Some("write_ok" | "cas_ok")) {
            let value = view.get(&key).cloned().unwrap_or(Value::Null);
            let stamp = self.next_stamp;
            self.next_stamp += 1;
            self.replicas[serving].stamped.insert(key, (stamp, value));
        }
        reply
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Draws that serve requests from the replicas listed, merging only where `Some`.
    fn scripted(script: &[(u64, Option<u64>)]) -> impl FnMut(u64) -> u64 + '_ {
        let mut draws = script
            .iter()
            .flat_map(|&(replica, merge)| match merge {
                Some(from) => vec![replica, 0, from],
                None => vec![replica, 1],
            })
            .collect::<Vec<_>>()
            .into_iter();
        move |_| draws.next().expect("a draw the script did not plan")
    }

    #[test]
    fn reads_may_be_stale_updates_may_be_lost_and_replicas_converge() {
        let mut kv = LwwKv::default();
        let write = |v: u64| json!({"type": "write", "key": "k", "value": v});
        let read = json!({"type": "read", "key": "k"});
        let cas = |from: u64, to: u64| json!({"type": "cas", "key": "k", "from": from, "to": to});
        let mut draws = scripted(&[
            (0, None),    // write 1 at replica 0
            (1, None),    // a read at replica 1 has never heard of it
            (1, Some(0)), // replica 1 takes in replica 0's write: cas 1 → 2 there
            (0, None),    // cas 1 → 3 at replica 0, which never saw the 2: a lost update
            (2, Some(1)), // replica 2 learns the 2 …
            (2, Some(0)), // … then the 3, newer, wins
        ]);
        assert_eq!(kv.answer(0, &write(1), &mut draws)["type"], "write_ok");
        assert_eq!(kv.answer(0, &read, &mut draws)["code"], 20);
        assert_eq!(kv.answer(0, &cas(1, 2), &mut draws)["type"], "cas_ok");
        assert_eq!(kv.answer(0, &cas(1, 3), &mut draws)["type"], "cas_ok");
        assert_eq!(kv.answer(0, &read, &mut draws)["value"], 2);
        assert_eq!(kv.answer(0, &read, &mut draws)["value"], 3);
    }
}
