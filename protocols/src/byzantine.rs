//! Byzantine agreement: Lamport, Shostak and Pease's oral-messages algorithm OM(m).
//!
//! A commander sends its order to every lieutenant; each lieutenant then acts as the commander
//! of OM(m - 1), relaying what it received to the others, down to OM(0). Every value carries
//! the path of nodes it went through ("1 says 2 says the commander says v"), so the whole
//! recursion runs as m + 1 synchronous rounds of an exponential information-gathering tree:
//! round k carries the paths of length k + 1. At the end a lieutenant folds the tree back from
//! the leaves: the value for a path is the majority of what it received for that path and the
//! values resolved for each of its extensions, and RETREAT (0) when there is no strict majority
//! or a message is missing. It decides the value of the root path (the commander alone).
//!
//! The rounds are emulated with timers over an asynchronous network: every correct node sends
//! a round's messages at `k * round_ms` and accepts a message only before its round closes, so
//! `round_ms` must exceed the network's maximum delay; a slower message counts as missing,
//! which is what OM assumes of a traitor who stays silent.
//!
//! Traitors are not special cases here: a Byzantine node runs this same code and the engine
//! passes each of its messages through the scenario's adversary (equivocate, lie, silent, mix).
//!
//! Known result: with at most m traitors, OM(m) gives agreement among loyal lieutenants and, if
//! the commander is loyal, validity (they obey its order) exactly when n > 3m. With n = 3 and
//! one traitor it fails: a loyal lieutenant hears "v" from a loyal commander and "the commander
//! said w" from the traitor, cannot break the tie, and retreats against the order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sim_core::{
    Adversary, AdversaryCtx, Ctx, Duration, NodeId, Process, PropertyKind, RunReport, Setup,
    Silent, World,
};

use crate::consensus::{Agreement, Decision};
use crate::registry::{
    adversary_factory, describe, setup, ParamInfo, Params, PropertyDef, Protocol, ProtocolInfo,
    RunSpec, SpecError,
};

/// The value a lieutenant uses for a missing message or a tie: OM's RETREAT.
pub const DEFAULT: u64 = 0;

/// The longest path a message can carry: the commander plus up to `MAX_M` relays.
const MAX_M: usize = 6;
const MAX_PATH: usize = MAX_M + 1;

/// The most messages one run may need; larger (n, m) are refused at validation rather than
/// cut short by the event budget.
const MAX_MESSAGES: u64 = 200_000;

/// The chain of nodes a value went through, commander first, sender last. Unused slots are
/// always zero so equal paths compare equal.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path {
    len: u8,
    ids: [u8; MAX_PATH],
}

impl Path {
    pub fn root(commander: NodeId) -> Self {
        let mut ids = [0; MAX_PATH];
        ids[0] = commander as u8;
        Path { len: 1, ids }
    }

    /// A canonical path from a list of nodes, if it fits.
    pub fn from_nodes(nodes: &[NodeId]) -> Option<Self> {
        if nodes.is_empty() || nodes.len() > MAX_PATH || nodes.iter().any(|&x| x > 255) {
            return None;
        }
        let mut ids = [0; MAX_PATH];
        for (slot, &x) in ids.iter_mut().zip(nodes) {
            *slot = x as u8;
        }
        Some(Path {
            len: nodes.len() as u8,
            ids,
        })
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.ids[..self.len()].iter().map(|&x| x as NodeId)
    }

    pub fn first(&self) -> NodeId {
        self.ids[0] as NodeId
    }

    pub fn last(&self) -> NodeId {
        self.ids[self.len() - 1] as NodeId
    }

    pub fn contains(&self, node: NodeId) -> bool {
        self.nodes().any(|x| x == node)
    }

    /// This path extended by `node` (the caller keeps paths within `MAX_PATH`).
    pub fn push(&self, node: NodeId) -> Path {
        let mut p = *self;
        p.ids[p.len()] = node as u8;
        p.len += 1;
        p
    }

    /// The same path with its unused slots zeroed, if its length is possible at all: a
    /// tampered message may carry anything.
    fn canonical(&self) -> Option<Path> {
        if self.len == 0 || self.len() > MAX_PATH {
            return None;
        }
        let mut p = *self;
        let len = p.len();
        p.ids[len..].fill(0);
        Some(p)
    }

