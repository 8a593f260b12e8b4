//! The TLA+ `TwoPhase` spec (Gray and Lamport, *Consensus on Transaction Commit*) as a
//! stateright `Model`: one action per spec action, the messages a set that only grows, and
//! `TCConsistent` as the only property (ftsim's `two-phase-tla` checks the same one).

use std::collections::BTreeSet;

use stateright::{Model, Property};

/// The spec for `rms` resource managers.
#[derive(Clone)]
pub struct TwoPhase {
    pub rms: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rm {
    Working,
    Prepared,
    Committed,
    Aborted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tm {
    Init,
    Committed,
    Aborted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Msg {
    Prepared(usize),
    Commit,
    Abort,
}

/// The spec's variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    rm: Vec<Rm>,
    tm: Tm,
    tm_prepared: Vec<bool>,
    msgs: BTreeSet<Msg>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    TmRcvPrepared(usize),
    TmCommit,
    TmAbort,
    RmPrepare(usize),
    RmChooseToAbort(usize),
    RmRcvCommit(usize),
    RmRcvAbort(usize),
}

impl Model for TwoPhase {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        vec![State {
            rm: vec![Rm::Working; self.rms],
            tm: Tm::Init,
            tm_prepared: vec![false; self.rms],
            msgs: BTreeSet::new(),
        }]
    }

    fn actions(&self, s: &State, actions: &mut Vec<Action>) {
        if s.tm == Tm::Init {
            if s.tm_prepared.iter().all(|&p| p) {
                actions.push(Action::TmCommit);
            }
            actions.push(Action::TmAbort);
        }
        for rm in 0..self.rms {
            if s.tm == Tm::Init && s.msgs.contains(&Msg::Prepared(rm)) {
                actions.push(Action::TmRcvPrepared(rm));
            }
            if s.rm[rm] == Rm::Working {
                actions.push(Action::RmPrepare(rm));
                actions.push(Action::RmChooseToAbort(rm));
            }
            if s.msgs.contains(&Msg::Commit) {
                actions.push(Action::RmRcvCommit(rm));
            }
            if s.msgs.contains(&Msg::Abort) {
                actions.push(Action::RmRcvAbort(rm));
            }
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut s = last.clone();
        match action {
            Action::TmRcvPrepared(rm) => s.tm_prepared[rm] = true,
            Action::TmCommit => {
                s.tm = Tm::Committed;
                s.msgs.insert(Msg::Commit);
            }
            Action::TmAbort => {
                s.tm = Tm::Aborted;
                s.msgs.insert(Msg::Abort);
            }
            Action::RmPrepare(rm) => {
                s.rm[rm] = Rm::Prepared;
                s.msgs.insert(Msg::Prepared(rm));
            }
            Action::RmChooseToAbort(rm) | Action::RmRcvAbort(rm) => s.rm[rm] = Rm::Aborted,
            Action::RmRcvCommit(rm) => s.rm[rm] = Rm::Committed,
        }
        Some(s)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("consistent", |_, s: &State| {
            !(s.rm.contains(&Rm::Committed) && s.rm.contains(&Rm::Aborted))
        })]
    }
}
