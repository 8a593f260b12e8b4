//! A history judged object by object. Linearizability is compositional: a history is
//! linearizable exactly when its restriction to every object (every key) is, so each key is
//! searched on its own, on several threads when asked, largest first, in rounds of growing
//! budgets. The first key refuted stops the others' searches: the verdict is known. Then the smallest non-linearizable prefix
//! is looked for across keys: the refuted key's culprit, and any other key refuted before that
//! culprit's response (each searched within [`Limits::max_steps_other_keys`], so that a hard
//! key cannot hold a known verdict back).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use super::budget::{Budget, Spent};
use super::explain::{self, Explanation};
use super::history::Operation;
use super::model::SequentialModel;
use super::prefix::{self, Culprit, WHOLE};
use super::wgl::Search;
use super::{Decision, Limit, Limits, Undecided, Verdict};

/// The step budget of every key in the first round.
const FIRST_ROUND_STEPS: u64 = 10_000;

/// One history, split by key, with the limits it is judged within.
pub(crate) struct Keys<'h, M: SequentialModel> {
    model: &'h M,
    ops: &'h [Operation<M::Input, M::Output>],
    /// Each key with its operations, in key order.
    keys: Vec<(M::Key, Vec<usize>)>,
    limits: Limits,
    deadline: Option<Instant>,
}

