//! The readers, on the hand-written files of tests/data and on broken input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ftsim_api::properties::linearizability::check;
use ftsim_history::{
    build, read, sniff, FileModel, Format, ModelKind, OpType, ReadError, Record, Value,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The records of a file in tests/data, its format sniffed.
fn read_file(name: &str) -> Result<Vec<Record>, ReadError> {
    let path = data(name);
    let text = std::fs::read_to_string(&path).expect("test data");
    read(&text, sniff(&path, &text))
}

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn kw(k: &str) -> Value {
    Value::Keyword(k.to_string())
}

fn s(x: &str) -> Value {
    Value::Str(x.to_string())
}

/// (line, process, type, f, value) of each record.
fn summary(records: &[Record]) -> Vec<(usize, Value, OpType, &str, Value)> {
    records
        .iter()
        .map(|r| {
            (
                r.line,
                r.process.clone(),
                r.op_type,
                r.f.as_str(),
                r.value.clone(),
            )
        })
        .collect()
}

#[test]
fn reads_jepsen_edn_one_map_per_line() {
    let records = read_file("jepsen.edn").unwrap();
    assert_eq!(records.len(), 11);
    let first = &records[0];
    assert_eq!(
        (
            first.line,
            &first.process,
            first.op_type,
            first.f.as_str(),
            &first.value
        ),
        (1, &int(0), OpType::Invoke, "write", &int(3))
    );
    assert_eq!(first.time_ns, Some(1000));
    assert_eq!(first.key, None);
    assert_eq!(records[2].process, kw("nemesis"));
    assert_eq!(records[4].value, int(3), "the float in :latency is ignored");
    // A blank line is skipped, and lines are still counted.
    assert_eq!(records[5].line, 7);
    assert_eq!(records[5].value, Value::List(vec![int(3), int(4)]));
    assert_eq!(records[6].op_type, OpType::Fail);
    assert_eq!(records[8].op_type, OpType::Info);
    let nodes = BTreeSet::from([s("n1"), s("n2")]);
    assert_eq!(records[9].value, Value::Set(nodes));
    assert_eq!(records[10].line, 12);
}

#[test]
fn reads_tagged_records_and_comments() {
    let records = read_file("tagged.edn").unwrap();
    let got = summary(&records);
    assert_eq!(got[0], (2, int(0), OpType::Invoke, "write", int(1)));
    assert_eq!(
        got[2],
        (4, kw("nemesis"), OpType::Invoke, "kill", kw("all"))
    );
    assert_eq!(got[4], (6, int(1), OpType::Ok, "read", int(1)));
    assert_eq!(records[4].time_ns, Some(50));
}

#[test]
fn reads_a_history_wrapped_in_one_vector() {
    let records = read_file("wrapped.edn").unwrap();
    let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 2, 3, 7]);
    assert_eq!(records[2].f, "read");
    assert_eq!(records[2].value, Value::Nil);
}

#[test]
fn reads_json_lines_with_keys() {
    let records = read_file("ops.jsonl").unwrap();
    let got = summary(&records);
    assert_eq!(got[0], (1, int(0), OpType::Invoke, "put", s("a")));
    assert_eq!(records[0].key, Some(s("x")));
    assert_eq!(records[0].time_ns, Some(100));
    assert_eq!(got[1].4, Value::Nil);
    assert_eq!(got[3].0, 5, "the blank line counts");
    assert_eq!(records[4].process, s("nemesis"));
    assert_eq!(records[4].key, None);
    let map = Value::Map(BTreeMap::from([(s("a"), Value::Nil)]));
    assert_eq!(records[5].value, Value::List(vec![int(1), map]));
}

#[test]
fn reads_one_json_array() {
    let records = read_file("array.json").unwrap();
    let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4, 6]);
    assert_eq!(records[3].value, int(1));
    assert_eq!(records[2].time_ns, Some(3));
}

#[test]
fn reads_text() {
    let records = read_file("ops.txt").unwrap();
    let got = summary(&records);
    assert_eq!(got[0], (2, int(0), OpType::Invoke, "write", int(3)));
    assert_eq!(got[1].4, Value::List(vec![int(3), int(4)]));
    assert_eq!(
        got[3],
        (5, kw("nemesis"), OpType::Info, "start", Value::Nil)
    );
    assert_eq!(got[4].2, OpType::Info);
    assert_eq!(got[5], (8, int(2), OpType::Invoke, "read", Value::Nil));
    assert_eq!(got[6].4, int(4));
    assert_eq!(got[7].4, Value::Set(BTreeSet::from([int(1), int(2)])));
}

#[test]
fn an_empty_file_has_no_records() {
    for format in Format::ALL {
        assert_eq!(read("", format), Ok(vec![]), "{format}");
        assert_eq!(read("  \n\n", format), Ok(vec![]), "{format}");
    }
    assert_eq!(read("[]", Format::Edn), Ok(vec![]));
    assert_eq!(read(" [ ]\n", Format::Json), Ok(vec![]));
}

