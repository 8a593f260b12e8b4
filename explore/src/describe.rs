//! A transition in words, for a counterexample's steps.

use sim_core::{Choice, Process};

use super::draws::Taken;
use super::model::Model;
use super::state::State;
use super::stepper::{Stepper, Verdict};
use super::transition::Transition;

/// Replays `path` from the initial state, describing each step (with the outcomes of the
/// draws its handler made, when it made any); the last step's verdict.
pub(crate) fn path<P>(model: &Model<P>, path: &[Taken]) -> (Vec<String>, Verdict)
where
    P: Process + Clone,
{
    let mut stepper = Stepper::new(model);
    let (mut state, mut verdict) = stepper.initial();
    let mut steps = Vec::with_capacity(path.len());
    for (i, &step) in path.iter().enumerate() {
        let mut words = describe(model, &state, step.t);
        let drawn;
        (verdict, drawn) = take_described(&mut stepper, &mut state, step, i);
        words.push_str(&drawn);
        steps.push(words);
    }
    (steps, verdict)
}

/// Takes `step` (the `i`th of its path, from 0) in `state`, recording its handler's draws:
/// its verdict, and the outcomes of the draws that had a choice, in words (" (…)", or empty).
pub(crate) fn take_described<P: Process + Clone>(
    stepper: &mut Stepper<'_, P>,
    state: &mut State<P>,
    step: Taken,
    i: usize,
) -> (Verdict, String) {
    stepper.choices.record = Some(Vec::new());
    let verdict = stepper.take(state, step, i as u64 + 1);
    let drawn = stepper.choices.record.take().unwrap_or_default();
    (verdict, outcomes_in_words(&drawn))
}

/// The outcomes of a step's draws that had a choice, in words: " (…)", or empty if none had.
pub(crate) fn outcomes_in_words(drawn: &[Choice]) -> String {
    let drawn: Vec<String> = drawn.iter().filter_map(outcome).collect();
    match drawn.is_empty() {
        true => String::new(),
        false => format!(" ({})", drawn.join(", ")),
    }
}

/// A draw's outcome in words, if it had a choice (more than one outcome).
fn outcome(c: &Choice) -> Option<String> {
    match c.draw.chance_ppm() {
        Some(ppm) => Some(format!(
            "a {ppm} ppm chance {}",
            if c.draw.happens(c.value) {
                "happens"
            } else {
                "does not happen"
            }
        )),
        None if c.bound > 1 => Some(format!("drew {} of 0..{}", c.value, c.bound)),
        None => None,
    }
}

/// What `t` does when taken in `s`.
pub(crate) fn describe<P: Process>(model: &Model<P>, s: &State<P>, t: Transition) -> String {
    match t {
        Transition::Start(placement) => {
            let nodes: Vec<usize> = model.config.placements[placement as usize].iter().collect();
            let adversary = model.adversary.as_ref().map_or("", |a| &a.name);
            format!(
                "the nodes start, {} Byzantine (adversary \"{adversary}\")",
                sim_core::nodes_phrase(&nodes)
            )
        }
        Transition::Deliver(i) => {
            let e = &s.net[i as usize];
            format!(
                "node {} receives {:?} from node {}",
                e.to(),
                e.msg,
                e.from()
            )
        }
        Transition::Lose(i) => {
            let e = &s.net[i as usize];
            format!(
                "{:?} from node {} to node {} is lost",
                e.msg,
                e.from(),
                e.to()
            )
        }
        Transition::Fire { node, index } => {
            let timer = &s.armed(node as usize)[index as usize];
            format!("node {node}: timer {:?} fires", timer.tag)
        }
        Transition::Crash { node, keep } => {
            let cuttable = s.net.cuttable(node as usize);
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
            let n = s.notices()[i as usize];
            let what = if n.restore { "recovered" } else { "crashed" };
            format!("node {} is told node {} {what}", n.to, n.about)
        }
    }
}

/// The messages of `node` numbered `seqs` in words, as "msg to node j".
fn lost_messages<P: Process>(s: &State<P>, node: usize, seqs: &[u32]) -> String {
    let mut mine: Vec<_> = (s.net.iter())
        .filter(|e| e.from() == node && seqs.contains(&e.seq))
        .collect();
    mine.sort_by_key(|e| e.seq);
    let lost: Vec<String> = mine
        .iter()
        .map(|e| format!("{:?} to node {}", e.msg, e.to()))
        .collect();
    lost.join(", ")
}
