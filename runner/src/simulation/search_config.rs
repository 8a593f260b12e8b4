//! What a search takes from a scenario (the explorer's [`Config`]): the group, which links may
//! lose or duplicate, FIFO links, the crash budget, the detector and every placement of the
//! Byzantine nodes. A scenario asking for what a search cannot branch on (partitions,
//! omissions, clocks, slow nodes, storage faults, an explicit schedule) is refused with the
//! key at fault, never silently explored without it.

use ftsim_api::{fits_node_set, RunSpec, SpecError};
use ftsim_explore::{Config, LinkRule, MAX_PLACEMENTS};
use sim_core::{DelayDist, DetectorModel, Duration, FaultPlan, LinkModel, NodeId, NodeSet};

/// The search's view of `spec` with `detector`, refusing what a search cannot branch on.
pub(crate) fn search_config(spec: &RunSpec, detector: DetectorModel) -> Result<Config, SpecError> {
    refuse_unsupported(spec)?;
    let n = spec.nodes;
    // Who suspects whom and where traitors sit are sets of nodes in a state.
    fits_node_set("a search", n)?;
    let links = spec.network.resolve(n).iter().map(rule_of).collect();
    let mut may_crash = vec![false; n];
    let mut may_recover = vec![false; n];
    let mut crash_budget = 0;
    for crash in &spec.faults.crashes {
        crash_budget += crash.max;
        for node in 0..n {
            let listed = crash.nodes.as_ref().is_none_or(|ns| ns.contains(&node));
            if listed && crash.max > 0 {
                may_crash[node] = true;
                may_recover[node] |= crash.recover_after.is_some();
            }
        }
    }
    // `None` if some link's delay has no bound.
    let delays: Option<Vec<Duration>> = spec.network.resolve(n).iter().map(longest_delay).collect();
    let max_delay = delays.and_then(|d| d.into_iter().max());
    let (detects, after_last) = match detector {
        DetectorModel::None => (false, false),
        DetectorModel::Perfect { delay } | DetectorModel::EventuallyPerfect { delay, .. } => {
            (true, max_delay.is_some_and(|m| delay > m))
        }
    };
    Ok(Config {
        n,
        links,
        crash_budget,
        may_crash,
        may_recover,
        detector: detects,
        detector_after_last_message: after_last,
        duration: spec.config.duration,
        placements: placements(spec)?,
    })
}

fn rule_of(link: &LinkModel) -> LinkRule {
    LinkRule {
        lossy: link.loss_ppm > 0,
        duplicating: link.duplicate_ppm > 0,
        fifo: link.fifo,
    }
}

/// The longest delay a link can give a message (`None`: unbounded).
fn longest_delay(link: &LinkModel) -> Option<Duration> {
    match link.delay {
        DelayDist::Constant(d) => Some(d),
        DelayDist::Uniform { max, .. } => Some(max),
        DelayDist::Exponential { .. } => None,
    }
}

/// The first scenario setting a search cannot explore, as an error naming its key.
fn refuse_unsupported(spec: &RunSpec) -> Result<(), SpecError> {
    let f = &spec.faults;
    let refuse = |key: &str, what: &str| {
        Err(SpecError::new(
            key,
            format!(
                "{what} cannot be explored: a state search branches on message order, loss, \
                 duplication, crashes and recoveries only (remove the key, or search the \
                 engine's runs with --strategy decisions)"
            ),
        ))
    };
    if f.partitions.is_some() {
        return refuse("faults.partitions", "partitions");
    }
    if f.omissions.is_some() {
        return refuse("faults.omissions", "omission windows");
    }
    if f.intermittent.is_some() {
        return refuse("faults.intermittent", "intermittent nodes");
    }
    if f.clocks.is_some() {
        return refuse("faults.clocks", "clock skew");
    }
    if f.slow.is_some() {
        return refuse("faults.slow", "slow nodes");
    }
    if f.storage != sim_core::faults::StorageFaults::None {
        return refuse("faults.storage", "storage faults");
    }
    if spec.schedule != FaultPlan::default() {
        return refuse("faults.schedule", "an explicit fault schedule");
    }
    if f.crashes.iter().any(|c| c.mid_broadcast_ppm > 0 || c.chain) {
        return refuse(
            "faults.crashes.mid_broadcast",
            "a mid-broadcast crash (a search already crashes between any two steps and may \
             lose a crashed sender's messages)",
        );
    }
    Ok(())
}

/// Every placement of the scenario's Byzantine nodes: each set of `count` nodes of the pool.
fn placements(spec: &RunSpec) -> Result<Vec<NodeSet>, SpecError> {
    let Some(b) = spec.faults.byzantine.as_ref().filter(|b| b.count > 0) else {
        return Ok(Vec::new());
    };
    let mut pool: Vec<NodeId> = match &b.nodes {
        Some(nodes) => nodes.clone(),
        None => (0..spec.nodes).collect(),
    };
    pool.sort_unstable();
    pool.dedup();
    let count = b.count as usize;
    let mut out = Vec::new();
    let mut chosen: Vec<usize> = (0..count).collect();
    while count <= pool.len() {
        if out.len() == MAX_PLACEMENTS {
            return Err(SpecError::new(
                "faults.byzantine.count",
                format!(
                    "{count} Byzantine nodes among {} have more than {MAX_PLACEMENTS} \
                     placements: too many to explore (name fewer in faults.byzantine.nodes)",
                    pool.len()
                ),
            ));
        }
        out.push(chosen.iter().map(|&i| pool[i]).collect());
        // The next combination of `count` indices into the pool, in lexicographic order.
        let Some(j) = (0..count)
            .rev()
            .find(|&j| chosen[j] < pool.len() - count + j)
        else {
            break;
        };
        chosen[j] += 1;
        for k in j + 1..count {
            chosen[k] = chosen[k - 1] + 1;
        }
    }
    Ok(out)
}
