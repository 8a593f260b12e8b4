//! End-to-end tests of `ftsim run` as a sweep: output that fits a terminal, the JSON's
//! schema, results that survive an interruption, shards and their merge.

use std::process::Command;

mod common;
use common::json_doc::assert_documented;
use common::{assert_fits_80, ftsim, json, scenario, scenarios_dir, scratch, stdout};

#[test]
fn run_and_list_fit_an_80_column_terminal() {
    let o = ftsim(&[
        "run",
        &scenarios_dir().display().to_string(),
        "--seeds",
        "3",
    ]);
    let text = stdout(&o);
    assert!(text.lines().count() > 62, "{text}");
    assert_fits_80(&text);
    let o = ftsim(&["list"]);
    assert_fits_80(&stdout(&o));
}

/// Every replay command the bundled sweep prints, on an 80-column terminal, is one line that
/// runs when pasted: it replays the seed it names, with the verdict the sweep saw.
#[test]
fn every_printed_command_is_one_line_and_runs() {
    let o = ftsim(&[
        "run",
        &scenarios_dir().display().to_string(),
        "--seeds",
        "20",
    ]);
    let text = stdout(&o);
    let commands: Vec<&str> = (text.lines())
        .filter_map(|l| l.trim_start().strip_prefix("replay:").map(str::trim))
        .filter(|c| !c.is_empty())
        .chain(
            text.lines()
                .map(str::trim)
                .filter(|l| l.starts_with("ftsim ")),
        )
        .collect();
    assert!(commands.len() > 40, "{text}");
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("--")),
        "a command broke over two lines: {text}"
    );
    for (i, command) in commands.into_iter().enumerate() {
        let words: Vec<&str> = command.split(' ').collect();
        assert_eq!(&words[..2], ["ftsim", "replay"], "{command}");
        if i < 8 {
            // The timeline, its header (the scenario's long name and file) too, fits.
            assert_fits_80(&stdout(&ftsim(&words[1..])));
        }
        let seed = words
            .iter()
            .position(|w| *w == "--seed")
            .map(|i| words[i + 1]);
        let mut args = words[1..].to_vec();
        args.extend(["--format", "json"]);
        let o = ftsim(&args);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{command}: {o:?}");
        assert_eq!(json(&o)["seed"].to_string(), seed.unwrap(), "{command}");
    }
}

/// Into a pipe, with no `COLUMNS` asked for, nothing is wrapped; with a wide `COLUMNS`, prose
/// wraps at that width, not 80.
#[test]
fn piped_output_is_not_wrapped_and_columns_is_honoured() {
    let file = scenario("broadcast-no-retransmission-loss.toml");
    let run = |columns: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ftsim"));
        command
            .args(["run", &file, "--seeds", "50"])
            .env("NO_COLOR", "1");
        match columns {
            Some(c) => command.env("COLUMNS", c),
            None => command.env_remove("COLUMNS"),
        };
        stdout(&command.output().unwrap())
    };
    let widest = |text: &str| text.lines().map(reports::columns::width).max().unwrap();
    let piped = run(None);
    assert!(widest(&piped) > 100, "not wrapped: {piped}");
    let wide = run(Some("100"));
    assert!((81..=100).contains(&widest(&wide)), "{wide}");
    assert_fits_80(&run(Some("80")));
}

