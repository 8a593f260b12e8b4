//! Liveness over the whole state graph: an `eventually` property (termination, say) is judged in a
//! state by its `finish`, and it fails on a run that never reaches a state where it holds. Such a
//! run either stops in a state where nothing more must happen (a deadlock, or only optional steps
//! left: a crash, a loss), or goes round a cycle forever. A cycle counts only if the scenario's
//! fairness allows it: a message continuously deliverable is delivered in the end (on links that do
//! not lose messages), an armed timer fires, a pending failure-detector notice arrives, a crashed
//! node that may recover recovers. So the search builds the graph of every reachable state, then,
//! per property, finds the strongly connected components among the states where it does not hold
//! and keeps one whose every continuously enabled obligation is taken inside it (weak fairness: if
//! a component fails this, so does every cycle within it). The counterexample is a lasso: a
//! shortest stem to the component and a loop through it that takes each such obligation once.
//!
//! The graph holds every state's fingerprint, edges and obligations, so this costs more
//! memory than the safety search; it runs only for protocols whose `eventually` properties a
//! search can follow (declared explorable), after the safety search completed, without symmetry.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::Hash;

use sim_core::engine::guarded;
use sim_core::{Process, PropertyKind, SearchMonitor, World};

use crate::describe;
use crate::draws::{Branches, Taken};
use crate::limits::{Limits, Progress};
use crate::model::Model;
use crate::report::{Counterexample, LivenessFigures};
use crate::state::{hash_of, State};
use crate::stepper::{enabled, Stepper};
use crate::timed;
use crate::transition::Transition;

/// How often (in states) the caller's `stop` is asked.
const POLL_EVERY: u64 = 1024;

/// A liveness counterexample: the steps from the initial state and where the loop starts
/// (`None`: the run stops at the last step, where nothing more must happen).
pub(crate) struct Lasso {
    pub monitor: usize,
    pub message: String,
    pub path: Vec<Taken>,
    pub loop_start: Option<usize>,
}

impl Lasso {
    /// As a counterexample of the liveness model `model`: its steps described, and timed
    /// as a run that follows the stem and one turn of the loop (the property is then judged at
    /// the run's end).
    pub(crate) fn counterexample<P>(self, model: &Model<P>) -> Counterexample
    where
        P: Process + Clone,
    {
        let (steps, _) = describe::path(model, &self.path);
        Counterexample {
            property: model.monitors[self.monitor].name.to_string(),
            message: self.message,
            steps,
            run: Box::new(timed::timed(model, &self.path, model.config.duration)),
            loop_start: self.loop_start,
            liveness: true,
            panicked: false,
        }
    }
}

/// What the liveness search found.
pub(crate) enum Verdict {
    /// No reachable fair cycle or final state breaks a checked `eventually` property.
    Holds,
    Violated(Lasso),
    /// A limit stopped the graph before every state was in it (which limit).
    Limit(String),
}

/// One transition of the graph.
#[derive(Clone, Copy)]
struct Edge {
    to: u32,
    /// What it does, named across states (see [`ident`]).
    ident: u64,
    t: Taken,
}

/// The reachable state graph.
struct Graph {
    /// Per state: its first parent and the transition from it (breadth-first: a shortest
    /// path), `u32::MAX` for the initial state.
    parent: Vec<(u32, Taken)>,
    /// Per state, its edges: `edges[first[i]..first[i + 1]]`.
    first: Vec<u32>,
    edges: Vec<Edge>,
    /// Per state, the obligations enabled in it (sorted idents).
    owed: Vec<Vec<u64>>,
    /// Per state and monitor, whether the property holds there (its `finish` passes).
    holds: Vec<Vec<bool>>,
    /// Per state and monitor, the property's verdict where it does not hold.
    why: BTreeMap<(u32, usize), String>,
}

/// Builds the graph of `model` and looks for a lasso breaking one of its `eventually`
/// properties (in the model's order).
pub(crate) fn check<P>(
    model: &Model<P>,
    limits: &Limits,
    stop: &mut dyn FnMut(&Progress) -> Option<String>,
    figures: &mut LivenessFigures,
) -> Verdict
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    let graph = match build(model, limits, stop) {
        Ok(g) => g,
        Err(limit) => return Verdict::Limit(limit),
    };
    figures.states = graph.parent.len() as u64;
    figures.edges = graph.edges.len() as u64;
    let live =
        (0..model.monitors.len()).filter(|&i| model.monitors[i].kind == PropertyKind::Eventually);
    for monitor in live {
        if let Some(lasso) = violation(&graph, monitor, figures) {
            return Verdict::Violated(lasso);
        }
    }
    Verdict::Holds
}

