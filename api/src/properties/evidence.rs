//! Building blocks for properties that explain their violations: a violation, a [`Falsified`],
//! names the events that make the property false (in its message, as "event #12", and in its
//! [`evidence`](Falsified::evidence), which reports use to point at them and highlight their
//! causal past).
//!
//! - [`Seen`]: an observation remembered with its node, event and time;
//! - [`Witnesses`]: observations kept by key, each new one checked against the earlier ones
//!   (the core of every "no two of these conflict" property: agreement, one leader per epoch,
//!   one value per log position); a conflict is a [`Falsified`] citing both events;
//! - [`Pairwise`]: a whole safety property made of two closures on top of [`Witnesses`], whose
//!   violations name both events without further work;
//! - [`Waits`]: what processes are waiting for and since which event, so a liveness violation
//!   can say what each stuck process waited for and where it last could have made progress
//!   ([`World::last_event`]).
//!
//! Each can be copied and fingerprinted for a search over states (`ftsim explore`, see
//! [`Explorable`]): the fingerprint hashes what can change a later verdict (nodes,
//! keys and values), never the event numbers and times kept to explain a violation, which
//! differ between two paths to the same state.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use sim_core::entropy::DetHasher;
use sim_core::{Explorable, Falsified, NodeId, Process, Property, Time, World};

/// "event #12", the way every violation message names an event.
pub fn event_ref(event: u64) -> String {
    format!("event #{event}")
}

/// "event #3" or "events #3, #5 and #9" (sorted, each once); "no event" for none.
pub fn events_phrase(events: &[u64]) -> String {
    let mut events = events.to_vec();
    events.sort_unstable();
    events.dedup();
    let refs: Vec<String> = events.iter().map(|e| format!("#{e}")).collect();
    match refs.as_slice() {
        [] => "no event".to_string(),
        [one] => format!("event {one}"),
        [init @ .., last] => format!("events {} and {last}", init.join(", ")),
    }
}

