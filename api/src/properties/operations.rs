//! Properties of client operations besides linearizability, over the same
//! [`OpEvent`] observations: every operation of a correct client eventually returns
//! ([`OperationsReturn`]), and two kinds of operations ran concurrently ([`Overlap`], a
//! `sometimes` property proving that a sweep exercised the interesting interleavings).

use std::collections::BTreeMap;
use std::sync::Arc;

use sim_core::entropy::DetHasher;

use sim_core::{Explorable, Falsified, NodeId, Process, Property, Time, World};

use super::evidence::{Stuck, Waits};
use super::linearizability::OpEvent;

// Shared, so that a search's copy of a monitor (a snapshot) uses the same closures; `Send +
// Sync`, so that the copy can move to another thread.
type Extract<P, I, O> = Arc<dyn Fn(&<P as Process>::Obs) -> Option<OpEvent<I, O>> + Send + Sync>;
type Owed<P> = Arc<dyn Fn(&World<'_, P>) -> bool + Send + Sync>;
type Unfinished<P> = Arc<dyn Fn(&World<'_, P>, NodeId) -> bool + Send + Sync>;

/// Liveness: at the end of the run, every operation a correct client (one that never crashed)
/// invoked has returned, and no correct client still has operations to invoke, provided
/// liveness is owed at all (say, a quorum of replicas is up). A violation names the stuck
/// operation's invocation and the client's last step.
pub struct OperationsReturn<P: Process, I, O> {
    extract: Extract<P, I, O>,
    owed: Owed<P>,
    unfinished: Unfinished<P>,
    waiting: Waits<(NodeId, u64)>,
    /// Per client, the event and the time of its latest invocation.
    last_invoked: BTreeMap<NodeId, (u64, Time)>,
}

impl<P: Process, I, O> OperationsReturn<P, I, O> {
    /// From `extract` (an observation's invocation or response), `owed` (whether the run's end
    /// state owes liveness) and `unfinished` (whether a node is a client that has not invoked
    /// all its operations yet).
    pub fn new(
        extract: impl Fn(&P::Obs) -> Option<OpEvent<I, O>> + Send + Sync + 'static,
        owed: impl Fn(&World<'_, P>) -> bool + Send + Sync + 'static,
        unfinished: impl Fn(&World<'_, P>, NodeId) -> bool + Send + Sync + 'static,
    ) -> Self {
        OperationsReturn {
            extract: Arc::new(extract),
            owed: Arc::new(owed),
            unfinished: Arc::new(unfinished),
            waiting: Waits::default(),
            last_invoked: BTreeMap::new(),
        }
    }
}

// By hand: deriving would ask `P`, `I` and `O` to be `Clone`; the closures are shared.
impl<P: Process, I, O> Clone for OperationsReturn<P, I, O> {
    fn clone(&self) -> Self {
        OperationsReturn {
            extract: Arc::clone(&self.extract),
            owed: Arc::clone(&self.owed),
            unfinished: Arc::clone(&self.unfinished),
            waiting: self.waiting.clone(),
            last_invoked: self.last_invoked.clone(),
        }
    }
}

impl<P: Process + 'static, I: 'static, O: 'static> Property<P> for OperationsReturn<P, I, O> {
    fn observe(&mut self, w: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        match (self.extract)(obs) {
            Some(OpEvent::Invoke { op, .. }) => {
                self.waiting.begin(w, node, (node, op));
                self.last_invoked.insert(node, (w.event(), w.now));
            }
            Some(OpEvent::Return { op, .. }) => self.waiting.end(&(node, op)),
            None => {}
        }
        Ok(())
    }

    fn finish(&mut self, w: &World<'_, P>) -> Result<(), Falsified> {
        if !(self.owed)(w) {
            return Ok(());
        }
        let stuck = self.waiting.stuck(w, |_, node| w.is_correct(node));
        if let Some(((client, op), stuck)) = stuck.first() {
            let why = Falsified::new(format!(
                "operation {op} of client {client} never returned: {}",
                Stuck::details(&[*stuck], "invoked it at")
            ))
            .citing(Stuck::evidence(&[*stuck]));
            return Err(Falsified {
                waiting_since: self.waiting.began_at(&(*client, *op)),
                ..why
            });
        }
        let idle = w
            .nodes()
            .find(|&i| w.is_correct(i) && (self.unfinished)(w, i));
        if let Some(client) = idle {
            let last = self.last_invoked.get(&client).copied();
            let stuck = Stuck::new(w, client, last.map(|(event, _)| event));
            let why = Falsified::new(format!(
                "client {client} did not invoke all its operations: {}",
                Stuck::details(&[stuck], "invoked the last at")
            ))
            .citing(Stuck::evidence(&[stuck]));
            // Idle since its last operation returned, which is after it was invoked.
            return Err(Falsified {
                waiting_since: last.map(|(_, at)| at),
                ..why
            });
        }
        Ok(())
    }
}

impl<P: Process + 'static, I: 'static, O: 'static> Explorable<P> for OperationsReturn<P, I, O> {
    /// The operations still open (by client and tag); where each client invoked its latest
    /// operation only words a verdict.
    fn fingerprint(&self, hasher: &mut DetHasher) {
        self.waiting.fingerprint(hasher);
    }
}

type Pick<I> = Box<dyn Fn(&I) -> bool>;

/// Reachability: an operation of one kind ran concurrently with an operation of another kind
/// by another client (a read overlapping a write), so a sweep that passes did test them
/// together.
pub struct Overlap<P: Process, I, O> {
    extract: Extract<P, I, O>,
    first: Pick<I>,
    second: Pick<I>,
    /// Open operations: (client, tag) → whether it is of the first kind, of the second.
    open: BTreeMap<(NodeId, u64), (bool, bool)>,
    reached: bool,
}

impl<P: Process, I, O> Overlap<P, I, O> {
    /// Reached when an operation that `first` picks and one that `second` picks, of two
    /// clients, are open at once.
    pub fn new(
        extract: impl Fn(&P::Obs) -> Option<OpEvent<I, O>> + Send + Sync + 'static,
        first: impl Fn(&I) -> bool + 'static,
        second: impl Fn(&I) -> bool + 'static,
    ) -> Self {
        Overlap {
            extract: Arc::new(extract),
            first: Box::new(first),
            second: Box::new(second),
            open: BTreeMap::new(),
            reached: false,
        }
    }
}

impl<P: Process, I, O> Property<P> for Overlap<P, I, O> {
    fn observe(&mut self, _: &World<'_, P>, node: NodeId, obs: &P::Obs) -> Result<(), Falsified> {
        match (self.extract)(obs) {
            Some(OpEvent::Invoke { op, input }) => {
                let kinds = ((self.first)(&input), (self.second)(&input));
                self.reached |= self.open.iter().any(|(&(client, _), &(a, b))| {
                    client != node && ((kinds.0 && b) || (kinds.1 && a))
                });
                self.open.insert((node, op), kinds);
            }
            Some(OpEvent::Return { op, .. }) => {
                self.open.remove(&(node, op));
            }
            None => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: &World<'_, P>) -> Result<(), Falsified> {
        if self.reached {
            Ok(())
        } else {
            Err("no two such operations overlapped".into())
        }
    }
}