    /// Distinct nodes, each below `n` (at most 64).
    fn well_formed(&self, n: usize) -> bool {
        let mut seen = 0u64;
        for x in self.nodes() {
            if x >= n || seen & (1 << x) != 0 {
                return false;
            }
            seen |= 1 << x;
        }
        true
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, x) in self.nodes().enumerate() {
            if i > 0 {
                f.write_str("→")?;
            }
            write!(f, "{x}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// "`path[k]` told `path[k + 1]` … that the commander `path[0]` ordered `value`"; the
    /// sender is the last node of the path.
    Order { path: Path, value: u64 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Round `k - 1` is over: relay its values (or, after round m, decide).
    EndOfRound(u32),
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// The commander gives its order.
    Order(u64),
    /// A lieutenant decides which order to obey.
    Decide(u64),
}

impl Decision for Obs {
    fn proposed(&self) -> Option<u64> {
        match self {
            Obs::Order(v) => Some(*v),
            Obs::Decide(_) => None,
        }
    }
    fn decided(&self) -> Option<u64> {
        match self {
            Obs::Decide(v) => Some(*v),
            Obs::Order(_) => None,
        }
    }
}

/// The value with a strict majority among `values`, or [`DEFAULT`].
pub fn majority(values: &[u64]) -> u64 {
    // Boyer-Moore vote, then a count: no map, no allocation.
    let mut candidate = DEFAULT;
    let mut count = 0usize;
    for &v in values {
        if count == 0 {
            candidate = v;
            count = 1;
        } else if v == candidate {
            count += 1;
        } else {
            count -= 1;
        }
    }
    let support = values.iter().filter(|&&v| v == candidate).count();
    if support * 2 > values.len() {
        candidate
    } else {
        DEFAULT
    }
}

#[derive(Debug)]
pub struct Om {
    commander: NodeId,
    m: u32,
    values: u64,
    round: Duration,
    /// The last round whose end has passed; messages of earlier rounds are late.
    closed: u32,
    /// What this lieutenant received, per path (first copy wins).
    received: BTreeMap<Path, u64>,
    /// The commander's own order.
    order: Option<u64>,
    decision: Option<u64>,
}

impl Om {
    pub fn new(commander: NodeId, m: u32, values: u64, round: Duration) -> Self {
        Om {
            commander,
            m,
            values,
            round,
            closed: 0,
            received: BTreeMap::new(),
            order: None,
            decision: None,
        }
    }

    pub fn commander(&self) -> NodeId {
        self.commander
    }

    pub fn decision(&self) -> Option<u64> {
        self.decision
    }

    /// What this node received for `path`, if anything arrived in time.
    pub fn received(&self, path: &Path) -> Option<u64> {
        self.received.get(path).copied()
    }

    /// Every path of length `len` that starts at the commander and avoids `me`.
    fn paths(&self, n: usize, me: NodeId, len: usize) -> Vec<Path> {
        let mut out = Vec::new();
        let mut stack = vec![Path::root(self.commander)];
        while let Some(p) = stack.pop() {
            if p.len() == len {
                out.push(p);
                continue;
            }
            for x in (0..n).rev().filter(|&x| x != me && !p.contains(x)) {
                stack.push(p.push(x));
            }
        }
        out
    }

    /// OM(m - |path| + 1) as seen by `me`: the majority of the value received for `path` and
    /// the values resolved for each lieutenant that relayed it further.
    pub fn resolve(&self, n: usize, me: NodeId, path: Path) -> u64 {
        let direct = self.received(&path).unwrap_or(DEFAULT);
        if path.len() > self.m as usize {
            return direct;
        }
        let mut votes = vec![direct];
        for x in (0..n).filter(|&x| x != me && !path.contains(x)) {
            votes.push(self.resolve(n, me, path.push(x)));
        }
        majority(&votes)
    }

    /// Relays every path of length `len` (received or, when missing, as RETREAT) to every
    /// node not on it: this node acting as the commander of OM(m - len).
    fn relay(&mut self, ctx: &mut Ctx<'_, Self>, len: usize) {
        let me = ctx.id();
        for p in self.paths(ctx.n(), me, len) {
            let value = self.received(&p).unwrap_or(DEFAULT);
            let path = p.push(me);
            for to in (0..ctx.n()).filter(|&to| !path.contains(to)) {
                ctx.send(to, Msg::Order { path, value });
            }
        }
    }
}

impl Process for Om {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == self.commander {
            let v = ctx.random_below(self.values);
            self.order = Some(v);
            ctx.observe(Obs::Order(v));
            ctx.broadcast(Msg::Order {
                path: Path::root(self.commander),
                value: v,
            });
        } else {
            ctx.set_timer(self.round, Timer::EndOfRound(1));
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::Order { path, value } = msg;
        // The channel authenticates the sender, so a traitor can lie about what it heard but
        // not speak for another node: the path must end with the sender and be one this node
        // expects in an open round.
        let Some(path) = path.canonical() else {
            return;
        };
        let me = ctx.id();
        let timely = path.len() as u32 > self.closed && path.len() as u32 <= self.m + 1;
        if me == self.commander
            || !timely
            || !path.well_formed(ctx.n())
            || path.first() != self.commander
            || path.last() != from
            || path.contains(me)
        {
            return;
        }
        self.received.entry(path).or_insert(value);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let Timer::EndOfRound(k) = timer;
        self.closed = k;
        if k <= self.m {
            self.relay(ctx, k as usize);
            ctx.set_timer(self.round, Timer::EndOfRound(k + 1));
        } else if self.decision.is_none() {
            let v = self.resolve(ctx.n(), ctx.id(), Path::root(self.commander));
            self.decision = Some(v);
            ctx.observe(Obs::Decide(v));
        }
    }
}

/// Rank of `to` among `from`'s peers (0-based), which splits the peers into two halves.
fn peer_rank(from: NodeId, to: NodeId) -> usize {
    if to < from {
        to
    } else {
        to - 1
    }
}

/// Tells the lower half of its peers the truth and the upper half another value: each message
/// is plausible, but different peers hear different things.
pub struct Equivocate {
    pub values: u64,
}

impl Adversary<Om> for Equivocate {
    fn name(&self) -> &str {
        "equivocate"
    }
    fn tamper(
        &mut self,
        ctx: &mut AdversaryCtx<'_>,
        from: NodeId,
        to: NodeId,
        msg: Msg,
    ) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        let lower_half = peer_rank(from, to) < (ctx.n - 1) / 2;
        let value = if lower_half {
            value
        } else {
            (value + 1) % self.values
        };
        Some(Msg::Order { path, value })
    }
}

/// Sends everyone the same wrong value: consistent, but a lie.
pub struct Lie {
    pub values: u64,
}

impl Adversary<Om> for Lie {
    fn name(&self) -> &str {
        "lie"
    }
    fn tamper(&mut self, _: &mut AdversaryCtx<'_>, _: NodeId, _: NodeId, msg: Msg) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        Some(Msg::Order {
            path,
            value: (value + 1) % self.values,
        })
    }
}

