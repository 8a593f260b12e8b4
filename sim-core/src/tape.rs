//! Recorded decisions. A [`Recorder`] keeps every decision a run makes ([`Choice`]: its stream,
//! what it decides, its number of outcomes and the outcome); a [`Tape`] answers a run from such a
//! recording instead of a seed. Replaying an unchanged run reproduces it exactly. Replaying an
//! edited run (a shrinker's candidate, or a run of a changed protocol) still answers each
//! decision by what it decides — a message's fate by its message, a process's draws in their
//! order — and answers a decision the recording lacks with its simplest outcome, counting it as
//! a divergence, so the caller knows whether the run is the recorded one.

use std::borrow::Cow;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use crate::entropy::{Choices, DetHasher, Draw, Schedule, Stream};

/// One recorded decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The purpose of the decision.
    pub stream: Stream,
    /// What it decides.
    #[serde(flatten)]
    pub draw: Draw,
    /// How many outcomes it had.
    pub bound: u64,
    /// The outcome chosen.
    pub value: u64,
}

/// Records every decision made by an inner source, so the run can be replayed from the tape.
pub struct Recorder<C> {
    /// Where the decisions come from.
    pub inner: C,
    /// Every decision so far, in order.
    pub tape: Vec<Choice>,
}

impl<C: Choices> Recorder<C> {
    /// A recorder of the decisions `inner` makes.
    pub fn new(inner: C) -> Self {
        Recorder {
            inner,
            tape: Vec::new(),
        }
    }
}

impl<C: Choices> Choices for Recorder<C> {
    fn choose(&mut self, stream: Stream, draw: Draw, bound: u64) -> u64 {
        let value = self.inner.choose(stream, draw, bound);
        self.tape.push(Choice {
            stream,
            draw,
            bound,
            value,
        });
        value
    }

    fn script(&mut self) -> Option<&mut dyn Schedule> {
        self.inner.script()
    }
}

/// The first decision a replay could not take from its tape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    /// Its position among the run's decisions (from 0).
    pub index: u64,
    /// Its purpose.
    pub stream: Stream,
    /// What it decides.
    pub draw: Draw,
    /// Its number of outcomes.
    pub bound: u64,
    /// The number of outcomes the tape recorded for it, if the tape has it with another bound.
    pub recorded_bound: Option<u64>,
}

/// Where the replay is in the recorded decisions of one kind: the next unused one, and the
/// last one (where a later decision of the kind is linked on while the tape is built).
#[derive(Clone, Copy)]
struct Cursor {
    next: usize,
    last: usize,
}

/// Per kind of decision, where the replay is in its recorded ones.
#[allow(clippy::disallowed_types)] // looked up only, never iterated, and its hasher is fixed
type Kinds = std::collections::HashMap<(Stream, Draw), Cursor, BuildHasherDefault<DetHasher>>;

/// The end of a chain of decisions of one kind.
const END: usize = usize::MAX;

/// Replays recorded decisions. Each decision is looked up by its stream and what it decides
/// (so a message's loss is the recorded loss of that message, wherever the run now asks for it);
/// decisions of the same kind (a process's picks, the two arrivals of a duplicated message) are
/// answered in their recorded order. A decision the tape lacks, or has with another number of
/// outcomes, gets its simplest outcome ([`Draw::simplest`]) and counts as a divergence.
///
/// While the run asks exactly the recorded decisions in their order (a replay of the recorded
/// run, or a shrinker's candidate up to its first edit), each is the next on the tape: no
/// lookup, and nothing built. From the first decision asked out of order, the unused rest is
/// indexed: each linked to the next of its kind, and a map with a fixed hasher finding a
/// kind's next unused one (one lookup a decision, no memory of its own for a kind asked once,
/// such as a message's delay). Only lookups read the map, never its order, so what a replay
/// answers does not depend on the hasher. (A `BTreeMap` of a `Vec` per kind, built for every
/// tape, spent a third of a shrink's time.)
pub struct Tape<'a> {
    /// The recording, lent (a shrinker's candidate, a repro being replayed) or owned.
    choices: Cow<'a, [Choice]>,
    /// While every decision asked so far was the next on the tape: how many were asked (all of
    /// `choices[..at]` are used and none after); `None` once one was not, and `kinds` answers.
    in_order: Option<usize>,
    /// Per recorded decision, the index of the next unused one of its kind ([`END`] after the
    /// last); built when the run leaves the recorded order.
    next_of_kind: Vec<usize>,
    kinds: Kinds,
    used: u64,
    asked: u64,
    /// Decisions asked for that did not match the tape (a changed run), answered by a default.
    pub divergences: u64,
    /// The first of them.
    pub first_divergence: Option<Divergence>,
}

impl<'a> Tape<'a> {
    /// A tape that answers with `choices`: a recording it owns (`Vec<Choice>`) or one it is
    /// lent (`&[Choice]`, not copied).
    pub fn new(choices: impl Into<Cow<'a, [Choice]>>) -> Self {
        Tape {
            choices: choices.into(),
            in_order: Some(0),
            next_of_kind: Vec::new(),
            kinds: Kinds::default(),
            used: 0,
            asked: 0,
            divergences: 0,
            first_divergence: None,
        }
    }

