//! The searches over a model's states: breadth-first (`bfs`) and depth-first (`dfs`) over
//! every reachable state, checking safety at every step; the liveness search over the whole
//! state graph (`lasso`), after a complete exhaustive one; and sampled runs (`walk`), each step
//! chosen uniformly or by PCT's priorities (`pct`). With what only they use: the set of
//! fingerprints visited (`seen`), breadth-first's queue of states held by their parents
//! (`frontier`), the way back from each state it found (`links`), the fingerprint a search knows a state by (`fingerprint`),
//! sleep sets for partial-order reduction (`sleep`), and a violation's counterexample
//! (`counterexample`).

pub(crate) mod bfs;
pub(crate) mod counterexample;
pub(crate) mod dfs;
mod fingerprint;
mod frontier;
pub(crate) mod lasso;
mod links;
pub(crate) mod pct;
mod seen;
mod sleep;
pub(crate) mod walk;
