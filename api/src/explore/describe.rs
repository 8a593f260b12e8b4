//! A transition in words, for a counterexample's steps.

use sim_core::Process;

use super::state::State;
use super::transition::Transition;

/// What `t` does when taken in `s`.
pub(crate) fn describe<P: Process>(s: &State<P>, t: Transition) -> String {
    match t {
        Transition::Deliver(i) => {
            let e = &s.net[i as usize];
            format!("node {} receives {:?} from node {}", e.to, e.msg, e.from)
        }
        Transition::Lose(i) => {
            let e = &s.net[i as usize];
            format!("{:?} from node {} to node {} is lost", e.msg, e.from, e.to)
        }
        Transition::Fire { node, index } => {
            let timer = &s.armed[node as usize][index as usize];
            format!("node {node}: timer {:?} fires", timer.tag)
        }
        Transition::Crash { node, keep } => {
            let cuttable = s.cuttable(node as usize);
            match cuttable.len() - keep as usize {
                0 => format!("node {node} crashes"),
                lost => format!(
                    "node {node} crashes before its last {lost} message(s) left: {}",
                    lost_messages(s, node as usize, &cuttable[keep as usize..])
                ),
            }
        }
        Transition::Recover(node) => format!("node {node} recovers"),
        Transition::Notice(i) => {
            let n = s.notices[i as usize];
            let what = if n.restore { "recovered" } else { "crashed" };
            format!("node {} is told node {} {what}", n.to, n.about)
        }
    }
}

/// The messages of `node` numbered `seqs` in words, as "msg to node j".
fn lost_messages<P: Process>(s: &State<P>, node: usize, seqs: &[u32]) -> String {
    let mut mine: Vec<_> = (s.net.iter())
        .filter(|e| e.from == node && seqs.contains(&e.seq))
        .collect();
    mine.sort_by_key(|e| e.seq);
    let lost: Vec<String> = mine
        .iter()
        .map(|e| format!("{:?} to node {}", e.msg, e.to))
        .collect();
    lost.join(", ")
}