impl<'h, M> Keys<'h, M>
where
    M: SequentialModel,
{
    /// `ops` split by key, to be judged within `limits` (the clock starts now).
    pub(crate) fn new(
        model: &'h M,
        ops: &'h [Operation<M::Input, M::Output>],
        limits: Limits,
    ) -> Self {
        let mut keys: std::collections::BTreeMap<M::Key, Vec<usize>> = Default::default();
        for (i, op) in ops.iter().enumerate() {
            keys.entry(model.key(&op.input)).or_default().push(i);
        }
        // A wall-clock limit is set only for a file a person checks, never in a run.
        #[allow(clippy::disallowed_methods)]
        let deadline = limits.time.map(|t| Instant::now() + t);
        Keys {
            model,
            ops,
            keys: keys.into_iter().collect(),
            limits,
            deadline,
        }
    }

    /// The budget of a search, `max_steps` steps.
    fn budget<'s>(&self, max_steps: u64, stop: Option<&'s AtomicBool>) -> Budget<'s> {
        Budget {
            max_steps,
            deadline: self.deadline,
            stop,
        }
    }

    /// The verdict, explained. Keys are searched in rounds of growing budgets (from
    /// [`FIRST_ROUND_STEPS`], eight times more each round, up to [`Limits::max_steps`]), so
    /// that a key refuted in a few steps is found before hard keys take their whole budget,
    /// whatever the key order and even on one thread.
    pub(crate) fn verdict(&self) -> Verdict {
        let results = self.search_keys();
        if let Some(k) = results.iter().position(|r| *r == Search::NotLinearizable) {
            return Verdict::NotLinearizable(self.explain_refuted(k, &results));
        }
        match self.first_undecided(&results) {
            Some(undecided) => Verdict::Undecided(undecided),
            None => Verdict::Linearizable,
        }
    }

    /// The verdict alone: the first key refuted stops the search, and is named.
    pub(crate) fn decision(&self) -> Decision {
        let results = self.search_keys();
        if let Some(k) = results.iter().position(|r| *r == Search::NotLinearizable) {
            let key = self.model.describe_key(&self.keys[k].0);
            return Decision::NotLinearizable { key };
        }
        match self.first_undecided(&results) {
            Some(undecided) => Decision::Undecided(undecided),
            None => Decision::Linearizable,
        }
    }

    /// Why the first key that gave up did, if one did.
    fn first_undecided(&self, results: &[Search]) -> Option<Undecided> {
        results
            .iter()
            .enumerate()
            .find_map(|(k, result)| match result {
                Search::GaveUp(spent) => Some(self.undecided(k, *spent)),
                _ => None,
            })
    }

    /// Every key's search, in rounds (a key refuted stops the rest: they gave up, stopped).
    fn search_keys(&self) -> Vec<Search> {
        let stop = AtomicBool::new(false);
        let mut results: Vec<Option<Search>> = vec![None; self.keys.len()];
        let mut open: Vec<usize> = (0..self.keys.len()).collect();
        let mut steps = FIRST_ROUND_STEPS.min(self.limits.max_steps);
        while !open.is_empty() && !stop.load(Ordering::Relaxed) {
            if self.limits.threads > 1 {
                open.sort_by_key(|&k| std::cmp::Reverse(self.keys[k].1.len()));
            }
            let budget = self.budget(steps, Some(&stop));
            let round = par_map(self.limits.threads, &open, |k| {
                let found =
                    prefix::search_through(self.model, self.ops, &self.keys[k].1, WHOLE, budget);
                if found == Search::NotLinearizable {
                    stop.store(true, Ordering::Relaxed);
                }
                found
            });
            open.clear();
            for (k, found) in round {
                match found {
                    Search::GaveUp(Spent::Steps(_)) if steps < self.limits.max_steps => {
                        open.push(k)
                    }
                    found => results[k] = Some(found),
                }
            }
            steps = steps.saturating_mul(8).min(self.limits.max_steps);
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Search::GaveUp(Spent::Stopped)))
            .collect()
    }

    /// Why key `k`'s search gave up.
    fn undecided(&self, k: usize, spent: Spent) -> Undecided {
        let (key, key_ops) = &self.keys[k];
        let limit = match spent {
            Spent::Steps(steps) => Limit::Steps(steps),
            Spent::Time | Spent::Stopped => Limit::Time(self.limits.time.unwrap_or_default()),
        };
        let key = self.model.describe_key(key);
        let on = key
            .as_ref()
            .map(|k| format!(" on key {k}"))
            .unwrap_or_default();
        let message = match limit {
            Limit::Steps(steps) => format!(
                "the search gave up after {steps} step{}{on} ({} operations)",
                if steps == 1 { "" } else { "s" },
                key_ops.len()
            ),
            Limit::Time(t) => format!(
                "the search ran out of its {:.3} s time limit{on} ({} operations)",
                t.as_secs_f64(),
                key_ops.len()
            ),
        };
        Undecided {
            limit,
            key,
            operations: key_ops.len(),
            message,
        }
    }

    /// The explanation once key `k` was refuted (`results`: every key's first search).
    fn explain_refuted(&self, k: usize, results: &[Search]) -> Explanation {
        let budget = self.budget(self.limits.max_steps, None);
        let mut best = (k, self.culprit(k, WHOLE, budget));
        let end = self.ops[best.1.op].return_pos - 1;
        let others: Vec<usize> = (0..self.keys.len())
            .filter(|&j| j != k && !matches!(results[j], Search::Linearizable(_)))
            .collect();
        let small = self.budget(self.limits.max_steps_other_keys, None);
        let through = par_map(self.limits.threads, &others, |j| {
            prefix::search_through(self.model, self.ops, &self.keys[j].1, end, small)
        });
        let mut unjudged = Vec::new();
        for (j, found) in through {
            match found {
                Search::Linearizable(_) => {}
                Search::NotLinearizable => {
                    let c = self.culprit(j, end, small);
                    if self.ops[c.op].return_pos < self.ops[best.1.op].return_pos {
                        best = (j, c);
                    }
                }
                Search::GaveUp(_) => unjudged.push(j),
            }
        }
        let (key, key_ops) = &self.keys[best.0];
        let mut why = explain::explain(
            self.model,
            self.ops,
            (key, key_ops),
            best.1.op,
            (small, self.limits.max_configs),
        );
        let unjudged: Vec<String> = unjudged
            .iter()
            .map(|&j| self.model.describe_key(&self.keys[j].0).unwrap_or_default())
            .collect();
        why.not_known_smallest(best.1.smallest, unjudged);
        why
    }

    /// Key `k`'s culprit in its history through position `end`, known not linearizable.
    fn culprit(&self, k: usize, end: u64, budget: Budget<'_>) -> Culprit {
        let key_ops = &self.keys[k].1;
        prefix::culprit(
            self.model,
            self.ops,
            key_ops,
            end,
            (budget, self.limits.max_configs),
        )
    }
}

/// `f` of each item on up to `threads` threads (in place when one): (item, result) pairs in
/// the ascending order of the items.
fn par_map<R: Send>(
    threads: usize,
    items: &[usize],
    f: impl Fn(usize) -> R + Sync,
) -> Vec<(usize, R)> {
    let mut paired: Vec<(usize, R)> = if threads <= 1 || items.len() <= 1 {
        items.iter().map(|&i| (i, f(i))).collect()
    } else {
        let slots: Vec<Mutex<Option<(usize, R)>>> =
            items.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads.min(items.len()) {
                scope.spawn(|| loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&item) = items.get(at) else { break };
                    let result = f(item);
                    *slots[at].lock().unwrap_or_else(|e| e.into_inner()) = Some((item, result));
                });
            }
        });
        slots
            .into_iter()
            .filter_map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    };
    paired.sort_by_key(|(i, _)| *i);
    paired
}
