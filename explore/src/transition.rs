//! What one step of a search is: a [`Transition`], named by its index into the state it is
//! taken from. What is enabled in a state, and what each step does, is `stepper`'s.

/// One step of a search, by index into the state it is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transition {
    /// Deliver `net[i]`.
    Deliver(u32),
    /// Lose `net[i]`.
    Lose(u32),
    /// Fire `armed[node][index]`.
    Fire {
        node: u32,
        index: u32,
    },
    /// Node crashes; of its messages in flight that may not have left its wire yet, the first
    /// `keep` it sent had and the rest are lost (a crash cuts its wire after some message).
    Crash {
        node: u32,
        keep: u32,
    },
    Recover(u32),
    /// Deliver `notices[i]`.
    Notice(u32),
    /// Place the Byzantine nodes (`Config::placements[i]`) and start every node: the first
    /// step of a search with traitors, the only one enabled before it.
    Start(u32),
}
