//! Helpers for protocol tests: run specs without a scenario file, and a sweep over seeds.

use std::collections::BTreeMap;

use sim_core::{
    DetectorModel, Duration, FaultPlan, FaultSpec, NetworkModel, Outcome, RunConfig, RunReport,
};

use crate::registry::{ParamValue, Params, Protocol, RunSpec};

/// A spec with the protocol's default invariants, the given params, and no faults.
pub fn spec(protocol: &dyn Protocol, n: usize, params: &[(&str, ParamValue)]) -> RunSpec {
    let info = protocol.info();
    let given: BTreeMap<String, ParamValue> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let params = Params::resolve(&info, &given).expect("valid params");
    protocol.check(&params, n).expect("valid for n");
    RunSpec {
        n,
        params,
        network: NetworkModel::default(),
        detector: if info.needs_detector {
            DetectorModel::Perfect {
                delay: Duration::from_millis(2),
            }
        } else {
            DetectorModel::None
        },
        plan: FaultPlan::default(),
        config: RunConfig::default(),
        invariants: info
            .invariants
            .iter()
            .filter(|i| i.kind != sim_core::PropertyKind::Sometimes)
            .map(|i| i.name.to_string())
            .collect(),
        sometimes: Vec::new(),
        adversary: info.adversaries.first().unwrap_or(&"silent").to_string(),
        seed: 0,
    }
}

/// Runs `seeds` seeds, each with a plan drawn from `faults`; returns every report.
pub fn sweep(
    protocol: &dyn Protocol,
    base: &RunSpec,
    faults: &FaultSpec,
    seeds: std::ops::Range<u64>,
) -> Vec<RunReport> {
    seeds
        .map(|seed| {
            let mut s = base.clone();
            s.seed = seed;
            s.plan = faults.plan_for(s.n, seed, &base.plan);
            protocol.run(&s)
        })
        .collect()
}

/// The names of the properties violated in a set of runs, with how often.
pub fn violated(reports: &[RunReport]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in reports {
        if let Outcome::Panicked { message, .. } = &r.outcome {
            panic!("seed {} panicked: {message}", r.seed);
        }
        for v in &r.violations {
            *out.entry(v.property.clone()).or_insert(0) += 1;
        }
    }
    out
}

pub fn ms(x: u64) -> sim_core::Time {
    sim_core::Time(Duration::from_millis(x).0)
}
