//! Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS
//! 2010) as a [`Scheduler`] of sampled runs.
//!
//! **Threads are nodes.** PCT schedules threads; here a thread is the node whose handler a
//! transition runs (a delivery's receiver, a timer's node, a notice's receiver, a recovering
//! node). A node runs one handler at a time, atomically, and its handlers are totally ordered,
//! as a thread's steps are; what differs between interleavings is which node runs next, which
//! is what priorities decide. (The sender would be the wrong thread: a handler's effects
//! happen at the receiver, and one sender's messages to different nodes race with each other.)
//! Which of a node's own pending events it handles next (two messages from different senders)
//! PCT does not decide; it is drawn uniformly.
//!
//! **The algorithm, per run.** The `n` nodes get the distinct priorities `d..d+n-1` in a
//! random order; `d - 1` change points are drawn uniformly among steps `1..=k`, the `i`-th
//! labelled with priority `i` (below every initial one). Each step runs an event of the
//! highest-priority node that has one; at a change point, that node first drops to the point's
//! priority (and the highest-priority node is chosen again). For a program with `n` threads
//! and `k` steps, each run then finds a given bug of depth `d` (one that needs `d` ordering
//! constraints between steps) with probability at least `1/(n·k^(d-1))`.
//!
//! **Faults.** A loss, a crash (within the scenario's budget) and a second delivery of a
//! message on a duplicating link belong to no node: they are the environment's. At each step,
//! if any is enabled, one is taken instead of the scheduled event with probability `1/k`, drawn
//! uniformly among them: about one fault per run, at a uniformly random step, as a change point
//! is placed. The bound above holds for bugs that need no fault; a bug that needs one more
//! specific fault is found with probability smaller by a factor of about `k` times the number
//! of faults enabled at that step. When no node has an event, a fault is still taken with
//! probability `1/k` (a crash after everything settled), else the run ends.

use super::walk::{Actor, Scheduler};
use crate::rng::WalkRng;
use crate::strategy::MAX_BUG_DEPTH;
use crate::transition::Transition;

/// Up to this many change points are drawn one by one until distinct, as they always were
/// (so the runs of bug depths up to one more are what they were), even on most of a short
/// run's steps: a few hundred draws at worst.
const FEW_CHANGE_POINTS: u32 = 64;

/// PCT's scheduler for bug depth `d`.
pub(crate) struct Pct {
    bug_depth: u32,
    /// Per node, its priority now (higher runs first).
    priority: Vec<u32>,
    /// The run's change points: (step, the priority the node running then drops to).
    changes: Vec<(u32, u32)>,
    /// The steps the run aims at.
    k: u32,
    /// Indexes of the enabled faults, or of the chosen node's events (reused).
    picks: Vec<usize>,
}

impl Pct {
    /// A scheduler aiming at bugs of depth `bug_depth` (from 1 to [`MAX_BUG_DEPTH`]; outside,
    /// the nearest).
    pub(crate) fn new(bug_depth: u32) -> Self {
        Pct {
            bug_depth: bug_depth.clamp(1, MAX_BUG_DEPTH),
            priority: Vec::new(),
            changes: Vec::new(),
            k: 1,
            picks: Vec::new(),
        }
    }

    /// `points` change points, many and most of the `k` steps (`k` is then under twice
    /// [`MAX_BUG_DEPTH`]): the first `points` of a shuffle of them all, labelled in that
    /// order, as drawing distinct steps one by one would give, without its retries.
    fn draw_most_steps(&mut self, rng: &mut WalkRng, points: u32) {
        let mut steps: Vec<u32> = (1..=self.k).collect();
        for i in 0..points as usize {
            let j = i + rng.below((steps.len() - i) as u64) as usize;
            steps.swap(i, j);
        }
        let drawn = steps.into_iter().take(points as usize);
        self.changes.extend(drawn.zip(1..));
    }

    /// The enabled node with the highest priority.
    fn top(&self, actors: &[Actor]) -> Option<usize> {
        (actors.iter())
            .filter_map(|a| match *a {
                Actor::Node(n) => Some(n),
                Actor::Fault => None,
            })
            .max_by_key(|&n| self.priority[n])
    }

    /// Uniformly one of the moves whose actor is `actor`.
    fn pick(&mut self, rng: &mut WalkRng, actors: &[Actor], actor: Actor) -> Option<usize> {
        self.picks.clear();
        let matching = (actors.iter().enumerate()).filter(|(_, a)| **a == actor);
        self.picks.extend(matching.map(|(i, _)| i));
        if self.picks.is_empty() {
            return None;
        }
        Some(self.picks[rng.below(self.picks.len() as u64) as usize])
    }
}