/// Per message, at random: forward it, drop it, flip its value, or send a random value.
pub struct Mix {
    pub values: u64,
}

impl Adversary<Om> for Mix {
    fn name(&self) -> &str {
        "mix"
    }
    fn tamper(
        &mut self,
        ctx: &mut AdversaryCtx<'_>,
        _: NodeId,
        _: NodeId,
        msg: Msg,
    ) -> Option<Msg> {
        let Msg::Order { path, value } = msg;
        let value = match ctx.random_below(4) {
            0 => value,
            1 => return None,
            2 => (value + 1) % self.values,
            _ => ctx.random_below(self.values),
        };
        Some(Msg::Order { path, value })
    }
}

const ADVERSARIES: [&str; 4] = ["equivocate", "lie", "silent", "mix"];

fn adversary(name: &str, values: u64) -> sim_core::engine::AdversaryFactory<Om> {
    match name {
        "equivocate" => adversary_factory(move |_| Equivocate { values }),
        "lie" => adversary_factory(move |_| Lie { values }),
        "mix" => adversary_factory(move |_| Mix { values }),
        "silent" => adversary_factory(|_| Silent),
        other => panic!(
            "unknown adversary {other:?}: the scenario was validated against {ADVERSARIES:?}"
        ),
    }
}

/// IC2: if the commander is loyal, every loyal lieutenant decides its order.
#[derive(Default)]
pub struct CommanderValidity {
    order: Option<u64>,
}

