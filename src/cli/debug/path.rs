//! A hand-driven path as a link writes it: its moves separated by commas, each the index of
//! the move among those enabled where it is taken, and `.PLAN` when its handler's draws took a
//! branch other than the first (`0,3,1.2`; empty: the initial state). The same text is the
//! page's address (`?path=…`), so a link shows a position to anyone.

use ftsim_runner::explore::{Move, MAX_PATH_STEPS};

/// `text` as a path, or why it is not one.
pub fn parse(text: &str) -> Result<Vec<Move>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let steps: Vec<&str> = text.split(',').collect();
    if steps.len() > MAX_PATH_STEPS {
        return Err(format!(
            "the path has {} steps; at most {MAX_PATH_STEPS} are followed",
            steps.len()
        ));
    }
    (steps.iter().enumerate())
        .map(|(i, step)| parse_step(step.trim()).ok_or_else(|| bad_step(i + 1, step)))
        .collect()
}

/// One step, `INDEX` or `INDEX.PLAN`.
fn parse_step(step: &str) -> Option<Move> {
    let (index, plan) = match step.split_once('.') {
        Some((index, plan)) => (index, plan),
        None => (step, "0"),
    };
    let number = |s: &str| {
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| s.parse::<u32>().ok()).flatten()
    };
    Some(Move {
        index: number(index)?,
        plan: number(plan)?,
    })
}

fn bad_step(step: usize, text: &str) -> String {
    let shown: String = text.chars().take(24).collect();
    format!(
        "step {step} of the path is {shown:?}: expected a move's number (0, 1, …), or a \
         number and a branch (3.1), steps separated by commas"
    )
}

/// `path` as its text.
pub fn format(path: &[Move]) -> String {
    let steps: Vec<String> = path.iter().map(|&mv| format_move(mv)).collect();
    steps.join(",")
}

/// One move as a path step.
pub fn format_move(mv: Move) -> String {
    match mv.plan {
        0 => mv.index.to_string(),
        plan => format!("{}.{plan}", mv.index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_reads_back_as_written() {
        let path = parse("0,3,1.2, 7").expect("a path");
        let plans: Vec<(u32, u32)> = path.iter().map(|m| (m.index, m.plan)).collect();
        assert_eq!(plans, [(0, 0), (3, 0), (1, 2), (7, 0)]);
        assert_eq!(format(&path), "0,3,1.2,7");
        assert_eq!(parse("").expect("empty"), []);
    }

    #[test]
    fn a_bad_step_is_named() {
        for (text, step) in [
            ("0,x", 2),
            ("1,,2", 2),
            ("-1", 1),
            ("1.2.3", 1),
            ("99999999999", 1),
        ] {
            let error = parse(text).expect_err(text);
            assert!(
                error.starts_with(&format!("step {step} ")),
                "{text}: {error}"
            );
        }
        let long = vec!["0"; MAX_PATH_STEPS + 1].join(",");
        assert!(parse(&long).expect_err("too long").contains("at most"));
    }
}