/// Breadth-first over every reachable state, keeping the edges; `Err` names the limit that
/// stopped it.
fn build<P>(
    model: &Model<P>,
    limits: &Limits,
    stop: &mut dyn FnMut(&Progress) -> Option<String>,
) -> Result<Graph, String>
where
    P: Process + Clone + Hash,
    P::Stable: Hash,
{
    let mut stepper = Stepper::new(model);
    let (initial, _) = stepper.initial();
    let mut ids: BTreeMap<u64, u32> = BTreeMap::new();
    ids.insert(fingerprint(model, &initial), 0);
    let mut g = Graph {
        parent: vec![(
            u32::MAX,
            Taken {
                t: Transition::Notice(u32::MAX),
                plan: 0,
            },
        )],
        first: Vec::new(),
        edges: Vec::new(),
        owed: Vec::new(),
        holds: Vec::new(),
        why: BTreeMap::new(),
    };
    let mut queue: VecDeque<(u32, u32, State<P>)> = VecDeque::from([(0, 0, initial)]);
    let mut moves = Vec::new();
    let mut progress = Progress::default();
    // Ids are given in breadth-first order, so states come off the queue in id order.
    while let Some((id, depth, state)) = queue.pop_front() {
        if limits.max_depth.is_some_and(|d| depth >= d) {
            return Err(format!("--max-depth {depth}"));
        }
        judge(model, &state, id, &mut g);
        enabled(model, &state, &mut moves);
        g.first.push(g.edges.len() as u32);
        g.owed.push(obligations(model, &state, &moves));
        for &t in &moves {
            // Each branch of the draws an edge; all fulfil the transition's obligation.
            let ident = ident(&state, t);
            let mut branches = Branches::default();
            while let Some(plan) = branches.next() {
                let t = Taken { t, plan };
                let mut next = state.clone();
                let _ = stepper.take(&mut next, t, depth as u64 + 1);
                branches.taken(&mut stepper.choices);
                progress.states += 1;
                let fp = fingerprint(model, &next);
                let fresh = ids.len() as u32;
                let to = *ids.entry(fp).or_insert(fresh);
                if to == fresh {
                    g.parent.push((id, t));
                    queue.push_back((to, depth + 1, next));
                }
                g.edges.push(Edge { to, ident, t });
            }
        }
        progress.unique = ids.len() as u64;
        progress.depth = depth;
        if let Some(limit) = limits.states_reached(progress.unique) {
            return Err(limit);
        }
        if let Some(why) = ((id as u64 + 1).is_multiple_of(POLL_EVERY))
            .then(|| stop(&progress))
            .flatten()
        {
            return Err(why);
        }
    }
    g.first.push(g.edges.len() as u32);
    Ok(g)
}

/// The state's plain fingerprint (no symmetry: the loop is replayed state by state).
fn fingerprint<P>(model: &Model<P>, s: &State<P>) -> u64
where
    P: Process + Hash,
    P::Stable: Hash,
{
    s.fingerprint(&model.config.may_crash, model.config.crash_budget)
}

/// Records, for state `id`, whether each `eventually` property holds there.
fn judge<P: Process>(model: &Model<P>, s: &State<P>, id: u32, g: &mut Graph) {
    let world = s.world();
    let mut holds = Vec::with_capacity(s.monitors().len());
    for (i, monitor) in s.monitors().iter().enumerate() {
        if model.monitors[i].kind != PropertyKind::Eventually {
            holds.push(true);
            continue;
        }
        match judge_end(monitor.as_ref(), &world) {
            Ok(()) => holds.push(true),
            Err(message) => {
                holds.push(false);
                g.why.insert((id, i), message);
            }
        }
    }
    g.holds.push(holds);
}

/// What `t` does, named the same in every state: the message (link and content), the timer
/// (node and tag), the notice; a crash or a recovery by its node.
fn ident<P: Process>(s: &State<P>, t: Transition) -> u64 {
    match t {
        Transition::Deliver(i) | Transition::Lose(i) => {
            let e = &s.net[i as usize];
            hash_of(&(0u8, e.from(), e.to(), e.hash()))
        }
        Transition::Fire { node, index } => {
            let timer = &s.armed(node as usize)[index as usize];
            hash_of(&(1u8, node, timer.hash))
        }
        Transition::Notice(i) => {
            let n = s.notices()[i as usize];
            hash_of(&(2u8, n.to, n.about, n.restore))
        }
        Transition::Crash { node, .. } => hash_of(&(3u8, node)),
        Transition::Recover(node) => hash_of(&(4u8, node)),
        Transition::Start(placement) => hash_of(&(5u8, placement)),
    }
}

