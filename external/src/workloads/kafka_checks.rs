//! The kafka workload's checks: Maelstrom's rules for a log per key. An offset holds one
//! message (`OffsetsConsistent`); a poll returns each key's messages in increasing offsets
//! from the one asked (`PollsOrdered`); a poll that goes past an acknowledged offset returns
//! it (`NoLostWrites`); a listed committed offset was asked to be committed (`CommitsValid`).
//! Each check follows the requests through `Sent`.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, Property, World};
use serde_json::Value;

use crate::member::Member;
use crate::messages::Obs;

/// The clients' requests not answered yet, by client and number: the body and the event and
/// the count of acknowledgements (of sends, or of commits) when it was sent.
#[derive(Clone, Default)]
struct Sent {
    open: BTreeMap<(NodeId, u64), (Value, u64, usize)>,
}

impl Sent {
    /// Follows `obs`; returns a request with its answer (the request, its event, the count
    /// when it was sent, the answer and who gave it) when `obs` is an answer.
    fn follow(
        &mut self,
        w: &World<'_, Member>,
        node: NodeId,
        obs: &Obs,
        count: usize,
    ) -> Option<(Value, u64, usize, Value, NodeId)> {
        match obs {
            Obs::Invoke { op, request, .. } => {
                self.open
                    .insert((node, *op), (request.json(), w.event(), count));
                None
            }
            Obs::Complete { op, server, reply } => {
                let (request, at, count) = self.open.remove(&(node, *op))?;
                Some((request, at, count, reply.json(), *server))
            }
            Obs::Node { .. } => None,
        }
    }
}

/// A key's messages in a poll's answer: `(offset, message)` pairs, as given.
type KeyMessages = (String, Vec<(u64, Value)>);

/// A poll answer's messages of each key, or why they are not readable.
fn polled(reply: &Value) -> Result<Vec<KeyMessages>, String> {
    let Some(msgs) = reply["msgs"].as_object() else {
        return Err(format!("a poll_ok without an object \"msgs\": {reply}"));
    };
    msgs.iter()
        .map(|(key, pairs)| {
            let pairs = pairs.as_array().map(|pairs| {
                pairs
                    .iter()
                    .map(|pair| Some((pair.get(0)?.as_u64()?, pair.get(1)?.clone())))
                    .collect::<Option<Vec<_>>>()
            });
            match pairs.flatten() {
                Some(pairs) => Ok((key.clone(), pairs)),
                None => Err(format!(
                    "a poll_ok whose key {key:?} does not hold [offset, message] pairs: {reply}"
                )),
            }
        })
        .collect()
}

/// An offset of a key holds one message: what a `send_ok` gave it and what polls return of it
/// agree.
#[derive(Clone, Default)]
pub struct OffsetsConsistent {
    sent: Sent,
    /// Per key and offset, its message and the event that showed it.
    held: BTreeMap<(String, u64), (Value, u64)>,
}

impl OffsetsConsistent {
    fn hold(&mut self, key: &str, offset: u64, message: &Value, at: u64) -> Result<(), Falsified> {
        let slot = (key.to_string(), offset);
        match self.held.get(&slot) {
            Some((other, seen)) if other != message => Err(Falsified::new(format!(
                "offset {offset} of key {key} holds {other} (seen at {}) and {message} (seen \
                 at {})",
                event_ref(*seen),
                event_ref(at)
            ))
            .citing([*seen, at])),
            Some(_) => Ok(()),
            None => {
                self.held.insert(slot, (message.clone(), at));
                Ok(())
            }
        }
    }
}

