//! The recovery-line search of the independent modes, over every process's checkpoint
//! counters: a line (one checkpoint per process) is a consistent cut when no process's
//! checkpoint has received more from a peer than that peer's checkpoint had sent (an orphan).
//! Each line is returned as `((process, position in its list), checkpoint index)` per process.

use super::messages::Meta;

/// Each process's latest checkpoint, consistent or not.
pub fn latest_line(lists: &[Vec<Meta>]) -> Vec<((usize, usize), u64)> {
    lists
        .iter()
        .enumerate()
        .map(|(p, l)| ((p, l.len() - 1), l[l.len() - 1].index))
        .collect()
}

/// The latest consistent line: start from the latest checkpoints and, while some process has
/// received more from a peer than that peer's line checkpoint had sent (an orphan), roll the
/// receiver back one checkpoint. Initial checkpoints are all zero, so this terminates, at the
/// initial state if the rollbacks cascade (the domino effect).
pub fn consistent_line(lists: &[Vec<Meta>]) -> Vec<((usize, usize), u64)> {
    let mut at: Vec<usize> = lists.iter().map(|l| l.len() - 1).collect();
    loop {
        let orphan = (0..lists.len()).find_map(|j| {
            (0..lists.len())
                .find(|&i| lists[j][at[j]].recv[i] > lists[i][at[i]].sent[j])
                .map(|_| j)
        });
        match orphan {
            Some(j) if at[j] > 0 => at[j] -= 1,
            _ => break,
        }
    }
    at.iter()
        .enumerate()
        .map(|(p, &k)| ((p, k), lists[p][k].index))
        .collect()
}