    /// Indexes the decisions from `first` on (none of them used yet), by kind, in order.
    fn index_kinds(&mut self, first: usize) {
        self.in_order = None;
        self.next_of_kind = vec![END; self.choices.len()];
        self.kinds.reserve(self.choices.len() - first);
        for (index, c) in self.choices.iter().enumerate().skip(first) {
            self.kinds
                .entry((c.stream, c.draw))
                .and_modify(|kind| {
                    self.next_of_kind[kind.last] = index;
                    kind.last = index;
                })
                .or_insert(Cursor {
                    next: index,
                    last: index,
                });
        }
    }

    /// Takes the next unused recorded decision of this kind, if any.
    fn take(&mut self, stream: Stream, draw: Draw) -> Option<Choice> {
        if let Some(at) = self.in_order {
            match self.choices.get(at) {
                Some(&c) if c.stream == stream && c.draw == draw => {
                    self.in_order = Some(at + 1);
                    self.used += 1;
                    return Some(c);
                }
                _ => self.index_kinds(at),
            }
        }
        let kind = self.kinds.get_mut(&(stream, draw))?;
        let index = kind.next;
        if index == END {
            return None;
        }
        kind.next = self.next_of_kind[index];
        self.used += 1;
        Some(self.choices[index])
    }

    /// Recorded decisions the run never asked for (nonzero: the run took another path).
    pub fn unused(&self) -> u64 {
        self.choices.len() as u64 - self.used
    }

    /// Whether the replay took every decision from the tape and used all of it.
    pub fn is_exact(&self) -> bool {
        self.divergences == 0 && self.unused() == 0
    }

    fn diverge(&mut self, stream: Stream, draw: Draw, bound: u64, recorded: Option<u64>) -> u64 {
        self.divergences += 1;
        if self.first_divergence.is_none() {
            self.first_divergence = Some(Divergence {
                index: self.asked,
                stream,
                draw,
                bound,
                recorded_bound: recorded,
            });
        }
        draw.simplest(bound)
    }
}