impl Property<Member> for OffsetsConsistent {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Some((request, _, _, reply, _)) = self.sent.follow(w, node, obs, 0) else {
            return Ok(());
        };
        match reply["type"].as_str() {
            Some("send_ok") => {
                let (Some(key), Some(offset)) = (request["key"].as_str(), reply["offset"].as_u64())
                else {
                    return Err(Falsified::new(format!(
                        "a send_ok without an integer offset: {reply}"
                    )));
                };
                self.hold(key, offset, &request["msg"], w.event())
            }
            Some("poll_ok") => {
                for (key, pairs) in polled(&reply).map_err(Falsified::new)? {
                    for (offset, message) in pairs {
                        self.hold(&key, offset, &message, w.event())?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A poll returns each key's messages in increasing offsets, none below the offset asked for
/// that key, and only keys asked for.
#[derive(Clone, Default)]
pub struct PollsOrdered {
    sent: Sent,
}

impl Property<Member> for PollsOrdered {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Some((request, at, _, reply, server)) = self.sent.follow(w, node, obs, 0) else {
            return Ok(());
        };
        if reply["type"] != "poll_ok" {
            return Ok(());
        }
        for (key, pairs) in polled(&reply).map_err(Falsified::new)? {
            let Some(from) = request["offsets"][&key].as_u64() else {
                return Err(Falsified::new(format!(
                    "node {server} answered a poll (sent at {}) with key {key}, which it did \
                     not ask for",
                    event_ref(at)
                ))
                .citing([at, w.event()]));
            };
            let offsets: Vec<u64> = pairs.iter().map(|(offset, _)| *offset).collect();
            let ordered = offsets.windows(2).all(|w| w[0] < w[1]);
            if !ordered || offsets.first().is_some_and(|&first| first < from) {
                return Err(Falsified::new(format!(
                    "node {server} answered a poll of key {key} from offset {from} (sent at \
                     {}) with offsets {offsets:?}: not increasing from {from}",
                    event_ref(at)
                ))
                .citing([at, w.event()]));
            }
        }
        Ok(())
    }
}

/// A poll that returns messages of a key past an offset whose send was acknowledged before
/// the poll was sent returns that offset's message too.
#[derive(Clone, Default)]
pub struct NoLostWrites {
    sent: Sent,
    /// Acknowledged sends in order: key, offset, message, event.
    acked: Vec<(String, u64, Value, u64)>,
}

impl Property<Member> for NoLostWrites {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let count = self.acked.len();
        let Some((request, at, known, reply, server)) = self.sent.follow(w, node, obs, count)
        else {
            return Ok(());
        };
        match reply["type"].as_str() {
            Some("send_ok") => {
                if let (Some(key), Some(offset)) =
                    (request["key"].as_str(), reply["offset"].as_u64())
                {
                    let message = request["msg"].clone();
                    self.acked
                        .push((key.to_string(), offset, message, w.event()));
                }
                Ok(())
            }
            Some("poll_ok") => {
                let polled = polled(&reply).map_err(Falsified::new)?;
                for (key, pairs) in &polled {
                    let from = request["offsets"][key].as_u64().unwrap_or(0);
                    let Some(&(last, _)) = pairs.last() else {
                        continue;
                    };
                    let lost = self.acked[..known].iter().find(|(k, offset, _, _)| {
                        k == key
                            && (from..last).contains(offset)
                            && !pairs.iter().any(|(o, _)| o == offset)
                    });
                    if let Some((_, offset, message, acked_at)) = lost {
                        return Err(Falsified::new(format!(
                            "node {server} answered a poll of key {key} from offset {from} (sent \
                             at {}) with offsets up to {last} but not {offset}, whose send of \
                             {message} was acknowledged at {}",
                            event_ref(at),
                            event_ref(*acked_at)
                        ))
                        .citing([*acked_at, at, w.event()]));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A listed committed offset is one a client asked to commit for that key before the list's
/// answer. (Whether committed offsets may go back when clients commit lower ones is left
/// open, as Maelstrom leaves it: the check says only that a node invents none.)
#[derive(Clone, Default)]
pub struct CommitsValid {
    sent: Sent,
    /// Per key, the offsets clients asked to commit.
    asked: BTreeMap<String, BTreeSet<u64>>,
}

impl Property<Member> for CommitsValid {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        if let Obs::Invoke { request, .. } = obs {
            let request = request.json();
            if request["type"] == "commit_offsets" {
                for (key, offset) in request["offsets"].as_object().into_iter().flatten() {
                    if let Some(offset) = offset.as_u64() {
                        self.asked.entry(key.clone()).or_default().insert(offset);
                    }
                }
            }
        }
        let Some((_, at, _, reply, server)) = self.sent.follow(w, node, obs, 0) else {
            return Ok(());
        };
        if reply["type"] != "list_committed_offsets_ok" {
            return Ok(());
        }
        for (key, listed) in reply["offsets"].as_object().into_iter().flatten() {
            let asked = self.asked.get(key);
            let valid = listed
                .as_u64()
                .is_some_and(|o| asked.is_some_and(|a| a.contains(&o)));
            if !valid {
                return Err(Falsified::new(format!(
                    "node {server} listed {listed} as key {key}'s committed offset (asked at \
                     {}), which no client asked to commit",
                    event_ref(at)
                ))
                .citing([at, w.event()]));
            }
        }
        Ok(())
    }
}

impl Sent {
    /// The open requests and what each counted when sent, without its event.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.open.len());
        for (key, (request, _, count)) in &self.open {
            (key, request, count).hash(hasher);
        }
    }
}

impl Explorable<Member> for OffsetsConsistent {
    /// The open requests and the message each offset holds (not where it was seen).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.sent.fingerprint(hasher);
        hasher.write_usize(self.held.len());
        for (slot, (message, _)) in &self.held {
            (slot, message).hash(hasher);
        }
    }
}

impl Explorable<Member> for PollsOrdered {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.sent.fingerprint(hasher);
    }
}

impl Explorable<Member> for NoLostWrites {
    /// The open requests and the writes acknowledged (not their events).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.sent.fingerprint(hasher);
        hasher.write_usize(self.acked.len());
        for (key, offset, message, _) in &self.acked {
            (key, offset, message).hash(hasher);
        }
    }
}

impl Explorable<Member> for CommitsValid {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.sent.fingerprint(hasher);
        self.asked.hash(hasher);
    }
}