/// Whether `t` must happen in the end (weak fairness): a delivery on a link that does not lose
/// messages, a timer, a notice, the recovery of a crashed node that may recover (a scenario's
/// `recover_after` brings every crashed node back). A loss and a crash may never happen.
fn is_obligation<P: Process>(model: &Model<P>, s: &State<P>, t: Transition) -> bool {
    match t {
        Transition::Deliver(i) => {
            let e = &s.net[i as usize];
            !model.config.link(e.from(), e.to()).lossy
        }
        Transition::Fire { .. }
        | Transition::Notice(_)
        | Transition::Recover(_)
        | Transition::Start(_) => true,
        Transition::Lose(_) | Transition::Crash { .. } => false,
    }
}

/// The obligations enabled in `s` (sorted, by [`ident`]).
fn obligations<P: Process>(model: &Model<P>, s: &State<P>, moves: &[Transition]) -> Vec<u64> {
    let owed: BTreeSet<u64> = (moves.iter())
        .filter(|&&t| is_obligation(model, s, t))
        .map(|&t| ident(s, t))
        .collect();
    owed.into_iter().collect()
}

/// Whether anything must still happen in `s` (some move of `moves` is an obligation): a run
/// may stop only where nothing must.
pub(crate) fn owes_anything<P: Process>(
    model: &Model<P>,
    s: &State<P>,
    moves: &[Transition],
) -> bool {
    moves.iter().any(|&t| is_obligation(model, s, t))
}

/// The first `eventually` property of `model` (in its order) that does not hold in `s`, with
/// its verdict: in a state where nothing more must happen, a run that stops there breaks it.
pub(crate) fn unmet<P: Process>(model: &Model<P>, s: &State<P>) -> Option<(usize, String)> {
    let world = s.world();
    (s.monitors().iter().enumerate())
        .filter(|&(i, _)| model.monitors[i].kind == PropertyKind::Eventually)
        .find_map(|(i, monitor)| {
            judge_end(monitor.as_ref(), &world)
                .err()
                .map(|message| (i, message))
        })
}

/// `monitor`'s verdict on a run ending at `world` (judged on a copy, so the state's own
/// monitor stays as it was); a panic in its judgement is its verdict, as under the engine.
pub(crate) fn judge_end<P: Process>(
    monitor: &dyn SearchMonitor<P>,
    world: &World<'_, P>,
) -> Result<(), String> {
    let mut copy = monitor.copy();
    guarded(|| copy.finish(world).map_err(|why| why.message))
        .unwrap_or_else(|why| Err(format!("the property panicked judging the end: {why}")))
}

/// A fair component's states and one edge inside it per obligation.
type Cycle = (Vec<u32>, Vec<u32>);

/// The shallowest violation of `monitor`: a state where it does not hold and nothing more
/// must happen, or a fair cycle among states where it does not hold (entered at its state
/// nearest the initial one).
fn violation(g: &Graph, monitor: usize, figures: &mut LivenessFigures) -> Option<Lasso> {
    let bad = |s: usize| !g.holds[s][monitor];
    let n = g.parent.len();
    let stop = (0..n).find(|&s| bad(s) && g.owed[s].is_empty());
    // The entry state, and for a cycle: its component and one edge per obligation.
    let mut best: Option<(u32, Option<Cycle>)> = stop.map(|s| (s as u32, None));
    for component in components(g, &bad) {
        figures.cycles += 1;
        let Some(owed) = unfulfilled(g, &component) else {
            figures.unfair += 1;
            continue;
        };
        let entry = component[0];
        if best.as_ref().is_none_or(|(s, _)| entry < *s) {
            let must = owed_edges(g, &component, &owed);
            best = Some((entry, Some((component, must))));
        }
    }
    let (entry, cycle) = best?;
    let mut path = path_to(g, entry);
    let loop_start = cycle.as_ref().map(|_| path.len());
    if let Some((component, must)) = cycle {
        let members: BTreeSet<u32> = component.into_iter().collect();
        path.extend(closed_walk(g, entry, &must, &members));
    }
    Some(Lasso {
        monitor,
        message: g.why[&(entry, monitor)].clone(),
        path,
        loop_start,
    })
}

/// The transitions from the initial state to `id` (a shortest path).
fn path_to(g: &Graph, mut id: u32) -> Vec<Taken> {
    let mut path = Vec::new();
    while id != 0 {
        let (parent, t) = g.parent[id as usize];
        path.push(t);
        id = parent;
    }
    path.reverse();
    path
}

fn out_edges(g: &Graph, s: u32) -> &[Edge] {
    &g.edges[g.first[s as usize] as usize..g.first[s as usize + 1] as usize]
}

