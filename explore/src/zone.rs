//! A zone: the difference constraints between now and the times of the steps that made what
//! is still pending (a message in flight, an armed timer), kept closed, as a difference-bound
//! matrix. A state of a search that keeps time carries one (see `zone_graph`, which says what
//! each step adds to it).

use std::hash::Hasher;

use sim_core::entropy::DetHasher;

/// No constraint.
const INF: i64 = i64::MAX / 4;

/// A duration in nanoseconds as a constraint's constant (far beyond any run: no constraint).
pub(crate) fn weight(ns: u64) -> i64 {
    ns.min(INF as u64 / 4) as i64
}

/// Difference constraints `x_i - x_j <= m[i][j]`: `x_0` is now, `x_k` (k ≥ 1) the time of
/// step `steps[k - 1]` (which made something still pending). Always closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Zone {
    steps: Vec<u64>,
    m: Vec<i64>,
}

impl Zone {
    /// The zone of the start: now is the start's time, which made what is pending.
    pub(crate) fn start() -> Zone {
        Zone {
            steps: vec![0],
            m: vec![0; 4],
        }
    }

    pub(crate) fn dim(&self) -> usize {
        self.steps.len() + 1
    }

    pub(crate) fn at(&self, i: usize, j: usize) -> i64 {
        self.m[i * self.dim() + j]
    }

    /// The clock of step `born`.
    pub(crate) fn clock(&self, born: u64) -> Option<usize> {
        self.steps.iter().position(|&s| s == born).map(|k| k + 1)
    }

    /// Adds `x_i - x_j <= c` and closes; `false` if no times satisfy the constraints.
    pub(crate) fn constrain(&mut self, i: usize, j: usize, c: i64) -> bool {
        let d = self.dim();
        if self.at(j, i).saturating_add(c) < 0 {
            return false;
        }
        if c >= self.at(i, j) {
            return true;
        }
        for a in 0..d {
            let to_i = self.at(a, i);
            if to_i >= INF {
                continue;
            }
            for b in 0..d {
                let from_j = self.at(j, b);
                if from_j >= INF {
                    continue;
                }
                let via = to_i + c + from_j;
                if via < self.m[a * d + b] {
                    self.m[a * d + b] = via;
                }
            }
        }
        true
    }

    /// A new clock for step `born`, unconstrained (its time is yet to be found).
    pub(crate) fn add_step(&mut self, born: u64) {
        let d = self.dim();
        let mut m = vec![INF; (d + 1) * (d + 1)];
        for i in 0..d {
            for j in 0..d {
                m[i * (d + 1) + j] = self.at(i, j);
            }
        }
        m[d * (d + 1) + d] = 0;
        self.steps.push(born);
        self.m = m;
    }

    /// Keeps the clocks of `keep`, with now at `now` (projection of a closed zone).
    pub(crate) fn project(&mut self, now: usize, keep: &[usize]) {
        let order: Vec<usize> = std::iter::once(now).chain(keep.iter().copied()).collect();
        let d = self.dim();
        let mut m = Vec::with_capacity(order.len() * order.len());
        for &i in &order {
            m.extend(order.iter().map(|&j| self.m[i * d + j]));
        }
        self.steps = keep.iter().map(|&k| self.steps[k - 1]).collect();
        self.m = m;
    }

    /// Hashes the constraints (clocks by rank, not by step number).
    pub(crate) fn hash(&self, h: &mut DetHasher) {
        h.write_usize(self.dim());
        for &v in &self.m {
            h.write_i64(v);
        }
    }
}
