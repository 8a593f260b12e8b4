//! `seq-kv`: sequentially consistent. Every write and cas applies to the latest state, in the
//! order they arrive; a read returns the key as it stood at some version drawn from the seed
//! between the last version its node saw and the latest. So each node sees the writes in one
//! order and never goes back in time, but a read may miss writes that finished before it
//! began (as Maelstrom's `seq-kv` may).

use std::collections::BTreeMap;

use ftsim_api::NodeId;
use serde_json::Value;

use super::store::{Request, Store};
use super::Service;

/// The store and its history.
#[derive(Clone, Debug, Default, Hash)]
pub struct SeqKv {
    /// The latest state.
    latest: Store,
    /// How many writes took effect (the latest version).
    version: u64,
    /// Per key, the versions that changed it and the value each left (in version order).
    history: BTreeMap<String, Vec<(u64, Value)>>,
    /// Per node, the last version it saw.
    seen: BTreeMap<NodeId, u64>,
}

impl SeqKv {
    /// `key` as it stood at `version`: a store holding only it, for the read to answer from.
    fn at_version(&self, key: &str, version: u64) -> Store {
        let mut past = Store::default();
        let changes = self.history.get(key).map(Vec::as_slice).unwrap_or(&[]);
        let count = changes.partition_point(|(v, _)| *v <= version);
        if let Some((_, value)) = count.checked_sub(1).map(|i| &changes[i]) {
            past.set(key.to_string(), value.clone());
        }
        past
    }
}

impl Service for SeqKv {
    fn answer(
        &mut self,
        from: NodeId,
        body: &Value,
        random_below: &mut dyn FnMut(u64) -> u64,
    ) -> Value {
        let request = match Request::parse(body) {
            Ok(request) => request,
            Err(reply) => return reply,
        };
        let floor = self.seen.get(&from).copied().unwrap_or(0);
        if let Request::Read { key } = &request {
            let version = floor + random_below(self.version - floor + 1);
            self.seen.insert(from, version);
            return self.at_version(key, version).apply_parsed(request);
        }
        let key = match &request {
            Request::Write { key, .. } | Request::Cas { key, .. } | Request::Read { key } => {
                key.clone()
            }
        };
        let reply = self.latest.apply_parsed(request);
        if matches!(reply["type"].as_str(), Some("write_ok" | "cas_ok")) {
            self.version += 1;
            let value = self.latest.get(&key).cloned().unwrap_or(Value::Null);
            self.history
                .entry(key)
                .or_default()
                .push((self.version, value));
        }
        self.seen.insert(from, self.version);
        reply
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_may_be_stale_but_never_go_back_and_see_own_writes() {
        let mut kv = SeqKv::default();
        let write = |v: u64| json!({"type": "write", "key": "k", "value": v});
        let read = json!({"type": "read", "key": "k"});
        let oldest = &mut |_: u64| 0;
        for v in 1..=3 {
            kv.answer(0, &write(v), oldest);
        }
        // Node 1 saw nothing: its first read may be from before any write.
        assert_eq!(kv.answer(1, &read, oldest)["code"], 20);
        let second = &mut |bound: u64| bound / 2;
        let value = kv.answer(1, &read, second)["value"].as_u64().unwrap();
        assert!((1..=3).contains(&value), "{value}");
        // It never goes back to before the version it saw.
        for _ in 0..3 {
            let again = kv.answer(1, &read, oldest)["value"].as_u64().unwrap();
            assert_eq!(again, value);
        }
        // The writer reads its own last write.
        assert_eq!(kv.answer(0, &read, oldest)["value"], 3);
        // A cas applies to the latest value, whatever a node last read.
        let cas = json!({"type": "cas", "key": "k", "from": 3, "to": 4});
        assert_eq!(kv.answer(1, &cas, oldest)["type"], "cas_ok");
        assert_eq!(kv.answer(1, &read, oldest)["value"], 4);
    }
}
