//! `run --shard K/N`: one of N machines runs a deterministic slice of the sweep. All the work,
//! every (scenario, seed) in the order given, is cut into N contiguous slices of (nearly) equal
//! numbers of seeds; shard K (1-based) runs slice K. Each scenario's part of a slice is a range
//! of its seeds, so a shard's tally is an ordinary tally, and `ftsim merge` adds the shards'
//! tallies into the one a single machine would have made.
//!
//! `--shard auto` reads the shard from the environment of a job array: a Kubernetes Indexed Job
//! (`JOB_COMPLETION_INDEX`, 0-based, with `JOB_COMPLETIONS` set in the Job's spec to its
//! `completions`), a Slurm array (`SLURM_ARRAY_TASK_ID` from `SLURM_ARRAY_TASK_MIN`,
//! `SLURM_ARRAY_TASK_COUNT`), a GitLab `parallel:` job (`CI_NODE_INDEX`, 1-based,
//! `CI_NODE_TOTAL`) or a Buildkite parallel step (`BUILDKITE_PARALLEL_JOB`, 0-based,
//! `BUILDKITE_PARALLEL_JOB_COUNT`).

use std::fmt;

use ftsim_runner::sweep::Seeds;

use crate::cli::error::CliError;

/// Shard `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl fmt::Display for Shard {
    /// As the user writes it: "2/3" (1-based).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

const SHAPE: &str = "expected --shard K/N with 1 <= K <= N (e.g. 2/3), or --shard auto";

impl Shard {
    /// Reads `K/N` or `auto` (from `env`, a variable's value by name).
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, CliError> {
        if text == "auto" {
            return from_env(env);
        }
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| CliError::Usage(format!("--shard {text:?}: {SHAPE}")))?;
        let number = |s: &str| s.trim().parse::<u64>().ok();
        match (number(k), number(n)) {
            (Some(k), Some(n)) if 1 <= k && k <= n => Ok(Shard {
                index: k - 1,
                count: n,
            }),
            _ => Err(CliError::Usage(format!("--shard {text:?}: {SHAPE}"))),
        }
    }

    /// This shard's part of each scenario's seeds (`all`, in order): the seeds of slice
    /// `index` of the whole sweep's seeds cut into `count` slices.
    pub fn slices(self, all: &[Seeds]) -> Vec<Seeds> {
        let total: u128 = all.iter().map(|s| u128::from(s.count)).sum();
        let cut = |k: u64| total * u128::from(k) / u128::from(self.count);
        let (from, to) = (cut(self.index), cut(self.index + 1));
        let mut before: u128 = 0;
        all.iter()
            .map(|s| {
                let (lo, hi) = (before, before + u128::from(s.count));
                before = hi;
                let (a, b) = (from.clamp(lo, hi), to.clamp(lo, hi));
                Seeds {
                    start: s.start.wrapping_add((a - lo) as u64),
                    count: (b - a) as u64,
                }
            })
            .collect()
    }
}

/// The shard a job array's environment names: the first of the known schedulers whose
/// variables are set.
fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, CliError> {
    let number = |name: &str| -> Result<Option<u64>, CliError> {
        match env(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                CliError::Usage(format!("--shard auto: {name}={v:?} is not a number"))
            }),
        }
    };
    // (index variable, its first value, count variable)
    let known: [(&str, Option<u64>, &str); 4] = [
        ("JOB_COMPLETION_INDEX", Some(0), "JOB_COMPLETIONS"),
        (
            "SLURM_ARRAY_TASK_ID",
            number("SLURM_ARRAY_TASK_MIN")?.or(Some(0)),
            "SLURM_ARRAY_TASK_COUNT",
        ),
        ("CI_NODE_INDEX", Some(1), "CI_NODE_TOTAL"),
        (
            "BUILDKITE_PARALLEL_JOB",
            Some(0),
            "BUILDKITE_PARALLEL_JOB_COUNT",
        ),
    ];
    for (index_var, first, count_var) in known {
        let Some(index) = number(index_var)? else {
            continue;
        };
        let count = number(count_var)?.ok_or_else(|| {
            CliError::Usage(format!(
                "--shard auto: {index_var} is set but {count_var} is not (set it to the \
                 number of shards)"
            ))
        })?;
        let first = first.unwrap_or(0);
        return match index.checked_sub(first) {
            Some(i) if i < count => Ok(Shard { index: i, count }),
            _ => Err(CliError::Usage(format!(
                "--shard auto: {index_var}={index} is not within the {count} shard(s) of \
                 {count_var}"
            ))),
        };
    }
    Err(CliError::Usage(
        "--shard auto: no job array in the environment (JOB_COMPLETION_INDEX, \
         SLURM_ARRAY_TASK_ID, CI_NODE_INDEX or BUILDKITE_PARALLEL_JOB)"
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn slices_cover_every_seed_once() {
        let all = [
            Seeds { start: 0, count: 7 },
            Seeds {
                start: 100,
                count: 0,
            },
            Seeds { start: 5, count: 4 },
        ];
        for count in 1..=13 {
            let mut seen: Vec<(usize, u64)> = Vec::new();
            for index in 0..count {
                let part = Shard { index, count }.slices(&all);
                for (i, s) in part.iter().enumerate() {
                    seen.extend(s.range().map(|seed| (i, seed)));
                }
            }
            let expected: Vec<(usize, u64)> = all
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.range().map(move |seed| (i, seed)))
                .collect();
            assert_eq!(seen, expected, "{count} shards");
        }
    }

    #[test]
    fn parses_k_of_n_and_job_arrays() {
        let none = env(&[]);
        assert_eq!(
            Shard::parse("2/3", &none).unwrap(),
            Shard { index: 1, count: 3 }
        );
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(Shard::parse(bad, &none).is_err(), "{bad}");
        }
        assert!(Shard::parse("auto", &none).is_err());
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2"), ("JOB_COMPLETIONS", "4")]);
        assert_eq!(
            Shard::parse("auto", &k8s).unwrap(),
            Shard { index: 2, count: 4 }
        );
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Shard::parse("auto", &slurm).unwrap(),
            Shard { index: 4, count: 8 }
        );
        let gitlab = env(&[("CI_NODE_INDEX", "3"), ("CI_NODE_TOTAL", "3")]);
        assert_eq!(
            Shard::parse("auto", &gitlab).unwrap(),
            Shard { index: 2, count: 3 }
        );
        let half = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert!(Shard::parse("auto", &half).is_err());
    }
}
