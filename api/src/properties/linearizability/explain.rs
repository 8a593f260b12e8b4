//! What a non-linearizable history is shown as: the operation whose response ends the smallest
//! non-linearizable prefix (the culprit), the states its object could be in when it was
//! invoked (each with the operation that last set it), and the operations open during its
//! interval. Those are the non-linearizable part: whatever came before is summed up by the
//! states, and no order of the culprit and the open operations, from any of those states,
//! gives the outputs they returned. The completed operations that pin those states are named
//! too (an operation pins them when, had its outcome been unknown, the object could have been
//! in more states), and a linearization of the history just before the culprit's response
//! (the longest linearizable prefix) is given in order. Every operation named comes with its
//! event numbers, and the explanation lists the events so a diagram can ring them.

use std::collections::BTreeSet;

use super::budget::Budget;
use super::frontier::Frontier;
use super::history::Operation;
use super::model::SequentialModel;
use super::prefix;

/// At most this many of the operations completed last before the culprit's invocation are
/// tried as pins (each is one more replay of the prefix).
const PIN_CANDIDATES: usize = 16;

/// At most this many states and concurrent operations are spelled out in a message.
const SHOWN: usize = 5;

/// Why a history is not linearizable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The object, in words (`None` when the model has a single object).
    pub key: Option<String>,
    /// The operation (an index into the history) whose response ends the smallest
    /// non-linearizable prefix.
    pub culprit: usize,
    /// The states the object could be in when the culprit was invoked, each with the
    /// operation that last set it (`None`: the initial state). Empty if there were too many
    /// configurations to follow.
    pub states: Vec<(String, Option<usize>)>,
    /// The other operations on the object open at some point of the culprit's interval.
    pub concurrent: Vec<usize>,
    /// The completed operations that pin the states: had one of them an unknown outcome (as
    /// if it never returned), the object could have been in more states.
    pub pins: Vec<usize>,
    /// A linearization of the object's operations just before the culprit's response, in the
    /// order they take effect (empty if the search did not find it within its budget).
    pub order: Vec<usize>,
    /// Whether the culprit's response is known to end the smallest non-linearizable prefix
    /// of the whole history (false: a budget ran out before that was settled; the history
    /// through it is not linearizable all the same).
    pub smallest: bool,
    /// Other keys that could not be judged up to the culprit's response within the limits
    /// (a smaller non-linearizable prefix may end on one of them).
    pub unjudged: Vec<String>,
    /// The whole explanation in words, citing events ("event #12").
    pub message: String,
    /// Every event the message names: the culprit's invocation and response, and those of
    /// the operations that set the states and of the concurrent ones (up to the response).
    pub events: Vec<u64>,
}

/// The explanation of a history whose prefix through `culprit`'s response is not
/// linearizable on the object `key` (whose operations are `key_ops`); searches within
/// `budget` for the order before it.
pub(crate) fn explain<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    (key, key_ops): (&M::Key, &[usize]),
    culprit: usize,
    (budget, max_configs): (Budget<'_>, usize),
) -> Explanation {
    let c = &ops[culprit];
    let end = c.return_pos;
    let states = Frontier::replay(model, ops, key_ops, c.call_pos, max_configs)
        .map(|f| f.states())
        .unwrap_or_default();
    let pins = pins(model, ops, key_ops, culprit, (&states, max_configs));
    let order = prefix::order_before(model, ops, key_ops, culprit, budget);
    let concurrent: Vec<usize> = key_ops
        .iter()
        .copied()
        .filter(|&o| o != culprit && ops[o].overlaps(c))
        .collect();
    let say = Phrases { model, ops, end };
    let object = match model.describe_key(key) {
        Some(k) => format!("key {k}"),
        None => format!("the {}", model.object_name()),
    };
    let mut message = format!(
        "{} cannot be linearized: the history is linearizable until this response, not with it.",
        say.op(culprit)
    );
    let mut events = say.events(culprit);
    if states.is_empty() {
        message.push_str(" (Too many configurations to say what state it started from.)");
    } else {
        let shown: Vec<String> = states
            .iter()
            .take(SHOWN)
            .map(|(state, last)| {
                let s = model.describe_state(state);
                match last {
                    Some(op) => {
                        events.extend(say.events(*op));
                        format!("{s} (set by {})", say.op(*op))
                    }
                    None => format!("{s} (initial)"),
                }
            })
            .collect();
        message.push_str(&format!(
            " When it was invoked, {object} could only be {}{}.",
            shown.join(" or "),
            more(states.len())
        ));
    }
    let setters: BTreeSet<usize> = states.iter().filter_map(|(_, l)| *l).collect();
    let other_pins: Vec<usize> = pins
        .iter()
        .copied()
        .filter(|p| !setters.contains(p))
        .collect();
    if !other_pins.is_empty() {
        let shown: Vec<String> = other_pins.iter().take(SHOWN).map(|&o| say.op(o)).collect();
        events.extend(other_pins.iter().take(SHOWN).flat_map(|&o| say.events(o)));
        message.push_str(&format!(
            " Pinned by {}{}.",
            shown.join("; "),
            more(other_pins.len())
        ));
    }
    if concurrent.is_empty() {
        message.push_str(" No other operation on it was open meanwhile.");
    } else {
        let shown: Vec<String> = concurrent.iter().take(SHOWN).map(|&o| say.op(o)).collect();
        events.extend(concurrent.iter().take(SHOWN).flat_map(|&o| say.events(o)));
        message.push_str(&format!(
            " Open meanwhile: {}{}.",
            shown.join("; "),
            more(concurrent.len())
        ));
    }
    events.sort_unstable();
    events.dedup();
    Explanation {
        key: model.describe_key(key),
        culprit,
        states: states
            .iter()
            .map(|(s, l)| (model.describe_state(s), *l))
            .collect(),
        concurrent,
        pins,
        order,
        smallest: true,
        unjudged: Vec::new(),
        message,
        events,
    }
}

