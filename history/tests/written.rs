//! A run's client history written as a file (`ftsim replay --history`) and read back: the
//! file's verdict is the run's. Register histories with crashed clients, generated on a true
//! register (linearizable) and with a stale read (not), are written by the model's file form,
//! read as JSON lines and checked again; as are hand-made logs and key-value histories.

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::properties::linearizability::generate::{
    register_history_with_crashes, with_stale_read, RegisterHistory,
};
use ftsim_api::properties::linearizability::{
    check, client_history, AppendLog, History, KeyValue, KvOp, KvOutput, Moment, Register,
    SequentialModel, Verdict,
};
use ftsim_api::Time;
use ftsim_history::{build, read, FileModel, Format, ModelKind, Value};

/// Whether a verdict says linearizable (an undecided one fails the test).
fn linearizable(verdict: Verdict) -> bool {
    match verdict {
        Verdict::Linearizable => true,
        Verdict::NotLinearizable(_) => false,
        Verdict::Undecided(why) => panic!("undecided: {why}"),
    }
}

/// `history` written by `model`'s file form, read back and checked against `file_model`:
/// whether it is linearizable, and the file's text.
fn file_verdict<M: SequentialModel>(
    model: &M,
    history: &History<M::Input, M::Output>,
    file_model: &FileModel,
) -> (bool, String) {
    let written = client_history(model, history).expect("the model has a file form");
    assert_eq!(written.operations, history.len());
    let text = written.to_json_lines();
    let records = read(&text, Format::Json).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let built = build(&records, file_model).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (linearizable(check(file_model, &built.history)), text)
}

/// `history` with each fresh client (one that took a crashed client's place) numbered as the
/// client it replaced: a crashed client comes back under its old number and invokes again
/// while its crashed operation is open, as a recovered node does. Client numbers do not change
/// a verdict.
fn recovered(history: &RegisterHistory, clients: usize) -> RegisterHistory {
    let ops = history.ops();
    let mut edges: Vec<(u64, bool, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        edges.push((op.invoked.event, false, i));
        if let Some(at) = op.returned {
            edges.push((at.event, true, i));
        }
    }
    edges.sort_unstable();
    let mut renumbered = History::new();
    let mut index = vec![0; ops.len()];
    let mut number: BTreeMap<usize, usize> = (0..clients).map(|c| (c, c)).collect();
    // The numbers whose client crashed: its operation never returns.
    let mut free: BTreeSet<usize> = BTreeSet::new();
    for (_, returns, i) in edges {
        let op = &ops[i];
        if let (true, Some(output), Some(at)) = (returns, &op.output, op.returned) {
            renumbered.ret(index[i], output.clone(), at);
            continue;
        }
        let client = *number.entry(op.client).or_insert_with(|| {
            free.pop_first()
                .expect("a fresh client takes a crashed one's place")
        });
        if op.returned.is_none() {
            free.insert(client);
        }
        index[i] = renumbered.call(client, op.input.clone(), op.invoked);
    }
    renumbered
}

#[test]
fn register_histories_with_recovered_clients_keep_their_verdict_in_a_file() {
    let model = Register { initial: 0 };
    let file_model = FileModel {
        initial: Value::Int(0),
        ..FileModel::new(ModelKind::Register)
    };
    let (mut refuted, mut with_info) = (0, 0);
    for seed in 0..300 {
        let generated = register_history_with_crashes(seed, 3, 14, (50, 25));
        let mut cases = vec![recovered(&generated, 3)];
        if let Some((stale, _)) = with_stale_read(&generated) {
            cases.push(recovered(&stale, 3));
        }
        for history in cases {
            let expected = linearizable(check(&model, &history));
            let (got, text) = file_verdict(&model, &history, &file_model);
            assert_eq!(
                got, expected,
                "seed {seed}: the file's verdict differs:\n{text}"
            );
            refuted += usize::from(!expected);
            with_info += usize::from(text.contains(r#""type":"info""#));
        }
    }
    assert!(
        refuted >= 100,
        "only {refuted} refuted histories: too few to test"
    );
    assert!(
        with_info >= 100,
        "only {with_info} files close a crashed operation"
    );
}

fn at(event: u64) -> Moment {
    Moment::new(event, Time::ZERO + ftsim_api::Duration::from_micros(event))
}

#[test]
fn a_log_and_a_key_value_map_keep_their_verdict_in_a_file() {
    // Two appends one after the other cannot both land at position 0.
    let log = AppendLog::<u64>::default();
    let log_file = FileModel::new(ModelKind::Log);
    for (second_at, expected) in [(1, true), (0, false)] {
        let mut h = History::new();
        let a = h.call(0, 5, at(1));
        h.ret(a, 0, at(2));
        let b = h.call(1, 6, at(3));
        h.ret(b, second_at, at(4));
        assert_eq!(linearizable(check(&log, &h)), expected);
        assert_eq!(file_verdict(&log, &h, &log_file).0, expected);
    }
    // A get after a put of the same key reads it; another key is still unset.
    let kv = KeyValue::<u64, u64>::default();
    let kv_file = FileModel::new(ModelKind::KeyValue);
    for (read, expected) in [(Some(7), true), (None, false)] {
        let mut h = History::new();
        let put = h.call(0, KvOp::Put(1, 7), at(1));
        h.ret(put, KvOutput::Done, at(2));
        let other = h.call(1, KvOp::Get(2), at(3));
        h.ret(other, KvOutput::Value(None), at(4));
        let get = h.call(1, KvOp::Get(1), at(5));
        h.ret(get, KvOutput::Value(read), at(6));
        assert_eq!(linearizable(check(&kv, &h)), expected);
        assert_eq!(file_verdict(&kv, &h, &kv_file).0, expected);
    }
}