/// Whether `message` names every one of `events` as `#N` (not as a prefix of a longer number):
/// for tests that a violation explains itself.
pub fn cites_events(message: &str, events: &[u64]) -> bool {
    events.iter().all(|e| {
        let needle = format!("#{e}");
        message.match_indices(&needle).any(|(at, _)| {
            !message[at + needle.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    })
}

/// Feeds a hand-built history to a property as if each observation were its own event, the
/// `i`th (from 0) at event `i + 1`; the first violation stops it. For tests that a property's
/// violations name the right events.
pub fn observe_history<P: Process>(
    w: &World<'_, P>,
    property: &mut dyn Property<P>,
    history: &[(NodeId, P::Obs)],
) -> Result<(), Falsified> {
    history
        .iter()
        .zip(1..)
        .try_for_each(|((node, obs), event)| property.observe(&w.at_event(event), *node, obs))
}

/// An observation remembered with where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen<V> {
    /// The observing node.
    pub node: NodeId,
    /// The engine event it happened at.
    pub event: u64,
    /// When.
    pub time: Time,
    /// What the property keeps of it.
    pub value: V,
}

impl<V> Seen<V> {
    /// `value`, observed by `node` at the event being judged.
    pub fn new<P: Process>(w: &World<'_, P>, node: NodeId, value: V) -> Self {
        Seen {
            node,
            event: w.event(),
            time: w.now,
            value,
        }
    }
}

impl<V: Hash> Seen<V> {
    /// Hashes the node and the value, not the event or the time: for a search, two paths to
    /// the same state saw the same things at different events.
    pub fn fingerprint<H: Hasher>(&self, hasher: &mut H) {
        self.node.hash(hasher);
        self.value.hash(hasher);
    }
}

/// Observations kept by key, each new one checked against the earlier ones with the same key.
#[derive(Clone)]
pub struct Witnesses<K, V> {
    seen: BTreeMap<K, Vec<Seen<V>>>,
}

impl<K, V> Default for Witnesses<K, V> {
    fn default() -> Self {
        Witnesses {
            seen: BTreeMap::new(),
        }
    }
}

impl<K: Ord, V> Witnesses<K, V> {
    /// Checks `now` against every earlier observation under `key`: `conflict(earlier, now)`
    /// returns the message of a violation, which then cites both events. Without a conflict,
    /// `now` is kept.
    pub fn check(
        &mut self,
        key: K,
        now: Seen<V>,
        conflict: impl Fn(&Seen<V>, &Seen<V>) -> Option<String>,
    ) -> Result<(), Falsified> {
        let earlier = self.seen.entry(key).or_default();
        if let Some((before, message)) = earlier
            .iter()
            .find_map(|e| conflict(e, &now).map(|m| (e, m)))
        {
            return Err(Falsified::new(message).citing([before.event, now.event]));
        }
        earlier.push(now);
        Ok(())
    }

    /// The observations kept under `key`, oldest first.
    pub fn get(&self, key: &K) -> &[Seen<V>] {
        self.seen.get(key).map_or(&[], Vec::as_slice)
    }

    /// Forgets the observations under `key` that `drop` selects (a holder that left).
    pub fn forget(&mut self, key: &K, drop: impl Fn(&Seen<V>) -> bool) {
        if let Some(list) = self.seen.get_mut(key) {
            list.retain(|s| !drop(s));
        }
    }
}

impl<K: Hash, V: Hash> Witnesses<K, V> {
    /// Hashes every kept observation by key (each as [`Seen::fingerprint`]).
    pub fn fingerprint<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_usize(self.seen.len());
        for (key, list) in &self.seen {
            key.hash(hasher);
            hasher.write_usize(list.len());
            for seen in list {
                seen.fingerprint(hasher);
            }
        }
    }
}

// Shared, so that a copy for a search (a snapshot) shares the closures; `Send + Sync`, so
// that the copy can move to another thread.
type Extract<P, K, V> =
    Arc<dyn Fn(&World<'_, P>, NodeId, &<P as Process>::Obs) -> Option<(K, V)> + Send + Sync>;
type Conflict<P, V> =
    Arc<dyn Fn(&World<'_, P>, &Seen<V>, &Seen<V>) -> Option<String> + Send + Sync>;

/// A safety property "no two observations with the same key conflict", from two closures: one
/// that picks the key and value out of an observation (or skips it), one that says why two of
/// them conflict. Its violations name both events, in the message and for the diagram:
///
/// ```
/// # use ftsim_api::{Ctx, NodeId, Process, Properties};
/// # use ftsim_api::properties::Pairwise;
/// # #[derive(Debug)] struct Node;
/// # #[derive(Clone, Debug, Hash)] enum Obs { Leader { epoch: u64 } }
/// # impl Process for Node {
/// #     type Msg = (); type Timer = (); type Obs = Obs; type Stable = ();
/// #     fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
/// #     fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: ()) {}
/// # }
/// let table = Properties::<Node>::new().always("one-leader", "one live leader per epoch", || {
///     Pairwise::new(
///         |_, _, obs: &Obs| match *obs {
///             Obs::Leader { epoch } => Some((epoch, ())),
///         },
///         |w, earlier, now| {
///             (earlier.node != now.node && w.is_up(earlier.node)).then(|| {
///                 format!("nodes {} and {} both lead", earlier.node, now.node)
///             })
///         },
///     )
/// });
/// # assert_eq!(table.infos().len(), 1);
/// ```
///
/// A violation reads "nodes 0 and 2 both lead (events #7 and #19)". A search can follow it
/// (a snapshot) when keys and values are `Clone + Hash + Send`: it fingerprints the kept
/// observations' nodes, keys and values.
pub struct Pairwise<P: Process, K, V> {
    extract: Extract<P, K, V>,
    conflict: Conflict<P, V>,
    witnesses: Witnesses<K, V>,
}

impl<P: Process, K: Ord, V> Pairwise<P, K, V> {
    /// The property from `extract` (the key and value of an observation, `None` to skip it)
    /// and `conflict` (why an earlier and a new observation under one key conflict, or `None`).
    pub fn new(
        extract: impl Fn(&World<'_, P>, NodeId, &P::Obs) -> Option<(K, V)> + Send + Sync + 'static,
        conflict: impl Fn(&World<'_, P>, &Seen<V>, &Seen<V>) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Pairwise {
            extract: Arc::new(extract),
            conflict: Arc::new(conflict),
            witnesses: Witnesses::default(),
        }
    }
}

// By hand: deriving would ask `P: Clone`, and the closures are shared.
impl<P: Process, K: Clone, V: Clone> Clone for Pairwise<P, K, V> {
    fn clone(&self) -> Self {
        Pairwise {
            extract: Arc::clone(&self.extract),
            conflict: Arc::clone(&self.conflict),
            witnesses: self.witnesses.clone(),
        }
    }
}

impl<P, K, V> Property<P> for Pairwise<P, K, V>
where
    P: Process + 'static,
    K: Ord + Clone + Hash + Send + 'static,
    V: Clone + Hash + Send + 'static,
{
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        let Some((key, value)) = (self.extract)(w, node, obs) else {
            return Ok(());
        };
        let conflict = &self.conflict;
        self.witnesses
            .check(key, Seen::new(w, node, value), |a, b| {
                conflict(w, a, b)
                    .map(|why| format!("{why} ({})", events_phrase(&[a.event, b.event])))
            })
    }
}

impl<P, K, V> Explorable<P> for Pairwise<P, K, V>
where
    P: Process + 'static,
    K: Ord + Clone + Hash + Send + Sync + 'static,
    V: Clone + Hash + Send + Sync + 'static,
{
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.witnesses.fingerprint(hasher);
    }
}

/// A process stuck at the end of a run: since which event it waited, and its last step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stuck {
    /// The waiting process.
    pub node: NodeId,
    /// The event where the wait began, if the property saw it begin.
    pub since: Option<u64>,
    /// The last event that ran one of its handlers ([`World::last_event`]).
    pub last: Option<u64>,
}

impl Stuck {
    /// `node`, waiting since `since`, with its last step read from the world.
    pub fn new<P: Process>(w: &World<'_, P>, node: NodeId, since: Option<u64>) -> Self {
        Stuck {
            node,
            since,
            last: w.last_event(node),
        }
    }

    /// The events a violation names for the stuck processes: where each wait began and each
    /// one's last step.
    pub fn evidence(stuck: &[Stuck]) -> Vec<u64> {
        let mut events: Vec<u64> = stuck
            .iter()
            .flat_map(|s| [s.since, s.last])
            .flatten()
            .collect();
        events.sort_unstable();
        events.dedup();
        events
    }

    /// "node 2 since event #14, last step event #35; node 3 ...": `what` names the start of
    /// the wait ("requested it at").
    pub fn details(stuck: &[Stuck], what: &str) -> String {
        let parts: Vec<String> = stuck
            .iter()
            .map(|s| {
                let mut part = format!("node {}", s.node);
                if let Some(since) = s.since {
                    part.push_str(&format!(" {what} {}", event_ref(since)));
                }
                match s.last {
                    Some(last) if Some(last) != s.since => {
                        part.push_str(&format!(", last step {}", event_ref(last)))
                    }
                    Some(_) => {}
                    None => part.push_str(", never ran"),
                }
                part
            })
            .collect();
        parts.join("; ")
    }
}

/// What processes wait for, by key, each with the node and the event where the wait began.
/// A liveness property opens a wait when an obligation arises (a request, a broadcast), closes
/// it when it is met, and at the end reports the open ones as [`Stuck`].
#[derive(Clone)]
pub struct Waits<K> {
    open: BTreeMap<K, Seen<()>>,
}

impl<K> Default for Waits<K> {
    fn default() -> Self {
        Waits {
            open: BTreeMap::new(),
        }
    }
}

impl<K: Ord> Waits<K> {
    /// `node` starts waiting for `key` at the event being judged (an open wait keeps its
    /// start).
    pub fn begin<P: Process>(&mut self, w: &World<'_, P>, node: NodeId, key: K) {
        self.open
            .entry(key)
            .or_insert_with(|| Seen::new(w, node, ()));
    }

    /// The wait for `key` is over.
    pub fn end(&mut self, key: &K) {
        self.open.remove(key);
    }

    /// Ends every wait that `done` selects.
    pub fn end_where(&mut self, done: impl Fn(&K, NodeId) -> bool) {
        self.open.retain(|k, s| !done(k, s.node));
    }

    /// Whether `key` is awaited.
    pub fn is_open(&self, key: &K) -> bool {
        self.open.contains_key(key)
    }

    /// When the open wait for `key` began, if it is open.
    pub fn began_at(&self, key: &K) -> Option<Time> {
        self.open.get(key).map(|seen| seen.time)
    }

    /// The open waits, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &Seen<()>)> {
        self.open.iter()
    }

    /// The open waits that `owed` keeps (say, of processes up at the end), as stuck processes
    /// with their keys, in key order.
    pub fn stuck<P: Process>(
        &self,
        w: &World<'_, P>,
        owed: impl Fn(&K, NodeId) -> bool,
    ) -> Vec<(&K, Stuck)> {
        self.open
            .iter()
            .filter(|(k, s)| owed(k, s.node))
            .map(|(k, s)| (k, Stuck::new(w, s.node, Some(s.event))))
            .collect()
    }
}