impl Explanation {
    /// Records that the culprit is not known to end the smallest non-linearizable prefix:
    /// its own key's search ran out (`smallest` false), or other keys were `unjudged`.
    pub(crate) fn not_known_smallest(&mut self, smallest: bool, unjudged: Vec<String>) {
        if !smallest {
            self.message.push_str(
                " (A shorter prefix of this key may already not be linearizable: the search \
                 for the smallest ran out of its limits.)",
            );
        }
        if !unjudged.is_empty() {
            self.message.push_str(&format!(
                " (Keys not judged up to this response within the limits: {}.)",
                unjudged.join(", ")
            ));
        }
        self.smallest = smallest && unjudged.is_empty();
        self.unjudged = unjudged;
    }
}

/// A state the object could be in, with the operation that last set it.
type StateSetBy<M> = (<M as SequentialModel>::State, Option<usize>);

/// The completed operations on the object, returned before the culprit's invocation, that pin
/// `states` (the states the object could be in then): had one of them an unknown outcome,
/// the object could have been in more states. The setters of the states are tried, and the
/// [`PIN_CANDIDATES`] operations that returned last before the invocation.
fn pins<M: SequentialModel>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    key_ops: &[usize],
    culprit: usize,
    (states, max_configs): (&[StateSetBy<M>], usize),
) -> Vec<usize> {
    let until = ops[culprit].call_pos;
    if states.is_empty() {
        return Vec::new();
    }
    let mut before: Vec<usize> = key_ops
        .iter()
        .copied()
        .filter(|&o| ops[o].return_pos < until)
        .collect();
    before.sort_unstable_by_key(|&o| std::cmp::Reverse(ops[o].return_pos));
    let mut candidates: BTreeSet<usize> = before.into_iter().take(PIN_CANDIDATES).collect();
    candidates.extend(
        states
            .iter()
            .filter_map(|(_, l)| *l)
            .filter(|&o| ops[o].return_pos < until),
    );
    let known: BTreeSet<&M::State> = states.iter().map(|(s, _)| s).collect();
    let local: Vec<Operation<M::Input, M::Output>> = prefix::cut(ops, key_ops, until);
    let positions: Vec<usize> = key_ops
        .iter()
        .copied()
        .filter(|&o| ops[o].call_pos <= until)
        .collect();
    let all: Vec<usize> = (0..local.len()).collect();
    candidates
        .into_iter()
        .filter(|&candidate| {
            let Some(at) = positions.iter().position(|&o| o == candidate) else {
                return false;
            };
            let mut unknown = local.clone();
            unknown[at] = super::history::cut_at(&unknown[at], 0);
            Frontier::replay(model, &unknown, &all, until, max_configs)
                .is_ok_and(|f| f.states().iter().any(|(s, _)| !known.contains(s)))
        })
        .collect()
}

/// ", and 3 more" beyond the shown ones.
fn more(total: usize) -> String {
    if total > SHOWN {
        format!(", and {} more", total - SHOWN)
    } else {
        String::new()
    }
}

/// How operations are named, as seen at the culprit's response (history position `end`).
struct Phrases<'a, M: SequentialModel> {
    model: &'a M,
    ops: &'a [Operation<M::Input, M::Output>],
    end: u64,
}

impl<M: SequentialModel> Phrases<'_, M> {
    /// "write(3) by node 4 (events #30 to #35)", or "(invoked at event #30, still open)".
    fn op(&self, op: usize) -> String {
        let o = &self.ops[op];
        let returned = o.returned.filter(|_| o.return_pos <= self.end);
        let output = o.output.as_ref().filter(|_| returned.is_some());
        let what = self.model.describe(&o.input, output);
        match returned {
            Some(r) => format!(
                "{what} by node {} (events #{} to #{})",
                o.client, o.invoked.event, r.event
            ),
            None => format!(
                "{what} by node {} (invoked at event #{}, still open)",
                o.client, o.invoked.event
            ),
        }
    }

    /// The events `op` names: its invocation, and its response if it came by then.
    fn events(&self, op: usize) -> Vec<u64> {
        let o = &self.ops[op];
        let mut events = vec![o.invoked.event];
        events.extend(
            o.returned
                .filter(|_| o.return_pos <= self.end)
                .map(|r| r.event),
        );
        events
    }
}