impl Scheduler for Pct {
    fn begin(&mut self, rng: &mut WalkRng, nodes: usize, k: u32) {
        let d = self.bug_depth;
        self.k = k.max(1);
        self.priority.clear();
        self.priority.extend((0..nodes as u32).map(|i| d + i));
        // Fisher-Yates: every assignment of the initial priorities equally likely.
        for i in (1..nodes).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            self.priority.swap(i, j);
        }
        self.changes.clear();
        let points = (d - 1).min(self.k);
        if points > FEW_CHANGE_POINTS && points > self.k / 2 {
            self.draw_most_steps(rng, points);
            return;
        }
        // Few of the steps, or few points: drawn until distinct, a few draws each at most.
        for label in 1..=points {
            let step = loop {
                let step = 1 + rng.below(self.k as u64) as u32;
                if self.changes.iter().all(|&(s, _)| s != step) {
                    break step;
                }
            };
            self.changes.push((step, label));
        }
    }

    fn choose(
        &mut self,
        rng: &mut WalkRng,
        step: u32,
        _: &[Transition],
        actors: &[Actor],
    ) -> Option<usize> {
        let mut top = self.top(actors);
        if let (Some(node), Some(&(_, low))) = (top, self.changes.iter().find(|&&(s, _)| s == step))
        {
            self.priority[node] = low;
            top = self.top(actors);
        }
        let fault_enabled = actors.contains(&Actor::Fault);
        if fault_enabled && rng.below(self.k as u64) == 0 {
            return self.pick(rng, actors, Actor::Fault);
        }
        self.pick(rng, actors, Actor::Node(top?))
    }
}

#[cfg(test)]
mod tests {
    use super::Pct;
    use crate::rng::WalkRng;
    use crate::search::walk::{Actor, Scheduler};

    #[test]
    fn the_highest_priority_node_runs_until_a_change_point_lowers_it() {
        let mut pct = Pct::new(2);
        let mut rng = WalkRng::new(0, 0);
        pct.begin(&mut rng, 3, 10);
        let (change, _) = pct.changes[0];
        let actors = [Actor::Node(0), Actor::Node(1), Actor::Node(2)];
        let first = pct.top(&actors).unwrap();
        for step in 1..change {
            assert_eq!(pct.choose(&mut rng, step, &[], &actors), Some(first));
        }
        let after = pct.choose(&mut rng, change, &[], &actors).unwrap();
        assert_ne!(
            after, first,
            "the change point at step {change} lowers node {first}"
        );
        assert_eq!(
            pct.priority[first], 1,
            "below every initial priority (2..5)"
        );
    }

    /// Change points for deep bugs, on some or all of a run's steps, drawn one by one or at
    /// once: distinct steps of the run, labelled 1.. in order; a depth past the deepest is
    /// taken as the deepest.
    #[test]
    fn change_points_at_any_depth_are_distinct_steps_labelled_in_order() {
        for (depth, k) in [(1000, 10), (1000, 1500), (200, 150), (u32::MAX, 3)] {
            let mut pct = Pct::new(depth);
            pct.begin(&mut WalkRng::new(5, 1), 4, k);
            let points = (pct.bug_depth - 1).min(k);
            let mut steps: Vec<u32> = pct.changes.iter().map(|&(s, _)| s).collect();
            let labels: Vec<u32> = pct.changes.iter().map(|&(_, l)| l).collect();
            steps.sort_unstable();
            steps.dedup();
            assert_eq!(steps.len() as u32, points);
            assert!(steps.iter().all(|s| (1..=k).contains(s)));
            assert_eq!(labels, (1..=points).collect::<Vec<_>>());
            assert!(pct.priority.iter().all(|&p| p >= pct.bug_depth));
        }
    }

    #[test]
    fn initial_priorities_are_distinct_and_above_the_change_points() {
        for run in 0..50 {
            let mut pct = Pct::new(3);
            pct.begin(&mut WalkRng::new(9, run), 5, 4);
            let mut p = pct.priority.clone();
            p.sort_unstable();
            assert_eq!(p, vec![3, 4, 5, 6, 7]);
            assert_eq!(pct.changes.len(), 2);
            assert!(pct.changes.iter().all(|&(s, _)| (1..=4).contains(&s)));
            assert_ne!(pct.changes[0].0, pct.changes[1].0);
        }
    }
}
