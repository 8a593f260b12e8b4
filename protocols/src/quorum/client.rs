//! A client: runs its operations one after the other, each in two phases (ABD).
//!
//! - A **write** of `v` queries the replicas and, once `read_quorum` answered, picks a
//!   timestamp above the highest it heard, `(counter + 1, its id)`; then it stores `(ts, v)`
//!   and returns once `write_quorum` replicas acknowledged.
//! - A **read** queries the replicas and, once `read_quorum` answered, takes the value with
//!   the highest timestamp; with write-back it first stores that value back to
//!   `write_quorum` replicas, so that no later read can see an older one; without (the known
//!   bug) it returns at once.
//!
//! Each phase is sent to every replica and re-sent to the silent ones every `retry`, so loss
//! and crashed replicas only delay it.

use ftsim_api::properties::linearizability::{RegisterOp, RegisterOutput};
use ftsim_api::{Ctx, Duration, NodeId, NodeSet, TimerId};

use super::messages::{Config, Host, Msg, Obs, Timer, Ts};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Idle,
    Query,
    Store,
}

#[derive(Clone, Debug, Hash)]
pub struct Client {
    /// Operations invoked so far; the current one's tag.
    issued: u64,
    phase: Phase,
    op: RegisterOp<u64>,
    /// The replicas that answered the current phase.
    answered: NodeSet,
    /// The newest (timestamp, value) heard in the query phase.
    newest: (Ts, u64),
    /// What the store phase stores.
    storing: (Ts, u64),
    retry: Option<TimerId>,
}

impl Client {
    pub(super) fn new() -> Self {
        Client {
            issued: 0,
            phase: Phase::Idle,
            op: RegisterOp::Read,
            answered: NodeSet::EMPTY,
            newest: ((0, 0), 0),
            storing: ((0, 0), 0),
            retry: None,
        }
    }

    pub(super) fn issued(&self) -> u64 {
        self.issued
    }

    /// Waits a random pause before the next operation, if any is left.
    pub(super) fn think(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if self.issued < cfg.ops {
            let pause = ctx.random_duration(Duration::ZERO, cfg.think);
            ctx.set_timer(pause, Timer::Think);
        }
    }

    /// Invokes the next operation: a write of a value no one else writes (if this client
    /// writes at all), or a read.
    pub(super) fn issue(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.issued += 1;
        let tag = self.issued;
        let writer = cfg.writers == 0 || ctx.id() - cfg.replicas < cfg.writers;
        self.op = if writer && ctx.random_below(100) < cfg.writes_percent {
            RegisterOp::Write(ctx.id() as u64 * 1000 + tag)
        } else {
            RegisterOp::Read
        };
        ctx.observe(Obs::Invoke {
            tag,
            op: self.op.clone(),
        });
        self.newest = ((0, 0), 0);
        self.begin(ctx, cfg, Phase::Query);
    }

    fn begin(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, phase: Phase) {
        self.phase = phase;
        self.answered = NodeSet::EMPTY;
        self.send_phase(ctx, cfg);
    }

    /// Sends the current phase to every replica that has not answered it, and waits again.
    fn send_phase(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let tag = self.issued;
        let (ts, value) = self.storing;
        let write_back = self.op == RegisterOp::Read;
        for r in (0..cfg.replicas).filter(|&r| !self.answered.contains(r)) {
            let msg = match self.phase {
                Phase::Query => Msg::Query { tag },
                _ => Msg::Store {
                    tag,
                    ts,
                    value,
                    write_back,
                },
            };
            ctx.send(r, msg);
        }
        if let Some(t) = self.retry.take() {
            ctx.cancel_timer(t);
        }
        self.retry = Some(ctx.set_timer(cfg.retry, Timer::Retry));
    }

    pub(super) fn retry(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.retry = None;
        if self.phase != Phase::Idle {
            self.send_phase(ctx, cfg);
        }
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        cfg: &Config,
        from: NodeId,
        msg: Msg,
    ) {
        let current = |tag| tag == self.issued && !self.answered.contains(from);
        match msg {
            Msg::QueryReply { tag, ts, value } if self.phase == Phase::Query && current(tag) => {
                self.answered.insert(from);
                if ts > self.newest.0 {
                    self.newest = (ts, value);
                }
                if self.answered.len() >= cfg.read_quorum {
                    self.queried(ctx, cfg);
                }
            }
            Msg::StoreAck { tag } if self.phase == Phase::Store && current(tag) => {
                self.answered.insert(from);
                if self.answered.len() >= cfg.write_quorum {
                    let out = match self.op {
                        RegisterOp::Read => RegisterOutput::Value(self.storing.1),
                        RegisterOp::Write(_) => RegisterOutput::Written,
                    };
                    self.finish(ctx, cfg, out);
                }
            }
            _ => {}
        }
    }

    /// A read quorum answered: store the write's value with a newer timestamp, write the
    /// newest value back, or (without write-back) return it.
    fn queried(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let ((counter, _), value) = self.newest;
        match self.op {
            RegisterOp::Write(v) => {
                self.storing = ((counter + 1, ctx.id()), v);
                self.begin(ctx, cfg, Phase::Store);
            }
            RegisterOp::Read if cfg.write_back => {
                self.storing = self.newest;
                self.begin(ctx, cfg, Phase::Store);
            }
            RegisterOp::Read => self.finish(ctx, cfg, RegisterOutput::Value(value)),
        }
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, out: RegisterOutput<u64>) {
        self.phase = Phase::Idle;
        if let Some(t) = self.retry.take() {
            ctx.cancel_timer(t);
        }
        ctx.observe(Obs::Return {
            tag: self.issued,
            out,
        });
        self.think(ctx, cfg);
    }
}
