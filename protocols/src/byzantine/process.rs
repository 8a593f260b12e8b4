//! The OM(m) process. Every node runs it, traitors included (the engine passes a traitor's
//! messages through the adversary). The commander broadcasts its order; each lieutenant, at
//! the end of round k, relays every path of length k it received (or RETREAT for a missing
//! one) to the nodes not on it, and after round m + 1 folds the tree back by majority.

use std::collections::BTreeMap;

use ftsim_api::properties::Decision;
use ftsim_api::{Ctx, Duration, NodeId, Process};

use super::path::Path;

/// The value a lieutenant uses for a missing message or a tie: OM's RETREAT.
pub const DEFAULT: u64 = 0;

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

#[derive(Clone, Debug, Hash)]
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

    /// The order this node gave, if it is the commander.
    pub fn order(&self) -> Option<u64> {
        self.order
    }

    pub fn decision(&self) -> Option<u64> {
        self.decision
    }

    /// What this node received for `path`, if anything arrived in time.
    pub fn received(&self, path: &Path) -> Option<u64> {
        self.received.get(path).copied()
    }

    /// Every path something arrived for in time.
    pub fn heard(&self) -> impl Iterator<Item = Path> + '_ {
        self.received.keys().copied()
    }

    /// Keeps `value` for `path` unless a copy arrived before (a duplicate changes nothing).
    pub fn record(&mut self, path: Path, value: u64) {
        self.received.entry(path).or_insert(value);
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

    /// Whether `me` should keep what `from` sent for `path`. The channel authenticates the
    /// sender, so a traitor can lie about what it heard but not speak for another node: the
    /// path must end with the sender and be one this node expects in an open round.
    fn accepts(&self, n: usize, me: NodeId, from: NodeId, path: &Path) -> bool {
        let timely = path.len() as u32 > self.closed && path.len() as u32 <= self.m + 1;
        me != self.commander
            && timely
            && path.well_formed(n)
            && path.first() == self.commander
            && path.last() == from
            && !path.contains(me)
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
        let Some(path) = path.canonical() else {
            return;
        };
        if self.accepts(ctx.n(), ctx.id(), from, &path) {
            self.record(path, value);
        }
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