impl Choices for Tape<'_> {
    fn choose(&mut self, stream: Stream, draw: Draw, bound: u64) -> u64 {
        let next = self.take(stream, draw);
        let value = match next {
            Some(c) if c.bound == bound && c.value < bound => c.value,
            Some(c) => self.diverge(stream, draw, bound, Some(c.bound)),
            None => self.diverge(stream, draw, bound, None),
        };
        self.asked += 1;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::{chance, Seeded, PPM};
    use crate::message::MsgKey;

    fn key(seq: u64) -> MsgKey {
        MsgKey {
            from: 0,
            to: 1,
            seq,
        }
    }

    #[test]
    fn tape_replays_recording() {
        let mut rec = Recorder::new(Seeded::new(9));
        let first: Vec<u64> = (0..50)
            .map(|i| rec.choose(Stream::Process(i % 3), Draw::Pick, 100 + i as u64))
            .collect();
        let mut tape = Tape::new(rec.tape);
        let again: Vec<u64> = (0..50)
            .map(|i| tape.choose(Stream::Process(i % 3), Draw::Pick, 100 + i as u64))
            .collect();
        assert_eq!(first, again);
        assert!(tape.is_exact());
        tape.choose(Stream::Network, Draw::Pick, 5);
        assert_eq!(tape.divergences, 1);
        assert_eq!(tape.first_divergence.map(|d| d.index), Some(50));
    }

    #[test]
    fn a_message_keeps_its_fate_when_asked_in_another_order() {
        let delay = |seq| Draw::Delay {
            msg: key(seq),
            copy: false,
        };
        let recorded = vec![
            Choice {
                stream: Stream::Network,
                draw: delay(0),
                bound: 100,
                value: 7,
            },
            Choice {
                stream: Stream::Network,
                draw: delay(1),
                bound: 100,
                value: 40,
            },
        ];
        let mut tape = Tape::new(recorded);
        assert_eq!(tape.choose(Stream::Network, delay(1), 100), 40);
        assert_eq!(tape.choose(Stream::Network, delay(0), 100), 7);
        assert!(tape.is_exact());
    }

    #[test]
    fn a_missing_decision_gets_its_simplest_outcome() {
        let loss = Draw::Loss {
            msg: key(3),
            ppm: 500_000,
        };
        let mut tape = Tape::new(vec![Choice {
            stream: Stream::Network,
            draw: Draw::Pick,
            bound: 10,
            value: 4,
        }]);
        let v = tape.choose(Stream::Network, loss, 1_000_000);
        assert!(!loss.happens(v), "an unrecorded loss must not happen");
        assert_eq!(
            tape.choose(Stream::Network, Draw::Pick, 11),
            0,
            "other bound"
        );
        assert_eq!(tape.divergences, 2);
        assert_eq!(tape.unused(), 0);
        assert_eq!(tape.first_divergence.and_then(|d| d.recorded_bound), None);
    }

    /// A decision of a kind recorded several times takes them in their recorded order, past
    /// decisions of other kinds; one asked with another bound uses up its recorded outcome
    /// (and diverges); what is never asked counts as unused.
    #[test]
    fn decisions_of_one_kind_come_in_recorded_order_and_are_used_up() {
        let pick = |bound, value| Choice {
            stream: Stream::Process(1),
            draw: Draw::Pick,
            bound,
            value,
        };
        let other = Choice {
            stream: Stream::Network,
            draw: Draw::Pick,
            bound: 4,
            value: 3,
        };
        let mut tape = Tape::new(vec![
            pick(10, 1),
            other,
            pick(10, 2),
            pick(7, 6),
            pick(10, 3),
        ]);
        assert_eq!(tape.choose(Stream::Process(1), Draw::Pick, 10), 1);
        assert_eq!(tape.choose(Stream::Process(1), Draw::Pick, 10), 2);
        assert_eq!(
            tape.choose(Stream::Process(1), Draw::Pick, 10),
            0,
            "recorded with 7"
        );
        assert_eq!(
            tape.first_divergence.and_then(|d| d.recorded_bound),
            Some(7)
        );
        assert_eq!(tape.unused(), 2);
        assert_eq!(tape.choose(Stream::Process(1), Draw::Pick, 10), 3);
        assert_eq!(
            tape.choose(Stream::Process(1), Draw::Pick, 10),
            0,
            "none left"
        );
        assert_eq!((tape.divergences, tape.unused()), (2, 1));
        assert_eq!(tape.choose(Stream::Network, Draw::Pick, 4), 3);
        assert_eq!(tape.unused(), 0);
        assert!(!tape.is_exact());
    }

    /// Against the plainest model of a tape (each ask takes the first unused recorded decision
    /// of its kind), over recordings replayed in order for a while and then edited: the same
    /// answers, divergences and unused count, whether the tape is still in order or indexed.
    #[test]
    fn answers_as_the_first_unused_decision_of_its_kind() {
        let mut random = Seeded::new(42);
        let mut next = |below: u64| random.choose(Stream::Process(0), Draw::Pick, below);
        let kinds: Vec<(Stream, Draw)> = (0..4)
            .map(|seq| {
                let draw = Draw::Delay {
                    msg: key(seq),
                    copy: false,
                };
                (Stream::Network, draw)
            })
            .chain((0..3).map(|node| (Stream::Process(node), Draw::Pick)))
            .collect();
        let choice = |next: &mut dyn FnMut(u64) -> u64| {
            let (stream, draw) = kinds[next(kinds.len() as u64) as usize];
            let bound = 2 + next(2);
            Choice {
                stream,
                draw,
                bound,
                value: next(bound),
            }
        };
        for _ in 0..300 {
            let recorded: Vec<Choice> = (0..next(30)).map(|_| choice(&mut next)).collect();
            let mut model: Vec<Option<Choice>> = recorded.iter().copied().map(Some).collect();
            let mut tape = Tape::new(recorded.clone());
            let in_order = next(recorded.len() as u64 + 1) as usize;
            let asks: Vec<Choice> = recorded[..in_order]
                .iter()
                .copied()
                .chain((0..next(30)).map(|_| choice(&mut next)))
                .collect();
            let mut divergences = 0;
            for ask in asks {
                let taken = model
                    .iter_mut()
                    .find(|c| c.is_some_and(|c| (c.stream, c.draw) == (ask.stream, ask.draw)))
                    .and_then(Option::take);
                let expected = match taken {
                    Some(c) if c.bound == ask.bound => c.value,
                    _ => {
                        divergences += 1;
                        ask.draw.simplest(ask.bound)
                    }
                };
                assert_eq!(tape.choose(ask.stream, ask.draw, ask.bound), expected);
            }
            let unused = model.iter().filter(|c| c.is_some()).count() as u64;
            assert_eq!((tape.divergences, tape.unused()), (divergences, unused));
        }
    }

    /// A chance that is certain either way draws nothing: the recorder keeps no decision.
    #[test]
    fn chance_extremes_draw_nothing() {
        let mut s = Recorder::new(Seeded::new(3));
        assert!(!chance(&mut s, Stream::Network, Draw::Chance { ppm: 0 }));
        assert!(chance(&mut s, Stream::Network, Draw::Chance { ppm: PPM }));
        assert!(!chance(&mut s, Stream::Network, Draw::Pick));
        assert!(s.tape.is_empty());
    }

    #[test]
    fn a_choice_reads_back_from_json() {
        let c = Choice {
            stream: Stream::Process(2),
            draw: Draw::Delay {
                msg: key(1),
                copy: true,
            },
            bound: 9,
            value: 3,
        };
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Choice>(&text).unwrap(), c, "{text}");
    }
}