/// The error reading `text` as `format`, which must name `line` and contain `words`.
fn assert_error(text: &str, format: Format, line: usize, words: &[&str]) {
    let err = read(text, format).expect_err(text);
    assert_eq!(err.line, line, "{err}");
    for w in words {
        assert!(err.to_string().contains(w), "{err:?} does not say {w:?}");
    }
}

#[test]
fn errors_in_files_name_the_line_and_the_key() {
    let err = read_file("missing-type.edn").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("no :type"), "{err}");
    let err = read_file("float-value.jsonl").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(
        err.message.contains("\"value\"") && err.message.contains("3.5"),
        "{err}"
    );
    let err = read_file("overflow.edn").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("64 bits"), "{err}");
    let err = read_file("bad.txt").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(
        err.message.contains("TYPE") && err.message.contains("done"),
        "{err}"
    );
}

#[test]
fn edn_errors() {
    let op = "{:type :invoke, :f :read, :process 0}\n";
    assert_error(
        &format!("{op}{{:type :invoke, :process 0}}"),
        Format::Edn,
        2,
        &["no :f"],
    );
    assert_error(
        &format!("{op}{{:type :invoke, :f :read}}"),
        Format::Edn,
        2,
        &["no :process"],
    );
    assert_error(
        &format!("{op}{op}{{:type :done, :f :r, :process 0}}"),
        Format::Edn,
        3,
        &[":type", ":done"],
    );
    assert_error(
        &format!("{op}{{:type :ok, :f 3, :process 0}}"),
        Format::Edn,
        2,
        &[":f is 3"],
    );
    assert_error(
        &format!("{op}{{:type :ok, :f :r, :process 0, :time -1}}"),
        Format::Edn,
        2,
        &[":time"],
    );
    assert_error(
        &format!("{op}{{:type :ok, :f :r, :process 0, :value 1.5}}"),
        Format::Edn,
        2,
        &[":value", "float"],
    );
    assert_error(
        &format!("{op}{{:type :ok, :f :r, :process 0, :value 1/2}}"),
        Format::Edn,
        2,
        &[":value", "ratio"],
    );
    assert_error(
        &format!("{op}\n{{:type :ok, :f :r,\n :value [1 2}}"),
        Format::Edn,
        4,
        &["invalid EDN"],
    );
    assert_error(
        &format!("{op}{{:type :ok"),
        Format::Edn,
        2,
        &["invalid EDN"],
    );
    assert_error(
        &format!("{op}[1 2]"),
        Format::Edn,
        2,
        &["expected an operation map", "vector"],
    );
    assert_error(&format!("[{op}"), Format::Edn, 2, &["no closing ]"]);
    assert_error(&format!("[{op}]\n{op}"), Format::Edn, 3, &["after the ]"]);
}

#[test]
fn json_errors() {
    let op = r#"{"type": "invoke", "f": "read", "process": 0}"#;
    assert_error(
        &format!("{op}\n{{\"type\": \"ok\", \"process\": 0}}"),
        Format::Json,
        2,
        &["no \"f\""],
    );
    assert_error(
        &format!("{op}\n{{\"type\": 1, \"f\": \"r\", \"process\": 0}}"),
        Format::Json,
        2,
        &["\"type\""],
    );
    let big = r#"{"type": "ok", "f": "r", "process": 0, "value": 18446744073709551615}"#;
    assert_error(
        &format!("{op}\n{big}"),
        Format::Json,
        2,
        &["\"value\"", "not a 64-bit integer"],
    );
    let big = r#"{"type": "ok", "f": "r", "process": 0, "time": 99999999999999999999}"#;
    assert_error(&format!("{op}\n{big}"), Format::Json, 2, &["\"time\""]);
    assert_error(
        &format!("{op}\n{{\"type\": \"ok\",\n \"f\": }}"),
        Format::Json,
        3,
        &["invalid JSON"],
    );
    assert_error(
        &format!("{op}\n[1]"),
        Format::Json,
        2,
        &["expected an operation object"],
    );
    assert_error(&format!("[{op},\n{op}"), Format::Json, 2, &["no closing ]"]);
    assert_error(
        &format!("[{op},\n3,\n{op}]"),
        Format::Json,
        2,
        &["found a number"],
    );
    assert_error(
        &format!("[{op}]\n\n{op}"),
        Format::Json,
        3,
        &["after the ]"],
    );
    assert_error(
        &format!("[{op},\n{{\"type\": \"ok\", \"f\": \"r\"}}]"),
        Format::Json,
        2,
        &["no \"process\""],
    );
}

