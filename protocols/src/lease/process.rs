//! The lease server and its clients. The server grants one lease at a time and counts it as
//! expired `lease` after the grant, on its own clock. A client uses the lock until its lease
//! ends, or until it is done, whichever comes first, then says so; how it decides when the
//! lease ends is the variant.

use ftsim_api::properties::CriticalSection;
use ftsim_api::{Ctx, Duration, NodeId, Process, Time, TimerId};

use super::{Expiry, LeaseParams};

pub const SERVER: NodeId = 0;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// A client wants the lock.
    Acquire,
    /// The server grants it (its `grant`-th lease) until `expires_at` on the server's clock
    /// (`lease` from now).
    Grant { grant: u64, expires_at: Time },
    /// The client is done with lease `grant` (a late release of an expired lease must not
    /// free a newer one).
    Release { grant: u64 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// A client's next request.
    Want,
    /// A client is done with the lock (it used it as long as it needed).
    Done,
    /// A client's lease ends (by its own reckoning): it must stop now.
    LeaseEnds,
    /// The server counts the current lease as expired.
    Expired { grant: u64 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    Enter,
    /// The client stops using the lock: done, or `cut` short by its lease's end.
    Exit {
        cut: bool,
    },
}

impl CriticalSection for Obs {
    fn enters(&self) -> bool {
        *self == Obs::Enter
    }
    fn leaves(&self) -> bool {
        matches!(self, Obs::Exit { .. })
    }
}

/// Where a client stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientState {
    Idle,
    Waiting,
    /// Using lease `grant`, until the first of its timers: the lease's end, or done.
    Holding {
        grant: u64,
        lease_ends: TimerId,
        done: TimerId,
    },
}

#[derive(Debug)]
pub enum LeaseNode {
    Server(Server),
    Client {
        params: LeaseParams,
        state: ClientState,
        requests: u32,
    },
}

#[derive(Debug)]
pub struct Server {
    /// The grant in force (its number), if any.
    current: Option<u64>,
    grants: u64,
    waiting: Vec<NodeId>,
    lease: Duration,
}

impl LeaseNode {
    pub fn new(params: &LeaseParams, node: NodeId) -> Self {
        if node == SERVER {
            LeaseNode::Server(Server {
                current: None,
                grants: 0,
                waiting: Vec::new(),
                lease: params.lease,
            })
        } else {
            LeaseNode::Client {
                params: params.clone(),
                state: ClientState::Idle,
                requests: 0,
            }
        }
    }
}

impl Server {
    /// Grants the lock to the next client in line, if it is free; the lease runs out
    /// `lease` from now on this clock.
    fn grant_next(&mut self, ctx: &mut Ctx<'_, LeaseNode>) {
        if self.current.is_some() || self.waiting.is_empty() {
            return;
        }
        let client = self.waiting.remove(0);
        self.grants += 1;
        self.current = Some(self.grants);
        ctx.set_timer(self.lease, Timer::Expired { grant: self.grants });
        let expires_at = ctx.now() + self.lease;
        let grant = self.grants;
        ctx.send(client, Msg::Grant { grant, expires_at });
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LeaseNode>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Acquire => self.waiting.push(from),
            Msg::Release { grant } if self.current == Some(grant) => self.current = None,
            Msg::Release { .. } => {}
            Msg::Grant { .. } => return,
        }
        self.grant_next(ctx);
    }

    fn on_expired(&mut self, ctx: &mut Ctx<'_, LeaseNode>, grant: u64) {
        if self.current == Some(grant) {
            self.current = None;
            self.grant_next(ctx);
        }
    }
}

/// How long a client may use a lease it receives now.
fn lease_left(params: &LeaseParams, now: Time, expires_at: Time) -> Duration {
    match params.expiry {
        // Measured here, from receipt, on this clock, minus a safety margin.
        Expiry::LocalDuration => Duration(params.lease.0 * (100 - params.margin_pct) / 100),
        // The server's date read on this node's clock: wrong as soon as the clocks differ.
        Expiry::ServerTimestamp => expires_at.since(now),
    }
}

impl Process for LeaseNode {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let LeaseNode::Client { .. } = self {
            let think = ctx.random_duration(Duration::ZERO, Duration::from_millis(10));
            ctx.set_timer(think, Timer::Want);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (LeaseNode::Server(s), msg) => s.on_message(ctx, from, msg),
            (LeaseNode::Client { params, state, .. }, Msg::Grant { grant, expires_at }) => {
                if *state != ClientState::Waiting {
                    return;
                }
                let left = lease_left(params, ctx.now(), expires_at);
                ctx.observe(Obs::Enter);
                *state = ClientState::Holding {
                    grant,
                    lease_ends: ctx.set_timer(left, Timer::LeaseEnds),
                    done: ctx.set_timer(params.hold, Timer::Done),
                };
            }
            (LeaseNode::Client { .. }, _) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (self, timer) {
            (LeaseNode::Server(s), Timer::Expired { grant }) => s.on_expired(ctx, grant),
            (LeaseNode::Client { state, .. }, timer @ (Timer::Done | Timer::LeaseEnds)) => {
                if let ClientState::Holding {
                    grant,
                    lease_ends,
                    done,
                } = *state
                {
                    ctx.cancel_timer(lease_ends);
                    ctx.cancel_timer(done);
                    *state = ClientState::Idle;
                    ctx.observe(Obs::Exit {
                        cut: timer == Timer::LeaseEnds,
                    });
                    ctx.send(SERVER, Msg::Release { grant });
                }
            }
            (
                LeaseNode::Client {
                    params,
                    state,
                    requests,
                },
                Timer::Want,
            ) => {
                let again = params.hold;
                if *state == ClientState::Idle && *requests < params.requests {
                    *requests += 1;
                    *state = ClientState::Waiting;
                    ctx.send(SERVER, Msg::Acquire);
                }
                if *requests < params.requests || *state != ClientState::Idle {
                    let wait = ctx.random_duration(again, again + again);
                    ctx.set_timer(wait, Timer::Want);
                }
            }
            _ => {}
        }
    }
}