/// The strongly connected components with a cycle among the states `keep` selects (Tarjan's,
/// iterative), each as its states in increasing id order; components in a fixed order.
fn components(g: &Graph, keep: &dyn Fn(usize) -> bool) -> Vec<Vec<u32>> {
    let n = g.parent.len();
    let (mut index, mut low) = (vec![u32::MAX; n], vec![0u32; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut found) = (Vec::new(), Vec::new());
    let mut next = 0u32;
    for root in (0..n).filter(|&s| keep(s)) {
        if index[root] != u32::MAX {
            continue;
        }
        // Each frame: a state and how many of its edges were looked at.
        let mut frames: Vec<(u32, usize)> = vec![(root as u32, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut seen)) = frames.last_mut() {
            let edges = out_edges(g, v);
            if let Some(e) = edges.get(*seen) {
                *seen += 1;
                let w = e.to as usize;
                if !keep(w) {
                    continue;
                }
                if index[w] == u32::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    frames.push((w as u32, 0));
                } else if on_stack[w] {
                    low[v as usize] = low[v as usize].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = component.len() > 1 || out_edges(g, v).iter().any(|e| e.to == v);
                if cyclic {
                    component.sort_unstable();
                    found.push(component);
                }
            }
        }
    }
    found.sort();
    found
}

/// The obligations enabled in every state of `component`, if each is taken by an edge inside
/// it (then the component is fair); `None` if one is not.
fn unfulfilled(g: &Graph, component: &[u32]) -> Option<Vec<u64>> {
    let members: BTreeSet<u32> = component.iter().copied().collect();
    let mut always: BTreeSet<u64> = g.owed[component[0] as usize].iter().copied().collect();
    for &s in &component[1..] {
        let here: BTreeSet<u64> = g.owed[s as usize].iter().copied().collect();
        always = always.intersection(&here).copied().collect();
    }
    let taken: BTreeSet<u64> = (component.iter())
        .flat_map(|&s| out_edges(g, s).iter())
        .filter(|e| members.contains(&e.to))
        .map(|e| e.ident)
        .collect();
    always
        .is_subset(&taken)
        .then(|| always.into_iter().collect())
}

/// One edge inside `component` for each obligation in `owed`: (from, index among its edges).
fn owed_edges(g: &Graph, component: &[u32], owed: &[u64]) -> Vec<u32> {
    let members: BTreeSet<u32> = component.iter().copied().collect();
    let mut chosen = Vec::new();
    for &o in owed {
        let found = component.iter().find_map(|&s| {
            let first = g.first[s as usize];
            (out_edges(g, s).iter().enumerate())
                .find(|(_, e)| e.ident == o && members.contains(&e.to))
                .map(|(k, _)| first + k as u32)
        });
        chosen.extend(found);
    }
    chosen
}

/// A walk inside `members` from `entry` back to it taking every edge in `must` (edge indices),
/// at least one step long.
fn closed_walk(g: &Graph, entry: u32, must: &[u32], members: &BTreeSet<u32>) -> Vec<Taken> {
    let mut walk = Vec::new();
    let mut at = entry;
    for &edge in must {
        let from = g.first.partition_point(|&f| f <= edge) as u32 - 1;
        walk.extend(route(g, at, from, members));
        let e = g.edges[edge as usize];
        walk.push(e.t);
        at = e.to;
    }
    if walk.is_empty() || at != entry {
        // Leave the entry by an edge inside the component, then come back.
        if walk.is_empty() {
            let first = g.first[entry as usize];
            let k = (out_edges(g, entry).iter())
                .position(|e| members.contains(&e.to))
                .expect("a cyclic component leaves every state inside it");
            let e = g.edges[(first as usize) + k];
            walk.push(e.t);
            at = e.to;
        }
        walk.extend(route(g, at, entry, members));
    }
    walk
}

/// A shortest route inside `members` from `from` to `to` (empty if they are the same).
fn route(g: &Graph, from: u32, to: u32, members: &BTreeSet<u32>) -> Vec<Taken> {
    if from == to {
        return Vec::new();
    }
    let mut came: BTreeMap<u32, (u32, Taken)> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(s) = queue.pop_front() {
        for e in out_edges(g, s) {
            if !members.contains(&e.to) || e.to == from || came.contains_key(&e.to) {
                continue;
            }
            came.insert(e.to, (s, e.t));
            if e.to == to {
                let mut steps = Vec::new();
                let mut at = to;
                while at != from {
                    let (prev, t) = came[&at];
                    steps.push(t);
                    at = prev;
                }
                steps.reverse();
                return steps;
            }
            queue.push_back(e.to);
        }
    }
    Vec::new()
}