/// Wide characters (two columns each) in a scenario's name and file: the table's name is cut
/// and padded by columns, so the counts stay in their column, and an error about the file
/// wraps within 80 columns (counted in characters, both overflowed).
#[test]
fn wide_characters_fit_80_columns_too() {
    let dir = scratch("wide-characters");
    let text = std::fs::read_to_string(scenario("flooding-f1-one-round.toml")).unwrap();
    let name = "洪水".repeat(30);
    let renamed = text.replacen(
        "name = \"flooding-f1-one-round\"",
        &format!("name = \"{name}\""),
        1,
    );
    assert_ne!(renamed, text);
    let file = dir.join(format!("{}.toml", "二相".repeat(4)));
    std::fs::write(&file, &renamed).unwrap();
    let file = file.display().to_string();
    let o = ftsim(&["run", &file, "--seeds", "3"]);
    let table = stdout(&o);
    assert_fits_80(&table);
    let row = table.lines().next().unwrap();
    let counts = row
        .find("        3 runs")
        .unwrap_or_else(|| panic!("{row}"));
    assert_eq!(reports::columns::width(&row[..counts]), 8 + 42, "{row}");

    std::fs::write(
        &file,
        renamed.replacen("nodes = ", "nodes = \"x\"\nx = ", 1),
    )
    .unwrap();
    let o = ftsim(&["check", &file]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let said = common::stderr(&o);
    assert!(said.contains("expected"), "{said}");
    assert!(said.lines().count() > 1, "{said}");
    assert_fits_80(&said);
}

#[test]
fn the_json_is_what_docs_json_md_says() {
    let files = [
        "flooding-f1-one-round.toml",
        "flooding-f1-two-rounds.toml",
        "byzantine-n3-m1-equivocate.toml",
        "primary-backup-fenced.toml",
    ]
    .map(|f| format!("{}/{f}", scenarios_dir().display()));
    let mut args = vec!["run", "--format", "json", "--seeds", "20"];
    args.extend(files.iter().map(String::as_str));
    let o = ftsim(&args);
    let doc = json(&o);
    assert_documented(&doc, "sweep");
    assert_eq!(doc["schema"], "ftsim.sweep");
    assert_eq!(doc["schema_version"], 2);
    for scenario in doc["scenarios"].as_array().unwrap() {
        assert_documented(scenario, "scenario");
        assert_documented(&scenario["tally"], "tally");
        assert_documented(&scenario["latency"], "latency");
        assert!(
            scenario["latency"]["samples"].as_u64().unwrap() > 0,
            "{scenario}"
        );
        if !scenario["availability"].is_null() {
            assert_documented(&scenario["availability"], "availability");
        }
    }
    let replicated = &doc["scenarios"][3]["availability"];
    assert!(
        replicated["watched_ns"].as_u64().unwrap() > 0,
        "{replicated}"
    );
    for scenario in doc["scenarios"].as_array().unwrap() {
        assert!(
            scenario["verdict"].as_str().unwrap().starts_with("met: "),
            "{scenario}"
        );
    }
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let o = ftsim(&args);
    assert_eq!(o.status.code(), Some(0));
    let doc = json(&o);
    assert_documented(&doc, "check");
    assert_eq!(doc["schema"], "ftsim.check");
    for scenario in doc["scenarios"].as_array().unwrap() {
        assert_documented(scenario, "checked");
    }
}

/// A sweep's JSON without its wall times, the only part that differs between equal sweeps.
fn without_timings(mut doc: serde_json::Value) -> serde_json::Value {
    for s in doc["scenarios"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("elapsed_ms");
    }
    doc
}

fn three_scenarios() -> Vec<String> {
    [
        "flooding-f1-one-round.toml",
        "flooding-f1-two-rounds.toml",
        "byzantine-n4-m1-equivocate.toml",
    ]
    .map(|f| format!("{}/{f}", scenarios_dir().display()))
    .to_vec()
}

#[test]
fn a_killed_and_resumed_sweep_equals_an_uninterrupted_one() {
    let dir = scratch("resume");
    let results = dir.join("results.jsonl").display().to_string();
    let files = three_scenarios();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--format",
            "json",
            "--seeds",
            "40",
            "--results",
            &results,
        ];
        args.extend(extra);
        args.extend(files.iter().map(String::as_str));
        ftsim(&args)
    };
    let whole = run(&[]);
    let lines: Vec<String> = std::fs::read_to_string(&results)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 3, "one line per finished scenario");
    // As a kill leaves it: the first scenario written, the second cut mid-line.
    let cut = format!("{}\n{}", lines[0], &lines[1][..lines[1].len() / 2]);
    std::fs::write(&results, cut).unwrap();
    let resumed = run(&["--resume"]);
    assert_eq!(resumed.status.code(), whole.status.code());
    assert_eq!(
        without_timings(json(&resumed)),
        without_timings(json(&whole))
    );
    // The stored scenario was not run again: its wall time is the stored one.
    assert_eq!(
        json(&resumed)["scenarios"][0]["elapsed_ms"],
        json(&whole)["scenarios"][0]["elapsed_ms"]
    );
    let after = std::fs::read_to_string(&results).unwrap();
    assert_eq!(after.lines().filter(|l| l.ends_with('}')).count(), 3);
}