impl sim_core::Property<Om> for CommanderValidity {
    fn name(&self) -> &str {
        "validity"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }
    fn observe(&mut self, w: &World<'_, Om>, node: NodeId, obs: &Obs) -> Result<(), String> {
        match *obs {
            Obs::Order(v) => {
                if !w.is_byzantine(node) {
                    self.order = Some(v);
                }
                Ok(())
            }
            Obs::Decide(v) => {
                let c = w.state(node).commander;
                if w.is_byzantine(node) || w.is_byzantine(c) {
                    return Ok(());
                }
                match self.order {
                    Some(o) if o == v => Ok(()),
                    Some(o) => Err(format!(
                        "lieutenant {node} decided {v} but the loyal commander {c} ordered {o}"
                    )),
                    None => Err(format!(
                        "lieutenant {node} decided {v} before the loyal commander {c} gave an order"
                    )),
                }
            }
        }
    }
}

/// Every loyal lieutenant (not Byzantine, never crashed) decides by the end of the run.
#[derive(Default)]
pub struct LieutenantsDecide {
    decided: BTreeSet<NodeId>,
}

impl sim_core::Property<Om> for LieutenantsDecide {
    fn name(&self) -> &str {
        "termination"
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }
    fn observe(&mut self, _: &World<'_, Om>, node: NodeId, obs: &Obs) -> Result<(), String> {
        if let Obs::Decide(_) = obs {
            self.decided.insert(node);
        }
        Ok(())
    }
    fn finish(&mut self, w: &World<'_, Om>) -> Result<(), String> {
        let undecided: Vec<NodeId> = w
            .nodes()
            .filter(|&i| i != w.state(i).commander && w.is_correct(i))
            .filter(|i| !self.decided.contains(i))
            .collect();
        if undecided.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "loyal lieutenant{} {} never decided (at {})",
                if undecided.len() > 1 { "s" } else { "" },
                crate::nodes_phrase(&undecided),
                w.now
            ))
        }
    }
}

/// Reached when the traitor set includes the commander (`commander = true`) or only
/// lieutenants: a passing sweep over random traitors must have tried both.
pub struct TraitorIs {
    commander: bool,
}

impl sim_core::Property<Om> for TraitorIs {
    fn name(&self) -> &str {
        if self.commander {
            "traitor-commander"
        } else {
            "traitor-lieutenant"
        }
    }
    fn kind(&self) -> PropertyKind {
        PropertyKind::Sometimes
    }
    fn finish(&mut self, w: &World<'_, Om>) -> Result<(), String> {
        let c = w.state(0).commander;
        let lieutenant = w.nodes().any(|i| i != c && w.is_byzantine(i));
        let reached = if self.commander {
            w.is_byzantine(c)
        } else {
            lieutenant && !w.is_byzantine(c)
        };
        if reached {
            Ok(())
        } else {
            Err("not this traitor placement".into())
        }
    }
}

fn properties() -> Vec<PropertyDef<Om>> {
    vec![
        PropertyDef {
            name: "agreement",
            kind: PropertyKind::Always,
            help: "IC1: no two loyal lieutenants decide differently",
            make: || Box::<Agreement>::default(),
        },
        PropertyDef {
            name: "validity",
            kind: PropertyKind::Always,
            help: "IC2: if the commander is loyal, every loyal lieutenant decides its order",
            make: || Box::<CommanderValidity>::default(),
        },
        crate::consensus::integrity("no lieutenant decides twice"),
        PropertyDef {
            name: "termination",
            kind: PropertyKind::Eventually,
            help: "every loyal lieutenant decides",
            make: || Box::<LieutenantsDecide>::default(),
        },
        PropertyDef {
            name: "traitor-commander",
            kind: PropertyKind::Sometimes,
            help: "the commander is a traitor",
            make: || Box::new(TraitorIs { commander: true }),
        },
        PropertyDef {
            name: "traitor-lieutenant",
            kind: PropertyKind::Sometimes,
            help: "the commander is loyal and some lieutenant is a traitor",
            make: || Box::new(TraitorIs { commander: false }),
        },
    ]
}

/// How many messages OM(m) sends with n nodes: round k carries every path of length k + 1,
/// each to the n - k - 1 nodes not on it.
pub fn message_count(n: u64, m: u64) -> u64 {
    let mut total = 0u64;
    let mut paths = 1u64; // paths of length k + 1 starting at the commander
    for k in 0..=m {
        if k > 0 {
            paths = paths.saturating_mul(n.saturating_sub(k));
        }
        total = total.saturating_add(paths.saturating_mul(n.saturating_sub(k + 1)));
    }
    total
}

pub struct OralMessages;

