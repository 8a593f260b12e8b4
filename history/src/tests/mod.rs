//! Test helpers: a brute-force linearizability check, random histories of each model, and
//! the agreement of the two checks on them.

mod brute;
mod random;

use ftsim_api::properties::linearizability::{check, Verdict};

use crate::model::ModelKind;

use brute::linearizable;

/// How many random histories each model is tried on.
fn seeds() -> std::ops::Range<u64> {
    0..500
}

/// On a random history for each seed, `check` and the brute force agree; and the seeds give
/// both verdicts often enough to mean something.
fn agrees_with_brute_force(kind: ModelKind, seeds: std::ops::Range<u64>) {
    let (mut yes, mut no) = (0, 0);
    let total = seeds.end - seeds.start;
    for seed in seeds {
        let (model, records) = random::history(kind, seed);
        let built = crate::build(&records, &model)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{records:#?}"));
        let expected = linearizable(&model, &built.history);
        let verdict = match check(&model, &built.history) {
            Verdict::Linearizable => true,
            Verdict::NotLinearizable(_) => false,
            _ => panic!("seed {seed}: undecided"),
        };
        assert_eq!(
            verdict, expected,
            "seed {seed}: check says {verdict}, brute force {expected}; records:\n{records:#?}"
        );
        if expected {
            yes += 1;
        } else {
            no += 1;
        }
    }
    assert!(
        yes * 10 >= total && no * 10 >= total,
        "{kind}: {yes} linearizable and {no} not: too lopsided to test much"
    );
}

#[test]
fn register_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::Register, seeds());
}

#[test]
fn cas_register_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::CasRegister, seeds());
}

#[test]
fn kv_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::KeyValue, seeds());
}

#[test]
fn set_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::Set, seeds());
}

#[test]
fn queue_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::Queue, seeds());
}

#[test]
fn counter_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::Counter, seeds());
}

#[test]
fn mutex_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::Mutex, seeds());
}

#[test]
fn log_agrees_with_brute_force() {
    agrees_with_brute_force(ModelKind::Log, seeds());
}