#[test]
fn ctrl_c_keeps_what_finished_and_exits_130() {
    let dir = scratch("interrupt");
    let text = std::fs::read_to_string(scenario("flooding-f1-two-rounds.toml")).unwrap();
    let small = dir.join("small.toml");
    let endless = dir.join("endless.toml");
    std::fs::write(&small, text.replace("count = 2000", "count = 5")).unwrap();
    std::fs::write(&endless, text.replace("count = 2000", "count = 100000000")).unwrap();
    let results = dir.join("results.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .env("COLUMNS", "80")
        .args(["run", "--jobs", "1", "--results"])
        .arg(&results)
        .arg(&small)
        .arg(&endless)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (at most a minute) for the small scenario's line, then interrupt.
    for _ in 0..600 {
        let written = std::fs::read_to_string(&results).unwrap_or_default();
        if written.lines().count() == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.starts_with("ok      flooding-f1-two-rounds"), "{text}");
    // Said once, with how to go on.
    let said = &text[text.find("interrupted: ").unwrap_or(0)..];
    let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.starts_with(
            "interrupted: 1 of 2 scenario(s) finished, 0 of them not met; run again with \
             --results "
        ) && said.ends_with("results.jsonl --resume to go on"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("scenario(s) finished"), "said twice: {err}");
    assert_fits_80(&err);
    assert_eq!(
        std::fs::read_to_string(&results).unwrap().lines().count(),
        1
    );
}

#[test]
fn merged_shards_equal_the_unsharded_sweep_for_any_jobs() {
    let dir = scratch("shards");
    let files = three_scenarios();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--format", "json", "--seeds", "30"];
        args.extend(extra);
        args.extend(files.iter().map(String::as_str));
        ftsim(&args)
    };
    let whole = run(&["--jobs", "2"]);
    let single = without_timings(json(&whole));
    assert_eq!(without_timings(json(&run(&["--jobs", "1"]))), single);
    for n in [2, 3] {
        let mut parts = Vec::new();
        for k in 1..=n {
            let o = run(&["--jobs", "1", "--shard", &format!("{k}/{n}")]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "a shard leaves the verdict to merge"
            );
            assert_eq!(json(&o)["shard"], format!("{k}/{n}"));
            let part = dir.join(format!("part-{n}-{k}.json"));
            std::fs::write(&part, &o.stdout).unwrap();
            parts.push(part.display().to_string());
        }
        parts.reverse(); // the order of the parts does not matter
        let mut args = vec!["merge", "--format", "json"];
        args.extend(parts.iter().map(String::as_str));
        let merged = ftsim(&args);
        assert_eq!(merged.status.code(), whole.status.code());
        assert_eq!(without_timings(json(&merged)), single, "{n} shards");
        // A missing shard is an error, not a smaller sweep.
        let o = ftsim(&["merge", &parts[0], &parts[1]][..if n == 3 { 3 } else { 2 }]);
        if n == 3 {
            assert_eq!(o.status.code(), Some(2));
        }
    }
}

