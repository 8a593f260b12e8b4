//! Test helpers: a brute-force linearizability check, random histories of each model, and
//! the agreement of the two checks on them.

mod brute;
mod random;

use ftsim_api::properties::linearizability::{check, SequentialModel, Verdict};

use crate::model::{FileModel, FileOp, ModelKind};
use crate::value::Value;

pub(crate) use brute::linearizable;

/// One step of `kind`'s model from `state`: the operation the model calls `f`, on `arg`.
pub(crate) fn model_step(kind: ModelKind, state: Value, f: &str, arg: Value) -> (Value, Value) {
    let op = FileOp {
        key: Value::Nil,
        f: kind.fun(f).unwrap_or_else(|| panic!("{kind} knows no {f}")),
        arg,
    };
    FileModel::new(kind).step(&state, &op)
}

/// How many random histories each model is tried on.
pub(crate) fn seeds() -> std::ops::Range<u64> {
    0..500
}

/// On a random history for each seed, `check` and the brute force agree; and the seeds give
/// both verdicts often enough to mean something.
pub(crate) fn agrees_with_brute_force(kind: ModelKind, seeds: std::ops::Range<u64>) {
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