#[test]
fn text_errors() {
    assert_error("0 invoke write 3\n\n0 invoke", Format::Text, 3, &["no F"]);
    assert_error("0", Format::Text, 1, &["no TYPE", "PROCESS TYPE F"]);
    assert_error(
        "0 ok write 1 2",
        Format::Text,
        1,
        &["VALUE", "more than one value"],
    );
    assert_error(
        "0 ok write [1 2",
        Format::Text,
        1,
        &["VALUE", "invalid EDN"],
    );
    assert_error(
        "99999999999999999999 ok write 1",
        Format::Text,
        1,
        &["PROCESS", "64 bits"],
    );
    assert_error("[0] ok write 1", Format::Text, 1, &["PROCESS", "integer"]);
    assert_error("0 ok write 1.5", Format::Text, 1, &["VALUE", "float"]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep =
        |open: &str, close: &str, n: usize| format!("{}1{}", open.repeat(n), close.repeat(n));
    let edn = format!(
        "{{:type :ok, :f :read, :process 0, :value {}}}",
        deep("[", "]", 100_000)
    );
    assert_error(&edn, Format::Edn, 1, &["nested more than 1000 deep"]);
    let edn = format!(
        "{{:type :ok, :f :read, :process 0, :value {}}}",
        deep("#{", "}", 100)
    );
    assert_error(
        &edn,
        Format::Edn,
        1,
        &[":value", "nested more than 64 deep"],
    );
    let json = format!(
        "{{\"type\": \"ok\", \"f\": \"read\", \"process\": 0, \"value\": {}}}",
        deep("[", "]", 100_000)
    );
    assert_error(&json, Format::Json, 1, &["invalid JSON"]);
    let json = format!(
        "{{\"type\": \"ok\", \"f\": \"read\", \"process\": 0, \"value\": {}}}",
        deep("[", "]", 100)
    );
    assert_error(&json, Format::Json, 1, &["\"value\"", "nested"]);
    assert_error(
        &format!("0 ok read {}", deep("#{", "}", 100_000)),
        Format::Text,
        1,
        &["nested"],
    );
    // Brackets in strings, comments and character literals do not nest.
    let brackets = "[{(".repeat(2_000);
    let edn =
        format!("; {brackets}\n{{:type :ok, :f :read, :process 0, :value \"{brackets}\", :c \\[}}");
    let records = read(&edn, Format::Edn).unwrap();
    assert_eq!((records[0].line, &records[0].value), (2, &s(&brackets)));
    // Deep, but in a key no one reads: fine.
    let edn = format!(
        "{{:type :ok, :f :read, :process 0, :junk {}}}",
        deep("(", ")", 900)
    );
    assert_eq!(read(&edn, Format::Edn).map(|r| r.len()), Ok(1));
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "{",
        "}",
        "[",
        "]",
        "#",
        "#{",
        "\"",
        "{:type",
        "[{]",
        "[,]",
        "[1,,2]",
        "\\",
        "#_",
        ":",
        "0 ok",
        "{\"type\"",
        "[{\"a\": \"\\\"]\"}",
        "#jepsen.history.Op[1]",
        "\u{0}",
        "é ok é",
    ];
    for text in samples {
        for format in Format::ALL {
            let _ = read(text, format);
        }
    }
    // Random text from the characters that matter, read in every format and built for every
    // model: errors, never a panic.
    let cases: u64 = std::env::var("FTSIM_HISTORY_FUZZ")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "#{",
        "#_",
        "#tag",
        " ",
        "\n",
        ",",
        "\"",
        "\\",
        ";",
        "#",
        ":",
        ":type",
        ":invoke",
        ":ok",
        ":info",
        ":fail",
        ":f",
        ":read",
        ":write",
        ":cas",
        ":process",
        ":value",
        ":key",
        ":time",
        "0",
        "1",
        "-1",
        "99999999999999999999",
        "1.5",
        "nil",
        "\"type\"",
        "\"invoke\"",
        "\"ok\"",
        "\"process\"",
        "\"f\"",
        "\"read\"",
        "\"value\"",
        "\"key\"",
        "null",
        ":",
        "invoke",
        "ok",
        "info",
        "read",
        "write",
        "é",
    ];
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..cases {
        let len = next(40);
        let mut text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
        if next(2) == 0 {
            // Well-formed records with odd fields, to reach the building and the models.
            let processes = ["0", "1", "2", ":nemesis", "-5"];
            let types = [":invoke", ":ok", ":fail", ":info"];
            let fs = [
                ":read", ":write", ":cas", ":add", ":enqueue", ":dequeue", ":acquire",
            ];
            let values = [
                "nil", "1", "[1 2]", "[:k 1]", "[:k nil]", "#{1}", "\"s\"", "[]",
            ];
            text = (0..next(12))
                .map(|_| {
                    format!(
                        "{{:process {}, :type {}, :f {}, :value {}}}\n",
                        processes[next(5)],
                        types[next(4)],
                        fs[next(7)],
                        values[next(8)]
                    )
                })
                .collect();
        }
        for format in Format::ALL {
            let Ok(records) = read(&text, format) else {
                continue;
            };
            for kind in ModelKind::ALL {
                let mut model = FileModel::new(kind);
                model.independent = next(2) == 0;
                if let Ok(built) = build(&records, &model) {
                    let _ = check(&model, &built.history);
                }
            }
        }
    }
}
