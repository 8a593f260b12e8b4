//! Passes over the recorded decisions. Each edits a class of decisions toward its simplest
//! outcome — dropped and duplicated messages back into single deliveries, delays to the
//! shortest, a process's or an adversary's picks to the first, torn writes to none kept — many
//! at once, then fewer
//! (halving the group until single decisions are tried), so that a run whose noise is all
//! irrelevant loses it in one step and a run that needs one lost message keeps just that one.

use sim_core::{Choice, Draw};

use super::search::Search;

/// A class of decisions a pass edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// The network's chance events: losses, duplications, omissions.
    Network,
    /// Message delays.
    Delays,
    /// A process's or an adversary's draws, the detector's mistakes, torn writes.
    Picks,
}

impl Class {
    fn contains(self, draw: Draw) -> bool {
        match draw {
            Draw::Loss { .. }
            | Draw::Duplicate { .. }
            | Draw::SendOmission { .. }
            | Draw::ReceiveOmission { .. } => self == Class::Network,
            Draw::Delay { .. } | Draw::DelayTail { .. } => self == Class::Delays,
            Draw::Tamper { .. } | Draw::Tear { .. } | Draw::Chance { .. } | Draw::Pick => {
                self == Class::Picks
            }
        }
    }
}

/// The decisions of `class` not yet at their simplest outcome, by index.
fn targets(choices: &[Choice], class: Class) -> Vec<usize> {
    let simplest = |c: &Choice| match c.draw.chance_ppm() {
        // Any outcome at or above the chance is "did not happen": as simple as the last one.
        Some(_) => !c.draw.happens(c.value),
        None => c.value == c.draw.simplest(c.bound),
    };
    (0..choices.len())
        .filter(|&i| class.contains(choices[i].draw) && !simplest(&choices[i]))
        .collect()
}

/// Moves decisions of `class` to their simplest outcomes: all of them at once, then halves,
/// quarters, … down to one at a time, keeping every edit that still fails.
pub(crate) fn simplify(search: &mut Search, class: Class) {
    let mut chunk = targets(&search.best.choices, class).len();
    while chunk > 0 && !search.exhausted() {
        let t = targets(&search.best.choices, class);
        let progressed = t.chunks(chunk).any(|group| {
            let mut choices = search.best.choices.clone();
            for &i in group {
                choices[i].value = choices[i].draw.simplest(choices[i].bound);
            }
            search.attempt_choices(choices)
        });
        if !progressed {
            chunk /= 2;
        } else {
            chunk = chunk.min(targets(&search.best.choices, class).len());
        }
    }
}

/// Moves each remaining delay halfway to the shortest, one at a time: a delay that must stay
/// long (a message that has to arrive late) still loses what it does not need.
pub(crate) fn halve_delays(search: &mut Search) {
    let count = targets(&search.best.choices, Class::Delays).len();
    for k in 0..count {
        if search.exhausted() {
            return;
        }
        let t = targets(&search.best.choices, Class::Delays);
        let Some(&i) = t.get(k) else { return };
        let mut choices = search.best.choices.clone();
        let c = &mut choices[i];
        let simplest = c.draw.simplest(c.bound);
        c.value = if c.value > simplest {
            simplest + (c.value - simplest) / 2
        } else {
            c.value + (simplest - c.value).div_ceil(2)
        };
        search.attempt_choices(choices);
    }
}
