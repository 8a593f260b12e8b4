//! A client: issues its writes one after the other, follows redirects to the primary, and
//! retries at the next replica when no answer comes in time.

use ftsim_api::{Ctx, NodeId};

use super::messages::{Config, Host, Msg, Obs, Timer, WriteId};

#[derive(Clone, Debug, Hash)]
pub struct Client {
    /// How many writes it has issued.
    pub(super) next: u64,
    outstanding: Option<WriteId>,
    target: NodeId,
}

impl Client {
    pub(super) fn new() -> Self {
        Client {
            next: 0,
            outstanding: None,
            target: 0,
        }
    }

    /// Issues the next write, if any is left.
    pub(super) fn issue(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if self.next >= cfg.writes {
            self.outstanding = None;
            return;
        }
        let id = (ctx.id(), self.next);
        self.next += 1;
        self.outstanding = Some(id);
        ctx.observe(Obs::Issued { id });
        ctx.send(self.target, Msg::Write { id });
        ctx.set_timer(cfg.client_retry, Timer::ClientRetry);
    }

    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config, msg: Msg) {
        match msg {
            Msg::Reply { id, index } if self.outstanding == Some(id) => {
                ctx.observe(Obs::Acked { index, id });
                self.issue(ctx, cfg);
            }
            Msg::Redirect { primary } => {
                if let Some(id) = self.outstanding {
                    if primary != self.target {
                        self.target = primary;
                        ctx.send(primary, Msg::Write { id });
                    }
                }
            }
            _ => {}
        }
    }

    /// No answer in time: try the next replica.
    pub(super) fn on_timer(&mut self, ctx: &mut Ctx<'_, impl Host>, cfg: &Config) {
        if let Some(id) = self.outstanding {
            self.target = (self.target + 1) % cfg.replicas;
            ctx.send(self.target, Msg::Write { id });
            ctx.set_timer(cfg.client_retry, Timer::ClientRetry);
        }
    }
}
