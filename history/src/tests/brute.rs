//! Linearizability by brute force, as its definition says: some subset of the operations that
//! never returned, together with every returned one, has an order that respects real time
//! (an operation that returned before another was invoked comes first) in which the model
//! gives every returned operation the output it recorded. For histories of a few operations.

use std::collections::BTreeMap;

use ftsim_api::properties::linearizability::{History, Operation, SequentialModel};

/// Whether `history` is linearizable for `model`, trying every subset and every order. The
/// objects' states are kept in one map, so the keys' independence is not assumed.
pub(crate) fn linearizable<M: SequentialModel>(
    model: &M,
    history: &History<M::Input, M::Output>,
) -> bool {
    let ops = history.ops();
    let open: Vec<usize> = (0..ops.len()).filter(|&i| !ops[i].is_complete()).collect();
    let complete: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].is_complete()).collect();
    (0u32..1 << open.len()).any(|mask| {
        let mut chosen = complete.clone();
        chosen.extend(
            open.iter()
                .enumerate()
                .filter(|(bit, _)| mask & (1 << bit) != 0)
                .map(|(_, &op)| op),
        );
        let mut done = vec![false; ops.len()];
        orders(model, ops, &chosen, &mut done, &BTreeMap::new())
    })
}

/// Whether the `chosen` operations not yet `done` have an order, from `states`, that works.
fn orders<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    chosen: &[usize],
    done: &mut [bool],
    states: &BTreeMap<M::Key, M::State>,
) -> bool {
    let left: Vec<usize> = chosen.iter().copied().filter(|&i| !done[i]).collect();
    if left.is_empty() {
        return true;
    }
    for &i in &left {
        if left.iter().any(|&j| j != i && ops[j].precedes(&ops[i])) {
            continue;
        }
        let key = model.key(&ops[i].input);
        let state = states.get(&key).cloned().unwrap_or_else(|| model.init());
        let (next, out) = model.step(&state, &ops[i].input);
        if ops[i]
            .output
            .as_ref()
            .is_some_and(|recorded| *recorded != out)
        {
            continue;
        }
        let mut states = states.clone();
        states.insert(key, next);
        done[i] = true;
        if orders(model, ops, chosen, done, &states) {
            return true;
        }
        done[i] = false;
    }
    false
}

#[cfg(test)]
mod tests {
    use ftsim_api::properties::linearizability::{
        History, Moment, Register, RegisterOp, RegisterOutput,
    };
    use sim_core::Time;

    use super::linearizable;

    #[test]
    fn finds_a_stale_read_and_an_open_write() {
        let at = |e| Moment::new(e, Time(e));
        let model = Register { initial: 0 };
        let mut h = History::new();
        let w = h.call(0, RegisterOp::Write(1), at(0));
        h.ret(w, RegisterOutput::Written, at(1));
        let r = h.call(1, RegisterOp::Read, at(2));
        h.ret(r, RegisterOutput::Value(0), at(3));
        assert!(!linearizable(&model, &h));

        let mut h = History::new();
        h.call(0, RegisterOp::Write(1), at(0));
        let r = h.call(1, RegisterOp::Read, at(1));
        h.ret(r, RegisterOutput::Value(1), at(2));
        let r = h.call(1, RegisterOp::Read, at(3));
        h.ret(r, RegisterOutput::Value(1), at(4));
        assert!(linearizable(&model, &h));
    }
}
