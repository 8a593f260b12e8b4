//! The TM and the RMs of the TwoPhase model: one enum, since every node runs the same type.

use ftsim_api::sim_core::entropy::DetHasher;
use ftsim_api::Rename;
use ftsim_api::{
    Ctx, Duration, Explorable, NodeId, NodeSet, Process, Property, StateCheck, TimerId, World,
};

/// An RM's state (the spec's `rmState[rm]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RmState {
    Working,
    Prepared,
    Committed,
    Aborted,
}

/// The TM's state (the spec's `tmState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TmState {
    Init,
    Committed,
    Aborted,
}

/// The spec's messages; a `Prepared` message's RM is its sender.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Prepared,
    Commit,
    Abort,
}

/// The spec's spontaneous actions, one timer each.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// `RMPrepare`.
    Prepare,
    /// `RMChooseToAbort`.
    ChooseToAbort,
    /// `TMCommit`.
    Commit,
    /// `TMAbort`.
    Abort,
}

/// A node of the model: the TM (node 0) or an RM.
#[derive(Clone, Debug, Hash)]
pub enum TwoPhaseNode {
    Tm {
        state: TmState,
        /// The spec's `tmPrepared`. The spec's constant `RM` is every node but the TM, known
        /// from the group (`Ctx::n`), not held by each state (a copy of it made every node 8
        /// bytes larger in every state a search held).
        prepared: NodeSet,
        early_commit: bool,
        commit: Option<TimerId>,
        abort: Option<TimerId>,
    },
    Rm {
        state: RmState,
        prepare: Option<TimerId>,
        choose_abort: Option<TimerId>,
    },
}

impl TwoPhaseNode {
    /// Node `node` of the group (node 0 is the TM).
    pub fn new(node: NodeId, early_commit: bool) -> Self {
        if node == 0 {
            TwoPhaseNode::Tm {
                state: TmState::Init,
                prepared: NodeSet::EMPTY,
                early_commit,
                commit: None,
                abort: None,
            }
        } else {
            TwoPhaseNode::Rm {
                state: RmState::Working,
                prepare: None,
                choose_abort: None,
            }
        }
    }

    /// An RM's state (`None` for the TM).
    pub fn rm_state(&self) -> Option<RmState> {
        match self {
            TwoPhaseNode::Rm { state, .. } => Some(*state),
            TwoPhaseNode::Tm { .. } => None,
        }
    }

    /// The TM decides: it tells every RM and disarms its other action.
    fn tm_decide(&mut self, ctx: &mut Ctx<'_, Self>, decision: TmState) {
        let TwoPhaseNode::Tm {
            state,
            commit,
            abort,
            ..
        } = self
        else {
            return;
        };
        *state = decision;
        for timer in [commit.take(), abort.take()].into_iter().flatten() {
            ctx.cancel_timer(timer);
        }
        ctx.broadcast(match decision {
            TmState::Committed => Msg::Commit,
            _ => Msg::Abort,
        });
    }

    /// An RM leaves `Working`: both of its actions are disarmed.
    fn rm_become(&mut self, ctx: &mut Ctx<'_, Self>, next: RmState) {
        let TwoPhaseNode::Rm {
            state,
            prepare,
            choose_abort,
        } = self
        else {
            return;
        };
        *state = next;
        for timer in [prepare.take(), choose_abort.take()].into_iter().flatten() {
            ctx.cancel_timer(timer);
        }
    }
}

impl Process for TwoPhaseNode {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let ms = Duration::from_millis;
        match self {
            TwoPhaseNode::Tm { abort, .. } => *abort = Some(ctx.set_timer(ms(20), Timer::Abort)),
            TwoPhaseNode::Rm {
                prepare,
                choose_abort,
                ..
            } => {
                // Under the engine RM i prepares after i ms and the late ones choose to abort
                // at 3 ms; a search fires them in every order.
                *prepare = Some(ctx.set_timer(ms(ctx.id() as u64), Timer::Prepare));
                *choose_abort = Some(ctx.set_timer(ms(3), Timer::ChooseToAbort));
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match (&mut *self, msg) {
            (
                TwoPhaseNode::Tm {
                    state: TmState::Init,
                    prepared,
                    early_commit,
                    commit,
                    ..
                },
                Msg::Prepared,
            ) => {
                prepared.insert(from);
                // Every RM prepared: node 0 is the TM, and only RMs send `Prepared`.
                let ready = prepared.len() == ctx.n() - 1 || *early_commit;
                if ready && commit.is_none() {
                    *commit = Some(ctx.set_timer(Duration::from_millis(1), Timer::Commit));
                }
            }
            (TwoPhaseNode::Rm { .. }, Msg::Commit) => self.rm_become(ctx, RmState::Committed),
            (TwoPhaseNode::Rm { .. }, Msg::Abort) => self.rm_become(ctx, RmState::Aborted),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Prepare => {
                self.rm_become(ctx, RmState::Prepared);
                ctx.send(0, Msg::Prepared);
            }
            Timer::ChooseToAbort => self.rm_become(ctx, RmState::Aborted),
            Timer::Commit => self.tm_decide(ctx, TmState::Committed),
            Timer::Abort => self.tm_decide(ctx, TmState::Aborted),
        }
    }
}

// Renaming RMs (symmetry): only the TM's sets name nodes; messages and timers name none.
impl Rename for TwoPhaseNode {
    fn rename(&self, to: &[NodeId]) -> Self {
        match self {
            TwoPhaseNode::Tm {
                state,
                prepared,
                early_commit,
                commit,
                abort,
            } => TwoPhaseNode::Tm {
                state: *state,
                prepared: prepared.rename(to),
                early_commit: *early_commit,
                commit: *commit,
                abort: *abort,
            },
            rm => rm.clone(),
        }
    }
}

impl Rename for Msg {
    fn rename(&self, _: &[NodeId]) -> Self {
        self.clone()
    }
}

impl Rename for Timer {
    fn rename(&self, _: &[NodeId]) -> Self {
        self.clone()
    }
}

/// `TCConsistent`: no RM committed while another aborted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Consistent;

impl Consistent {
    /// What `check_state` judges, as a result.
    fn judge_states(&mut self, w: &World<'_, TwoPhaseNode>) -> Result<(), String> {
        let find = |wanted| w.nodes().find(|&i| w.state(i).rm_state() == Some(wanted));
        match (find(RmState::Committed), find(RmState::Aborted)) {
            (Some(c), Some(a)) => Err(format!("RM {c} committed while RM {a} aborted")),
            _ => Ok(()),
        }
    }
}

impl Property<TwoPhaseNode> for Consistent {
    fn check_state(&mut self, w: &World<'_, TwoPhaseNode>) -> StateCheck {
        self.judge_states(w).into()
    }
}

impl Explorable<TwoPhaseNode> for Consistent {
    /// Nothing: it remembers nothing, judging each state as it is.
    fn fingerprint(&self, _: &mut DetHasher) {}
}

// What the TM's doc says of a node's size (a search holds one per node per state), checked.
const _: () = assert!(std::mem::size_of::<TwoPhaseNode>() == 32);
