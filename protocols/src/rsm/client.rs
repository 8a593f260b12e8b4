//! A client: runs its operations one after the other (gets and puts on a few keys, each put
//! of a value no one else writes) and re-sends a command until it is answered. Where it sends
//! one depends on the variant: to every server (broadcast), to the sequencer (total order),
//! or to the server it believes leads, following redirects and trying the next server when
//! no answer comes (Multi-Paxos).

use ftsim_api::properties::linearizability::KvOp;
use ftsim_api::{Ctx, Duration, NodeId, TimerId};

use super::messages::{Cmd, Config, Host, Msg, Obs, Timer};
use super::Variant;

#[derive(Clone, Debug, Hash)]
pub struct Client {
    /// Operations invoked so far; the current one's number.
    issued: u64,
    current: Option<Cmd>,
    /// Multi-Paxos: the server it believes leads.
    target: NodeId,
    retry: Option<TimerId>,
}

impl Client {
    pub(super) fn new() -> Self {
        Client {
            issued: 0,
            current: None,
            target: 0,
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

    pub(super) fn issue(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.issued += 1;
        let key = ctx.random_below(cfg.keys);
        let op = if ctx.random_below(100) < cfg.writes_percent {
            KvOp::Put(key, ctx.id() as u64 * 1000 + self.issued)
        } else {
            KvOp::Get(key)
        };
        ctx.observe(Obs::Invoke {
            seq: self.issued,
            op: op.clone(),
        });
        self.current = Some(Cmd {
            client: ctx.id(),
            seq: self.issued,
            op,
        });
        self.send(ctx, cfg);
    }

    /// Sends the current command where the variant says, and waits for an answer.
    fn send(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        let Some(cmd) = self.current.clone() else {
            return;
        };
        match cfg.variant {
            Variant::Broadcast => {
                for s in 0..cfg.servers {
                    ctx.send(s, Msg::Request { cmd: cmd.clone() });
                }
            }
            Variant::TotalOrder => ctx.send(0, Msg::Request { cmd }),
            Variant::MultiPaxos => ctx.send(self.target, Msg::Request { cmd }),
        }
        if let Some(t) = self.retry.take() {
            ctx.cancel_timer(t);
        }
        self.retry = Some(ctx.set_timer(cfg.retry, Timer::Retry));
    }

    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, msg: Msg) {
        let Some(seq) = self.current.as_ref().map(|c| c.seq) else {
            return;
        };
        match msg {
            Msg::Reply { seq: s, out } if s == seq => {
                self.current = None;
                if let Some(t) = self.retry.take() {
                    ctx.cancel_timer(t);
                }
                ctx.observe(Obs::Return { seq, out });
                self.think(ctx, cfg);
            }
            Msg::Redirect { leader } if leader != self.target => {
                self.target = leader;
                self.send(ctx, cfg);
            }
            _ => {}
        }
    }

    /// No answer in time: send again (Multi-Paxos: to the next server).
    pub(super) fn retry(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        self.retry = None;
        if cfg.variant == Variant::MultiPaxos {
            self.target = (self.target + 1) % cfg.servers;
        }
        self.send(ctx, cfg);
    }
}
