//! The counter workloads' checks, over the clients' adds and reads. An add is *acknowledged*
//! once its `add_ok` arrives, and *possible* once sent: the node may have counted it even if
//! its answer was lost. So a read answered at some moment returns at most the positive deltas
//! sent before then and at least the negative ones, and a read sent after some adds were
//! acknowledged returns their sum, plus or minus what the other sent adds may have counted.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use ftsim_api::properties::event_ref;
use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::{Explorable, Falsified, NodeId, Property, World};

use crate::member::Member;
use crate::messages::Obs;

/// Sums of deltas, kept apart by sign.
#[derive(Clone, Copy, Debug, Default, Hash)]
struct Sums {
    positive: i64,
    negative: i64,
}

impl Sums {
    fn add(&mut self, delta: i64) {
        if delta >= 0 {
            self.positive = self.positive.saturating_add(delta);
        } else {
            self.negative = self.negative.saturating_add(delta);
        }
    }

    fn total(self) -> i64 {
        self.positive.saturating_add(self.negative)
    }
}

/// A client's request, as the checks remember it.
#[derive(Clone, Copy, Debug)]
enum Sent {
    /// An add of this delta.
    Add(i64),
    /// A read, sent at this event with these adds acknowledged.
    Read { event: u64, acked: Sums },
}

/// What both checks follow: each request, the adds sent and those acknowledged.
#[derive(Clone, Default)]
struct Ledger {
    sent: BTreeMap<(NodeId, u64), Sent>,
    /// The deltas of every add sent so far.
    possible: Sums,
    /// The deltas of every add acknowledged so far.
    acked: Sums,
}

/// A read's answer: the value, or why it is not one.
type ReadValue = Result<i64, String>;

impl Ledger {
    /// Follows `obs`; returns a read's answer with its request, if `obs` is one.
    fn follow(
        &mut self,
        w: &World<'_, Member>,
        node: NodeId,
        obs: &Obs,
    ) -> Option<(Sent, ReadValue, NodeId)> {
        match obs {
            Obs::Invoke { op, request, .. } => {
                let body = request.json();
                let sent = match body["type"].as_str() {
                    Some("add") => Sent::Add(body["delta"].as_i64().unwrap_or(0)),
                    _ => Sent::Read {
                        event: w.event(),
                        acked: self.acked,
                    },
                };
                if let Sent::Add(delta) = sent {
                    self.possible.add(delta);
                }
                self.sent.insert((node, *op), sent);
                None
            }
            Obs::Complete { op, server, reply } => {
                let sent = self.sent.remove(&(node, *op))?;
                let body = reply.json();
                match (sent, body["type"].as_str()) {
                    (Sent::Add(delta), Some("add_ok")) => {
                        self.acked.add(delta);
                        None
                    }
                    (Sent::Read { .. }, Some("read_ok")) => {
                        let value = body["value"].as_i64().ok_or_else(|| {
                            format!(
                                "node {server} answered a read without an integer value: {reply:?}"
                            )
                        });
                        Some((sent, value, *server))
                    }
                    _ => None,
                }
            }
            Obs::Node { .. } => None,
        }
    }
}

/// A read returns at most the positive deltas sent before its answer, at least the negative
/// ones.
#[derive(Clone, Default)]
pub struct ReadsBounded {
    ledger: Ledger,
}

impl Property<Member> for ReadsBounded {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Some((Sent::Read { event, .. }, value, server)) = self.ledger.follow(w, node, obs)
        else {
            return Ok(());
        };
        let value = value.map_err(|why| Falsified::new(why).citing([event, w.event()]))?;
        let possible = self.ledger.possible;
        if value > possible.positive || value < possible.negative {
            return Err(Falsified::new(format!(
                "node {server} read {value} (asked at {}), but the adds sent so far range \
                 from {} to {}",
                event_ref(event),
                possible.negative,
                possible.positive
            ))
            .citing([event, w.event()]));
        }
        Ok(())
    }
}

/// A node's latest read: its value, the bounds it had to fall within, and its events.
#[derive(Clone, Copy, Debug)]
struct LastRead {
    value: i64,
    low: i64,
    high: i64,
    sent_at: u64,
    answered_at: u64,
}

/// At the end, each node that is up has answered a read, and its latest read returned the sum
/// of the adds acknowledged before it was sent, give or take the other adds sent before its
/// answer.
#[derive(Clone, Default)]
pub struct FinalReadsSum {
    ledger: Ledger,
    latest: BTreeMap<NodeId, LastRead>,
}

impl Property<Member> for FinalReadsSum {
    fn observe(&mut self, w: &World<'_, Member>, node: NodeId, obs: &Obs) -> Result<(), Falsified> {
        let Some((Sent::Read { event, acked }, value, server)) = self.ledger.follow(w, node, obs)
        else {
            return Ok(());
        };
        let Ok(value) = value else {
            return Ok(()); // reads-bounded reports it
        };
        let possible = self.ledger.possible;
        let (other_positive, other_negative) = (
            possible.positive - acked.positive,
            possible.negative - acked.negative,
        );
        let read = LastRead {
            value,
            low: acked.total() + other_negative,
            high: acked.total() + other_positive,
            sent_at: event,
            answered_at: w.event(),
        };
        self.latest.insert(server, read);
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, Member>) -> Result<(), Falsified> {
        for server in w
            .nodes()
            .filter(|&n| w.is_up(n) && matches!(w.state(n), Member::Node(_)))
        {
            let Some(read) = self.latest.get(&server) else {
                return Err(Falsified::new(format!("node {server} answered no read")));
            };
            if read.value < read.low || read.value > read.high {
                let expected = if read.low == read.high {
                    format!("{} (the adds acknowledged before it)", read.low)
                } else {
                    format!(
                        "from {} to {} (the adds acknowledged before it, and those sent but \
                         never acknowledged)",
                        read.low, read.high
                    )
                };
                return Err(Falsified::new(format!(
                    "node {server}'s last read (sent at {}, answered at {}) returned {}, \
                     expected {expected}",
                    event_ref(read.sent_at),
                    event_ref(read.answered_at),
                    read.value
                ))
                .citing([read.sent_at, read.answered_at]));
            }
        }
        Ok(())
    }
}

impl Ledger {
    /// What the ledger holds, without events: each request (an add's delta, a read's
    /// acknowledged sums) and the sums.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        hasher.write_usize(self.sent.len());
        for (key, sent) in &self.sent {
            key.hash(hasher);
            match sent {
                Sent::Add(delta) => (0u8, delta).hash(hasher),
                Sent::Read { acked, .. } => (1u8, acked).hash(hasher),
            }
        }
        (self.possible, self.acked).hash(hasher);
    }
}

impl Explorable<Member> for ReadsBounded {
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.ledger.fingerprint(hasher);
    }
}

impl Explorable<Member> for FinalReadsSum {
    /// The ledger and each node's latest read (its value and bounds, not its events).
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.ledger.fingerprint(hasher);
        hasher.write_usize(self.latest.len());
        for (node, read) in &self.latest {
            (node, read.value, read.low, read.high).hash(hasher);
        }
    }
}