impl<K: Hash> Waits<K> {
    /// Hashes the open waits' keys and nodes, not where they began (event numbers).
    pub fn fingerprint<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_usize(self.open.len());
        for (key, seen) in &self.open {
            key.hash(hasher);
            seen.fingerprint(hasher);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_name_events() {
        assert_eq!(event_ref(7), "event #7");
        assert_eq!(events_phrase(&[]), "no event");
        assert_eq!(events_phrase(&[9, 3]), "events #3 and #9");
        assert_eq!(events_phrase(&[5, 3, 9, 3]), "events #3, #5 and #9");
        assert!(cites_events("at event #12 and #3", &[3, 12]));
        assert!(!cites_events("at event #12", &[1]));
        let stuck = [
            Stuck {
                node: 2,
                since: Some(14),
                last: Some(35),
            },
            Stuck {
                node: 3,
                since: None,
                last: None,
            },
        ];
        assert_eq!(
            Stuck::details(&stuck, "requested it at"),
            "node 2 requested it at event #14, last step event #35; node 3, never ran"
        );
        assert_eq!(Stuck::evidence(&stuck), [14, 35]);
    }

    fn hash(f: impl Fn(&mut DetHasher)) -> u64 {
        let mut h = DetHasher::default();
        f(&mut h);
        h.finish()
    }

    fn seen(node: NodeId, event: u64, value: u64) -> Seen<u64> {
        Seen {
            node,
            event,
            time: Time::ZERO,
            value,
        }
    }

    #[test]
    fn fingerprints_hash_nodes_keys_and_values_not_events() {
        let witnesses = |events: [u64; 2], value: u64| {
            let mut w = Witnesses::<u64, u64>::default();
            let ok = |_: &Seen<u64>, _: &Seen<u64>| None;
            w.check(1, seen(0, events[0], 7), ok).unwrap();
            w.check(1, seen(2, events[1], value), ok).unwrap();
            w
        };
        let a = witnesses([3, 5], 7);
        let b = witnesses([4, 9], 7).clone();
        assert_eq!(hash(|h| a.fingerprint(h)), hash(|h| b.fingerprint(h)));
        let c = witnesses([3, 5], 8);
        assert_ne!(hash(|h| a.fingerprint(h)), hash(|h| c.fingerprint(h)));
        let mut waits = Waits::<u64>::default();
        waits.open.insert(
            4,
            Seen {
                node: 1,
                event: 3,
                time: Time::ZERO,
                value: (),
            },
        );
        let mut later = waits.clone();
        later.open.get_mut(&4).unwrap().event = 11;
        assert_eq!(
            hash(|h| waits.fingerprint(h)),
            hash(|h| later.fingerprint(h))
        );
        later.end(&4);
        assert_ne!(
            hash(|h| waits.fingerprint(h)),
            hash(|h| later.fingerprint(h))
        );
    }
}