impl OralMessages {
    fn build(spec: &RunSpec) -> Setup<Om> {
        let m = spec.params.int("m") as u32;
        let commander = spec.params.int("commander") as NodeId;
        let values = spec.params.int("values") as u64;
        let round = Duration::from_millis(spec.params.int("round_ms") as u64);
        setup(
            spec,
            &properties(),
            move |_, _| Om::new(commander, m, values, round),
            Some(adversary(&spec.adversary, values)),
        )
    }
}

impl Protocol for OralMessages {
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "byzantine",
            summary: "Byzantine agreement with Lamport's oral-messages algorithm OM(m): a \
                      commander's order relayed for m rounds, decided by recursive majority; \
                      tolerates m traitors when n > 3m",
            params: vec![
                ParamInfo::int(
                    "m",
                    0,
                    MAX_M as i64,
                    1,
                    "recursion depth: OM(m) runs m + 1 rounds and tolerates m traitors if n > 3m",
                ),
                ParamInfo::int("commander", 0, 63, 0, "the commander's node id"),
                ParamInfo::int(
                    "values",
                    2,
                    16,
                    2,
                    "orders are drawn from 0..values; 0 is RETREAT, the default for a missing \
                     message or a tie",
                ),
                ParamInfo::int(
                    "round_ms",
                    1,
                    10_000,
                    10,
                    "length of a synchronous round; must exceed the network's maximum delay, \
                     or a slow correct message counts as missing",
                ),
            ],
            invariants: describe(&properties()),
            adversaries: ADVERSARIES.to_vec(),
            needs_detector: false,
        }
    }

    fn check(&self, params: &Params, n: usize) -> Result<(), SpecError> {
        let m = params.int("m") as usize;
        let commander = params.int("commander") as usize;
        if !(2..=64).contains(&n) {
            return Err(SpecError::new(
                "nodes",
                format!("Byzantine agreement needs 2 to 64 nodes, found {n}"),
            ));
        }
        if commander >= n {
            return Err(SpecError::new(
                "params.commander",
                format!("node {commander} does not exist: expected 0 to {}", n - 1),
            ));
        }
        if m + 2 > n {
            return Err(SpecError::new(
                "params.m",
                format!("OM({m}) relays through m lieutenants plus one receiver: expected m ≤ {} for {n} nodes", n - 2),
            ));
        }
        let messages = message_count(n as u64, m as u64);
        if messages > MAX_MESSAGES {
            return Err(SpecError::new(
                "params.m",
                format!("OM({m}) with {n} nodes sends {messages} messages per run: at most {MAX_MESSAGES} are supported"),
            ));
        }
        Ok(())
    }

    fn run(&self, spec: &RunSpec) -> RunReport {
        sim_core::Engine::new(Self::build(spec), spec.seed).run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::Integrity;
    use crate::registry::ParamValue;
    use crate::testing::{spec, sweep, violated};
    use sim_core::faults::ByzantineSpec;
    use sim_core::{DelayDist, Engine, FaultSpec, Outcome, Property, Time};

    fn om(n: usize, m: i64, adversary: &str) -> RunSpec {
        let mut s = spec(
            &OralMessages,
            n,
            &[("m", ParamValue::Int(m)), ("values", ParamValue::Int(4))],
        );
        s.adversary = adversary.to_string();
        s
    }

    fn traitors(count: u32) -> FaultSpec {
        FaultSpec {
            byzantine: Some(ByzantineSpec { count, nodes: None }),
            ..FaultSpec::default()
        }
    }

    /// Runs one seed and keeps the engine, to look at the processes afterwards.
    fn engine(s: &RunSpec, seed: u64) -> Engine<Om> {
        let mut e = Engine::new(OralMessages::build(s), seed);
        e.run();
        e
    }

    #[test]
    fn without_traitors_every_lieutenant_obeys_the_order() {
        let mut orders = BTreeSet::new();
        for (n, m) in [(4, 1), (7, 2), (5, 0)] {
            let s = om(n, m, "equivocate");
            for seed in 0..20 {
                let mut e = Engine::new(OralMessages::build(&s), seed);
                let r = e.run();
                assert_eq!(r.outcome, Outcome::Ok, "n = {n}, seed {seed}");
                let order = e.states()[0].order.expect("the commander orders");
                orders.insert(order);
                for (i, p) in e.states().iter().enumerate().skip(1) {
                    assert_eq!(p.decision, Some(order), "n = {n}, seed {seed}, node {i}");
                }
            }
        }
        assert!(
            orders.len() > 1,
            "orders should vary with the seed: {orders:?}"
        );
    }

    #[test]
    fn more_than_three_m_nodes_tolerate_m_traitors_of_every_kind() {
        for adversary in ADVERSARIES {
            for (n, m, count, seeds) in [(4, 1, 1, 0..300), (7, 2, 2, 0..100)] {
                let reports = sweep(&OralMessages, &om(n, m, adversary), &traitors(count), seeds);
                let v = violated(&reports);
                assert!(v.is_empty(), "{adversary}, n = {n}, m = {m}: {v:?}");
            }
        }
    }

    #[test]
    fn three_generals_with_one_traitor_break_validity() {
        // The traitor must be a lieutenant and the order not RETREAT; a traitor commander
        // cannot split two loyal lieutenants, who see the same pair of values.
        for adversary in ADVERSARIES {
            let reports = sweep(&OralMessages, &om(3, 1, adversary), &traitors(1), 0..200);
            let v = violated(&reports);
            assert!(
                v.get("validity").copied().unwrap_or(0) > 0,
                "{adversary}: {v:?}"
            );
            assert!(!v.contains_key("agreement"), "{adversary}: {v:?}");
        }
    }

    #[test]
    fn more_traitors_than_m_are_caught() {
        let reports = sweep(&OralMessages, &om(7, 1, "mix"), &traitors(3), 0..300);
        let v = violated(&reports);
        assert!(
            v.contains_key("agreement") || v.contains_key("validity"),
            "{v:?}"
        );
    }

    fn commander_is_traitor(adversary: &str, n: usize, seed: u64) -> (u64, Vec<Option<u64>>) {
        let mut s = om(n, 1, adversary);
        s.plan.byzantine = vec![0];
        let e = engine(&s, seed);
        let order = e.states()[0]
            .order
            .expect("a traitor commander still runs the code");
        let heard = e.states()[1..]
            .iter()
            .map(|p| p.received(&Path::root(0)))
            .collect();
        (order, heard)
    }

    #[test]
    fn equivocate_tells_half_the_peers_another_value() {
        for seed in 0..10 {
            let (v, heard) = commander_is_traitor("equivocate", 5, seed);
            let other = (v + 1) % 4;
            assert_eq!(heard, vec![Some(v), Some(v), Some(other), Some(other)]);
        }
    }

    #[test]
    fn lie_tells_everyone_the_same_wrong_value() {
        for seed in 0..10 {
            let (v, heard) = commander_is_traitor("lie", 5, seed);
            assert_eq!(heard, vec![Some((v + 1) % 4); 4]);
        }
        // A lying lieutenant misreports what it heard, to everyone alike.
        let mut s = om(4, 1, "lie");
        s.plan.byzantine = vec![2];
        let e = engine(&s, 3);
        let heard = e.states()[2].received(&Path::root(0)).unwrap();
        let relayed = Path::from_nodes(&[0, 2]).unwrap();
        for i in [1, 3] {
            assert_eq!(e.states()[i].received(&relayed), Some((heard + 1) % 4));
        }
    }

    #[test]
    fn silent_sends_nothing() {
        let (_, heard) = commander_is_traitor("silent", 5, 1);
        assert_eq!(heard, vec![None; 4]);
    }

    #[test]
    fn mix_forwards_drops_flips_and_invents() {
        let (mut forwarded, mut dropped, mut flipped, mut other) = (0, 0, 0, 0);
        for seed in 0..40 {
            let (v, heard) = commander_is_traitor("mix", 5, seed);
            for h in heard {
                match h {
                    None => dropped += 1,
                    Some(x) if x == v => forwarded += 1,
                    Some(x) if x == (v + 1) % 4 => flipped += 1,
                    Some(x) => {
                        assert!(x < 4);
                        other += 1;
                    }
                }
            }
        }
        assert!(
            forwarded > 0 && dropped > 0 && flipped > 0 && other > 0,
            "{forwarded} {dropped} {flipped} {other}"
        );
    }

    #[test]
    fn late_messages_count_as_retreat() {
        // Rounds shorter than the delay: every message is late, so every lieutenant
        // retreats, which breaks validity whenever the loyal commander ordered otherwise.
        let mut s = spec(&OralMessages, 4, &[("round_ms", ParamValue::Int(2))]);
        s.network.default.delay = DelayDist::Constant(Duration::from_millis(5));
        let mut broken = 0;
        for seed in 0..20 {
            let mut e = Engine::new(OralMessages::build(&s), seed);
            let r = e.run();
            let order = e.states()[0].order.unwrap();
            // (A violation stops the run, so some lieutenants may not have decided yet.)
            let decided: Vec<u64> = e.states()[1..].iter().filter_map(|p| p.decision).collect();
            assert!(!decided.is_empty() && decided.iter().all(|&d| d == DEFAULT));
            assert_eq!(r.violations.is_empty(), order == DEFAULT, "seed {seed}");
            broken += usize::from(!r.violations.is_empty());
        }
        assert!(broken > 0);
    }

    #[test]
    fn majority_needs_more_than_half() {
        assert_eq!(majority(&[]), DEFAULT);
        assert_eq!(majority(&[3]), 3);
        assert_eq!(majority(&[1, 1, 0]), 1);
        assert_eq!(majority(&[0, 1, 1]), 1);
        assert_eq!(majority(&[2, 1]), DEFAULT);
        assert_eq!(majority(&[2, 2, 1, 1]), DEFAULT);
        assert_eq!(majority(&[1, 2, 1, 3, 1]), 1);
    }

    #[test]
    fn resolve_folds_the_tree_by_majority() {
        // n = 4, OM(1), seen by lieutenant 1: the commander said 1, lieutenant 2 relays 1,
        // lieutenant 3 (a traitor) relays 0: two out of three win.
        let mut p = Om::new(0, 1, 2, Duration::from_millis(10));
        let path = |nodes: &[NodeId]| Path::from_nodes(nodes).unwrap();
        p.received.insert(path(&[0]), 1);
        p.received.insert(path(&[0, 2]), 1);
        p.received.insert(path(&[0, 3]), 0);
        assert_eq!(p.resolve(4, 1, Path::root(0)), 1);
        // Lieutenant 2's relay missing counts as RETREAT: 1, 0, 0.
        p.received.remove(&path(&[0, 2]));
        assert_eq!(p.resolve(4, 1, Path::root(0)), DEFAULT);
        // OM(2), n = 5, lieutenant 1: the subtree of 2 is itself decided by majority.
        let mut q = Om::new(0, 2, 2, Duration::from_millis(10));
        q.received.insert(path(&[0]), 1);
        for relay in [2, 3, 4] {
            q.received.insert(path(&[0, relay]), 1);
            for other in [2, 3, 4].into_iter().filter(|&o| o != relay) {
                q.received.insert(path(&[0, relay, other]), 1);
            }
        }
        // Lieutenant 2 tells 1 "0", but 3 and 4 both say 2 told them 1.
        q.received.insert(path(&[0, 2]), 0);
        assert_eq!(q.resolve(5, 1, path(&[0, 2])), 1);
        assert_eq!(q.resolve(5, 1, Path::root(0)), 1);
    }

    #[test]
    fn forged_and_malformed_paths_are_ignored() {
        let s = om(4, 1, "equivocate");
        let mut e = Engine::new(OralMessages::build(&s), 0);
        e.run();
        let p = &e.states()[1];
        // Lieutenant 1 only stores paths from the commander, ending with their sender,
        // without itself, and no longer than m + 1.
        for path in p.received.keys() {
            assert_eq!(path.first(), 0);
            assert!(!path.contains(1) && path.len() <= 2);
        }
        assert_eq!(p.received.len(), 3);
        assert!(Path::from_nodes(&[0, 2, 2]).is_some_and(|q| !q.well_formed(4)));
        assert!(Path::from_nodes(&[0, 4]).is_some_and(|q| !q.well_formed(4)));
    }

    fn world_states() -> Vec<Om> {
        (0..4)
            .map(|_| Om::new(0, 1, 2, Duration::from_millis(10)))
            .collect()
    }

    #[test]
    fn validity_judges_hand_built_histories() {
        let states = world_states();
        let up = [true; 4];
        let never = [false; 4];
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let mut v = CommanderValidity::default();
        assert!(v.observe(&w, 0, &Obs::Order(1)).is_ok());
        assert!(v.observe(&w, 1, &Obs::Decide(1)).is_ok());
        let err = v.observe(&w, 2, &Obs::Decide(0)).unwrap_err();
        assert!(
            err.contains("lieutenant 2 decided 0") && err.contains("ordered 1"),
            "{err}"
        );

        // A traitor lieutenant's decision means nothing.
        let byz3 = [false, false, false, true];
        let w3 = World::new(Time::ZERO, &states, &up, &never, &byz3);
        let mut v = CommanderValidity::default();
        v.observe(&w3, 0, &Obs::Order(1)).unwrap();
        assert!(v.observe(&w3, 3, &Obs::Decide(0)).is_ok());

        // With a traitor commander there is no order to obey.
        let byz0 = [true, false, false, false];
        let w0 = World::new(Time::ZERO, &states, &up, &never, &byz0);
        let mut v = CommanderValidity::default();
        v.observe(&w0, 0, &Obs::Order(1)).unwrap();
        assert!(v.observe(&w0, 1, &Obs::Decide(0)).is_ok());

        // Deciding before a loyal commander ordered anything is a violation too.
        let mut v = CommanderValidity::default();
        assert!(v.observe(&w, 1, &Obs::Decide(1)).is_err());
    }

    #[test]
    fn agreement_integrity_and_termination_judge_hand_built_histories() {
        let states = world_states();
        let up = [true; 4];
        let never = [false; 4];
        let byz3 = [false, false, false, true];
        let w = World::new(Time::ZERO, &states, &up, &never, &never);
        let w3 = World::new(Time::ZERO, &states, &up, &never, &byz3);

        // Agreement is among loyal lieutenants: the commander's order is no decision.
        let mut a = Agreement::default();
        assert!(Property::<Om>::observe(&mut a, &w3, 0, &Obs::Order(0)).is_ok());
        assert!(Property::<Om>::observe(&mut a, &w3, 1, &Obs::Decide(1)).is_ok());
        assert!(Property::<Om>::observe(&mut a, &w3, 3, &Obs::Decide(0)).is_ok());
        assert!(Property::<Om>::observe(&mut a, &w3, 2, &Obs::Decide(1)).is_ok());
        assert!(Property::<Om>::observe(&mut a, &w, 3, &Obs::Decide(0)).is_err());

        // Integrity: a loyal lieutenant decides once; a traitor's decisions mean nothing.
        let mut i = Integrity::default();
        assert!(Property::<Om>::observe(&mut i, &w3, 1, &Obs::Decide(1)).is_ok());
        assert!(Property::<Om>::observe(&mut i, &w3, 3, &Obs::Decide(1)).is_ok());
        assert!(Property::<Om>::observe(&mut i, &w3, 3, &Obs::Decide(0)).is_ok());
        assert!(Property::<Om>::observe(&mut i, &w3, 1, &Obs::Decide(1)).is_err());

        // Termination: lieutenant 3 never decides; fine only if it is a traitor.
        let mut t = LieutenantsDecide::default();
        for node in [1, 2] {
            t.observe(&w, node, &Obs::Decide(1)).unwrap();
        }
        let err = t.finish(&w).unwrap_err();
        assert!(err.contains("node 3 never decided"), "{err}");
        assert!(t.finish(&w3).is_ok());

        // Which traitor placement a run tried.
        let byz0 = [true, false, false, false];
        let w0 = World::new(Time::ZERO, &states, &up, &never, &byz0);
        let mut commander = TraitorIs { commander: true };
        let mut lieutenant = TraitorIs { commander: false };
        assert!(commander.finish(&w0).is_ok() && lieutenant.finish(&w0).is_err());
        assert!(commander.finish(&w3).is_err() && lieutenant.finish(&w3).is_ok());
        assert!(commander.finish(&w).is_err() && lieutenant.finish(&w).is_err());
    }

    #[test]
    fn check_refuses_impossible_setups() {
        let info = OralMessages.info();
        let params = |m: i64, commander: i64| {
            let given = [
                ("m".to_string(), ParamValue::Int(m)),
                ("commander".to_string(), ParamValue::Int(commander)),
            ]
            .into_iter()
            .collect();
            Params::resolve(&info, &given).unwrap()
        };
        assert!(OralMessages.check(&params(1, 0), 3).is_ok());
        assert_eq!(
            OralMessages.check(&params(2, 0), 3).unwrap_err().key,
            "params.m"
        );
        assert_eq!(
            OralMessages.check(&params(1, 4), 4).unwrap_err().key,
            "params.commander"
        );
        assert_eq!(
            OralMessages.check(&params(6, 0), 40).unwrap_err().key,
            "params.m"
        );
        assert_eq!(message_count(4, 1), 3 + 3 * 2);
        assert_eq!(message_count(7, 2), 6 + 6 * 5 + 6 * 5 * 4);
    }
}
