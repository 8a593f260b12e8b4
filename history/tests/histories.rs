//! Building histories from records, and the verdicts on the example files.

use std::path::{Path, PathBuf};

use ftsim_api::properties::linearizability::{check, SequentialModel, Verdict};
use ftsim_history::{
    build, read, sniff, FileHistory, FileModel, FileOp, Format, Fun, ModelKind, OpSource,
    ReadError, Value,
};

fn file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The history of the file at `path` (from the crate's directory) for `model`.
fn build_file(path: &str, model: &FileModel) -> Result<FileHistory, ReadError> {
    let path = file(path);
    let text = std::fs::read_to_string(&path).expect("the file");
    build(&read(&text, sniff(&path, &text))?, model)
}

/// The history of a text history for `model`.
fn build_text(text: &str, model: &FileModel) -> Result<FileHistory, ReadError> {
    build(&read(text, Format::Text)?, model)
}

/// Whether `check` finds the history linearizable.
fn linearizable(model: &FileModel, built: &FileHistory) -> bool {
    match check(model, &built.history) {
        Verdict::Linearizable => true,
        Verdict::NotLinearizable(_) => false,
        _ => panic!("undecided"),
    }
}

#[test]
fn builds_a_jepsen_history() {
    let model = FileModel::new(ModelKind::CasRegister);
    let built = build_file("tests/data/jepsen.edn", &model).unwrap();
    assert_eq!(built.ignored, 2, "the nemesis's records");
    assert_eq!(built.dropped_failed, 1, "the failed cas");
    assert_eq!(
        built.processes,
        [Value::Int(0), Value::Int(1), Value::Int(2)]
    );
    let src = |invoke_line, complete_line, info| OpSource {
        invoke_line,
        complete_line,
        info,
    };
    assert_eq!(
        built.sources,
        [
            src(1, Some(4), false),
            src(2, Some(5), false),
            src(9, Some(10), true),
            src(12, None, false),
        ]
    );
    let ops = built.history.ops();
    assert_eq!(ops[1].output, Some(Value::Int(3)));
    assert_eq!(
        (ops[2].output.as_ref(), ops[3].output.as_ref()),
        (None, None)
    );
    assert_eq!(ops[2].client, 1);
    // Events number the kept records (the failed cas's and the nemesis's are not).
    assert_eq!(ops[2].invoked.event, 4);
    assert_eq!(ops[2].invoked.time.as_nanos(), 8000 - 1000);
    assert_eq!(ops[3].invoked.event, 6);
    assert_eq!(
        model.describe(&ops[1].input, ops[1].output.as_ref()),
        "read → 3"
    );
    assert_eq!(model.describe(&ops[0].input, None), "write 3");
    assert!(linearizable(&model, &built));
}

#[test]
fn builds_every_format_alike() {
    let model = FileModel::new(ModelKind::Register);
    let a = build_file("tests/data/tagged.edn", &model).unwrap();
    let b = build_file("tests/data/wrapped.edn", &model).unwrap();
    let c = build_file("tests/data/array.json", &model).unwrap();
    let inputs = |h: &FileHistory| -> Vec<(FileOp, Option<Value>)> {
        let ops = h.history.ops();
        ops.iter()
            .map(|o| (o.input.clone(), o.output.clone()))
            .collect()
    };
    assert_eq!(inputs(&a), inputs(&b));
    assert_eq!(inputs(&b), inputs(&c));
    assert_eq!(a.ignored, 1);
    assert!(linearizable(&model, &a));
}

#[test]
fn moments_carry_the_files_times() {
    let model = FileModel::new(ModelKind::Register);
    let built = build_file("tests/data/tagged.edn", &model).unwrap();
    let op = &built.history.ops()[1];
    assert_eq!((op.invoked.event, op.invoked.time.as_nanos()), (2, 40));
    let back = op.returned.unwrap();
    assert_eq!((back.event, back.time.as_nanos()), (3, 50));
}

/// The error building `text` (a text history) for `model`: at `line`, saying `words`.
fn assert_error(text: &str, model: &FileModel, line: usize, words: &[&str]) {
    let err = build_text(text, model).expect_err(text);
    assert_eq!(err.line, line, "{err}");
    for w in words {
        assert!(err.to_string().contains(w), "{err} does not say {w:?}");
    }
}

#[test]
fn pairing_errors_name_both_lines() {
    let reg = FileModel::new(ModelKind::Register);
    assert_error(
        "0 invoke write 1\n0 invoke read",
        &reg,
        2,
        &["process 0", "line 1", "still open"],
    );
    assert_error(
        "0 invoke write 1\n0 ok write 1\n0 ok write 1",
        &reg,
        3,
        &["completes nothing", "line 1", "line 2"],
    );
    assert_error(
        "\n0 ok read 1",
        &reg,
        2,
        &["completes nothing", "invoked nothing"],
    );
    assert_error(
        "0 invoke write 1\n0 ok read 1",
        &reg,
        2,
        &[":read", ":write", "line 1"],
    );
}

#[test]
fn model_errors_name_the_line_and_what_the_model_knows() {
    let reg = FileModel::new(ModelKind::Register);
    assert_error(
        "0 invoke write 1\n0 ok write 1\n1 invoke cas [1 2]",
        &reg,
        3,
        &[
            "register model has no operation :cas",
            "read (or get), write (or put)",
        ],
    );
    let err = build_file(
        "tests/data/ops.txt",
        &FileModel::new(ModelKind::CasRegister),
    )
    .unwrap_err();
    assert_eq!(err.line, 10);
    assert!(
        err.message.contains(":add") && err.message.contains("cas"),
        "{err}"
    );
    let cas = FileModel::new(ModelKind::CasRegister);
    assert_error("0 invoke cas 1", &cas, 1, &["cas takes [from to]"]);
    let counter = FileModel::new(ModelKind::Counter);
    assert_error("0 invoke add \"x\"", &counter, 1, &["add takes an integer"]);
    let kv = FileModel::new(ModelKind::KeyValue);
    assert_error(
        "0 invoke write 1",
        &kv,
        1,
        &["[key value]", "kv model is keyed"],
    );
    let mut independent = FileModel::new(ModelKind::Set);
    independent.independent = true;
    assert_error(
        "0 invoke add [1 2 3]",
        &independent,
        1,
        &["[key value]", "independent"],
    );
    assert_error(
        "0 invoke read [:a nil]\n0 ok read [:b 3]",
        &kv,
        2,
        &["key is :b", "line 1", ":a"],
    );
    let mut counter = FileModel::new(ModelKind::Counter);
    counter.initial = Value::Str("zero".into());
    let err = build(&[], &counter).unwrap_err();
    assert_eq!(err.line, 0);
    assert!(err.message.contains("counter"), "{err}");
}

#[test]
fn jepsen_independent_histories_split_by_key() {
    let text = "0 invoke write [:a 1]\n1 invoke write [:b 2]\n0 ok write [:a 1]\n\
                1 ok write [:b 2]\n2 invoke read [:a nil]\n2 ok read [:a 1]\n\
                2 invoke read [:b nil]\n2 ok read [:b 1]\n";
    let mut model = FileModel::new(ModelKind::Register);
    model.independent = true;
    let built = build_text(text, &model).unwrap();
    let keys: Vec<&Value> = built.history.ops().iter().map(|o| &o.input.key).collect();
    let (a, b) = (Value::Keyword("a".into()), Value::Keyword("b".into()));
    assert_eq!(keys, [&a, &b, &a, &b]);
    assert_eq!(built.history.ops()[2].output, Some(Value::Int(1)));
    let Verdict::NotLinearizable(why) = check(&model, &built.history) else {
        panic!("key :b read 1, never written");
    };
    assert_eq!(why.key.as_deref(), Some(":b"));
    assert_eq!(why.culprit, 3);
    assert_eq!(model.describe_key(&Value::Nil), None);
}

#[test]
fn outputs_follow_the_model() {
    // A cas :ok is a cas that happened: from 2 it cannot have.
    let cas = FileModel::new(ModelKind::CasRegister);
    let built = build_text(
        "0 invoke write 2\n0 ok write 2\n0 invoke cas [1 3]\n0 ok cas [1 3]",
        &cas,
    )
    .unwrap();
    assert!(!linearizable(&cas, &built));
    assert_eq!(cas.describe(&built.history.ops()[1].input, None), "cas 1→3");
    // A :fail cas did not happen, whatever it found.
    let built = build_text(
        "0 invoke write 2\n0 ok write 2\n0 invoke cas [1 3]\n0 fail cas [1 3]",
        &cas,
    )
    .unwrap();
    assert_eq!((built.history.len(), built.dropped_failed), (1, 1));
    // A set's read compares as a set, however the file writes it.
    let set = FileModel::new(ModelKind::Set);
    let text =
        "0 invoke add 1\n1 invoke add 2\n0 ok add 1\n1 ok add 2\n2 invoke read\n2 ok read [2 1 2]";
    assert!(linearizable(&set, &build_text(text, &set).unwrap()));
    // A write's completion value does not matter; a read's does.
    let reg = FileModel::new(ModelKind::Register);
    let text = "0 invoke write 1\n0 ok write\n1 invoke read\n1 ok read 1";
    assert!(linearizable(&reg, &build_text(text, &reg).unwrap()));
    // An :info write may have happened, late: reads may see it, or not, then yes.
    let text =
        "0 invoke write 1\n0 info write 1\n1 invoke read\n1 ok read\n1 invoke read\n1 ok read 1";
    assert!(linearizable(&reg, &build_text(text, &reg).unwrap()));
    let text =
        "0 invoke write 1\n0 info write 1\n1 invoke read\n1 ok read 1\n1 invoke read\n1 ok read";
    assert!(!linearizable(&reg, &build_text(text, &reg).unwrap()));
    // A mutex is not held twice.
    let mutex = FileModel::new(ModelKind::Mutex);
    let text = "0 invoke acquire\n0 ok acquire\n1 invoke lock\n1 ok lock";
    assert!(!linearizable(&mutex, &build_text(text, &mutex).unwrap()));
}

#[test]
fn an_empty_file_is_an_empty_history() {
    let built = build(
        &read("", Format::Edn).unwrap(),
        &FileModel::new(ModelKind::Queue),
    )
    .unwrap();
    assert!(built.history.is_empty());
    assert!(built.sources.is_empty() && built.processes.is_empty());
}

#[test]
fn the_bad_cas_register_example_is_not_linearizable() {
    let model = FileModel::new(ModelKind::CasRegister);
    let built = build_file("../examples/histories/cas-register-bad.edn", &model).unwrap();
    assert_eq!((built.ignored, built.dropped_failed), (2, 2));
    assert_eq!(built.processes.len(), 5);
    assert!(built.sources.iter().any(|s| s.info));
    let Verdict::NotLinearizable(why) = check(&model, &built.history) else {
        panic!("the example is not linearizable");
    };
    // The culprit: the stale read of 7 after 8 was written.
    let culprit = &built.sources[why.culprit];
    assert_eq!((culprit.invoke_line, culprit.complete_line), (37, Some(39)));
    let op = &built.history.ops()[why.culprit];
    assert_eq!(model.describe(&op.input, op.output.as_ref()), "read → 7");
    assert_eq!(Fun::Read, op.input.f);
}

#[test]
fn the_kv_example_is_linearizable() {
    let model = FileModel::new(ModelKind::KeyValue);
    let built = build_file("../examples/histories/kv-ok.jsonl", &model).unwrap();
    assert_eq!((built.ignored, built.dropped_failed), (1, 1));
    assert_eq!(built.history.len(), 11);
    assert!(linearizable(&model, &built));
    // Changing one read makes it not.
    let mut history = built.history.clone();
    let last = history.len() - 1;
    history.replace_output(last, Value::Str("bye".into()));
    assert!(matches!(
        check(&model, &history),
        Verdict::NotLinearizable(_)
    ));
}

#[test]
fn model_names_parse_and_describe_themselves() {
    for kind in ModelKind::ALL {
        assert_eq!(kind.name().parse::<ModelKind>(), Ok(kind));
        assert!(!kind.description().is_empty());
    }
    let err = "paxos".parse::<ModelKind>().unwrap_err();
    assert!(
        err.contains("cas-register") && err.contains("mutex"),
        "{err}"
    );
}