#[test]
fn shard_auto_reads_a_job_array() {
    let file = scenario("flooding-f1-two-rounds.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args([
            "run", "--format", "json", "--seeds", "10", "--shard", "auto", &file,
        ])
        .env("JOB_COMPLETION_INDEX", "1")
        .env("JOB_COMPLETIONS", "2")
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let doc = json(&o);
    assert_eq!(doc["shard"], "2/2");
    assert_eq!(doc["scenarios"][0]["runs"], 5);
    let note = String::from_utf8_lossy(&o.stderr);
    assert!(note.starts_with("shard 2/2: each verdict above"), "{note}");
    assert_fits_80(&note);
    let o = ftsim(&["run", "--shard", "auto", &file]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn junit_has_the_usual_shape_and_names_seed_invariant_and_replay() {
    let dir = scratch("junit");
    let file = dir.join("wrong.toml");
    let text = std::fs::read_to_string(scenario("lock-server-stateless-two-owners.toml")).unwrap();
    // The scenario expects the violation it shows (seed 25); claiming a pass makes it fail.
    let wrong = text
        .lines()
        .map(|l| {
            if l.starts_with("expect") {
                "expect = \"pass\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, wrong).unwrap();
    let xml_path = dir.join("junit.xml");
    let good = scenario("flooding-f1-two-rounds.toml");
    let o = ftsim(&[
        "run",
        "--seeds",
        "60",
        "--junit",
        xml_path.to_str().unwrap(),
        &good,
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("junit.xml"));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(
        xml.contains("<testsuites name=\"ftsim\" tests=\"2\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"flooding\" tests=\"1\" failures=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"lock-server\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 1);
    let failure = &xml[xml.find("<failure ").unwrap()..xml.find("</failure>").unwrap()];
    assert!(failure.contains("seed: "), "{failure}");
    assert!(failure.contains("invariant: mutual-exclusion"), "{failure}");
    assert!(
        failure.contains(&format!("replay: ftsim replay {} --seed ", file.display())),
        "{failure}"
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
}

#[test]
fn quiet_shows_only_what_was_not_met_and_color_can_be_forced() {
    let good = scenario("flooding-f1-two-rounds.toml");
    let o = ftsim(&["run", "--quiet", "--seeds", "20", &good, &good]);
    assert_eq!(stdout(&o), "2 scenario(s), every expectation met\n");
    let o = ftsim(&["run", "--seeds", "20", &good]);
    assert!(
        !stdout(&o).contains('\x1b'),
        "NO_COLOR and a pipe: no colour"
    );
    let o = ftsim(&["run", "--color", "always", "--seeds", "20", &good]);
    assert!(stdout(&o).starts_with("\x1b[32mok"), "{}", stdout(&o));
}

/// A triggered crash whose observation or message kind never comes never fires: a sweep that
/// passes without it passed nothing about that crash, and is not met. With the kind spelled
/// right the crash fires: on the observation in every run, on the message in some.
#[test]
fn a_trigger_that_never_fires_makes_a_passing_sweep_vacuous() {
    let text = std::fs::read_to_string(scenario("election-bully-crashes.toml")).unwrap();
    let trigger = "on_observation = \"Leader\"";
    assert!(text.contains(trigger), "the scenario has its trigger");
    let dir = scratch("never-fired");
    let run = |name: &str, edited_trigger: &str| {
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, text.replace(trigger, edited_trigger)).unwrap();
        let o = ftsim(&[
            "run",
            file.to_str().unwrap(),
            "--seeds",
            "20",
            "--format",
            "json",
        ]);
        (o.status.code(), json(&o)["scenarios"][0].clone())
    };
    let (code, summary) = run("observed", trigger);
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(
        summary["faults_fired"]["triggered crash (fired)"], 20,
        "{summary}"
    );
    let (_, summary) = run("received", "on_message = \"Election\"");
    let fired = summary["faults_fired"]["triggered crash (fired)"].as_u64();
    assert!(fired.is_some_and(|n| n > 0), "{summary}");
    assert!(!summary["verdict"]
        .as_str()
        .unwrap()
        .contains("fired a crash"));
    for (name, never) in [
        ("misspelt-observation", "on_observation = \"Leadr\""),
        ("misspelt-message", "on_message = \"Electoin\""),
    ] {
        let (code, summary) = run(name, never);
        assert_eq!(code, Some(1), "{name}: {summary}");
        assert_eq!(summary["faults_fired"]["triggered crash (planned)"], 20);
        assert!(summary["faults_fired"]
            .get("triggered crash (fired)")
            .is_none());
        let verdict = summary["verdict"].as_str().unwrap();
        assert!(
            verdict.contains("not one of the 20 triggered crashes planned fired in 20 runs"),
            "{name}: {verdict}"
        );
        // In words that fit an observation as well as a message kind.
        assert!(
            verdict.contains("what the trigger waits for: that message kind, observation,"),
            "{name}: {verdict}"
        );
    }
}

/// A file with a `[sweep]` grid run with `--results`, then resumed from the whole file: each
/// point takes its own stored result (the key names the point), so the resumed sweep equals
/// the uninterrupted one, exit code included. The points' verdicts differ (two rounds keep
/// agreement, so `outside = "agreement"` is not met; one round breaks it), so a point that
/// took another's result would change the exit code.
#[test]
fn a_resumed_grid_takes_each_points_own_result() {
    let dir = scratch("resume-grid");
    let text = std::fs::read_to_string(scenario("flooding-f1-one-round.toml")).unwrap();
    let grid = format!("{text}\n[sweep]\n\"params.rounds\" = [2, 1]\n");
    let file = dir.join("grid.toml");
    std::fs::write(&file, grid).unwrap();
    let results = dir.join("results.jsonl").display().to_string();
    let file = file.display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--format", "json", "--seeds", "60"];
        args.extend(["--results", &results, &file]);
        args.extend(extra);
        ftsim(&args)
    };
    let whole = run(&[]);
    assert_eq!(whole.status.code(), Some(1), "{}", stdout(&whole));
    let resumed = run(&["--resume"]);
    assert_eq!(resumed.status.code(), whole.status.code());
    assert_eq!(
        without_timings(json(&resumed)),
        without_timings(json(&whole))
    );
    let points = json(&resumed)["scenarios"].as_array().unwrap().len();
    assert_eq!(points, 2);
}

/// `--results` at a symlink replaces the link with the file, as every other output does,
/// rather than writing through it to the link's target; resuming keeps what was read back.
#[cfg(unix)]
#[test]
fn results_at_a_symlink_replace_the_link_not_its_target() {
    let dir = scratch("results-symlink");
    let target = dir.join("target.txt");
    std::fs::write(&target, "not ftsim's\n").unwrap();
    let link = dir.join("results.jsonl");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let file = scenario("flooding-f1-two-rounds.toml");
    let results = link.display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--seeds", "5", "--results", &results, &file];
        args.extend(extra);
        ftsim(&args)
    };
    assert_eq!(run(&[]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "not ftsim's\n");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the link was replaced by a file"
    );
    assert_eq!(std::fs::read_to_string(&link).unwrap().lines().count(), 1);
    let resumed = run(&["--resume"]);
    assert_eq!(resumed.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&link).unwrap().lines().count(), 1);
}

/// Two Ctrl-C while `run --format json` writes its document (a reader slower than the
/// writer: the pipe is full) end the process only once the document is out: what a reader
/// gets parses, and the exit code says the sweep was interrupted.
#[cfg(unix)]
#[test]
fn a_second_ctrl_c_while_the_json_is_written_still_leaves_valid_json() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftsim"))
        .args(["run", "--format", "json", "--seeds", "3"])
        .arg(scenarios_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout_pipe = child.stdout.take().unwrap();
    // The first byte comes once the sweep is done and the document is being written; the
    // document (hundreds of KiB) then fills the pipe, and the writer waits for this reader.
    let mut first = [0u8; 1];
    stdout_pipe.read_exact(&mut first).unwrap();
    let interrupt = || {
        let pid = child.id().to_string();
        let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(status.success());
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    interrupt();
    interrupt();
    let mut rest = Vec::new();
    stdout_pipe.read_to_end(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let mut doc = first.to_vec();
    doc.extend(rest);
    assert!(doc.len() > 128 * 1024, "{} bytes", doc.len());
    let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&doc);
    assert!(parsed.is_ok(), "cut at {} bytes", doc.len());
    assert_eq!(status.code(), Some(130));
}
