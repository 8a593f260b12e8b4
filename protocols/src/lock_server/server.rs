//! The lock server (node 0): the owner, a ticketed queue, and how it recovers them after a
//! reboot: from stable storage (`stateful`), or from the clients' answers to its hello, after a
//! window (`reconnect-window`) or at once (`stateless`).

use std::collections::{BTreeMap, BTreeSet};

use ftsim_api::{Ctx, NodeId};

use super::messages::{Host, Msg, Obs, Stable, Timer};
use super::{LockServerParams, QueueOrder, ServerVariant};

#[derive(Clone, Debug, Default, Hash)]
pub struct Server {
    owner: Option<(NodeId, u64)>,
    /// (ticket, client), in arrival order.
    queue: Vec<(u64, NodeId)>,
    next_ticket: u64,
    /// Whether the owner was granted before the last reboot: only then does a client's answer
    /// to `Hello` (which reflects what the server sent before the reboot) say anything about it.
    owner_before_reboot: bool,
    /// Clients the failure detector reported crashed: their late messages are ignored until
    /// their new incarnation resets.
    suspected: BTreeSet<NodeId>,
    /// While rebuilding after a reboot (reconnect-window): the answers so far, and requests
    /// that came without a ticket, in arrival order.
    rebuilding: bool,
    answers: BTreeMap<NodeId, (bool, Option<u64>)>,
    unticketed: Vec<NodeId>,
    /// What this handler will tell clients, held back until the state is persisted (a
    /// stateful server syncs before answering).
    outbox: Vec<(NodeId, Msg)>,
}

impl Server {
    /// Persists the state (the stateful server, synced), then sends what the handler had to
    /// say.
    fn persist_and_answer(&mut self, ctx: &mut Ctx<'_, impl Host>, params: &LockServerParams) {
        if params.server == ServerVariant::Stateful {
            *ctx.stable_mut() = Stable {
                owner: self.owner,
                queue: self.queue.clone(),
                next_ticket: self.next_ticket,
            };
            ctx.sync();
        }
        for (c, msg) in self.outbox.drain(..) {
            ctx.send(c, msg);
        }
    }

    fn owns(&self, c: NodeId) -> bool {
        self.owner.is_some_and(|(o, _)| o == c)
    }

    fn queued(&self, c: NodeId) -> Option<usize> {
        self.queue.iter().position(|&(_, q)| q == c)
    }

    fn enqueue(&mut self, ctx: &mut Ctx<'_, impl Host>, c: NodeId) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.queue.push((ticket, c));
        ctx.observe(Obs::Arrived { client: c });
        self.outbox.push((c, Msg::Queued { ticket }));
    }

    /// Notes a request that came without a ticket while rebuilding (once per client).
    fn unticketed_arrival(&mut self, ctx: &mut Ctx<'_, impl Host>, c: NodeId) {
        if !self.unticketed.contains(&c) {
            self.unticketed.push(c);
            ctx.observe(Obs::Arrived { client: c });
        }
    }

    fn forget(&mut self, c: NodeId) {
        if self.owns(c) {
            self.owner = None;
        }
        self.queue.retain(|&(_, q)| q != c);
        self.answers.remove(&c);
        self.unticketed.retain(|&q| q != c);
    }

    /// The queue position granted next: the head, or (the priority server) the lowest client
    /// id, whatever the arrival order.
    fn next_in_line(&self, params: &LockServerParams) -> usize {
        match params.queue {
            QueueOrder::Fifo => 0,
            QueueOrder::LowestId => (0..self.queue.len())
                .min_by_key(|&i| self.queue[i].1)
                .unwrap_or(0),
        }
    }

    fn grant_next(&mut self, ctx: &mut Ctx<'_, impl Host>, params: &LockServerParams) {
        if self.owner.is_none() && !self.rebuilding && !self.queue.is_empty() {
            let (ticket, c) = self.queue.remove(self.next_in_line(params));
            self.owner = Some((c, ticket));
            self.owner_before_reboot = false;
            self.outbox.push((c, Msg::Grant { ticket }));
        }
        self.persist_and_answer(ctx, params);
    }

    pub(super) fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        params: &LockServerParams,
        c: NodeId,
        msg: Msg,
    ) {
        // A message sent before the client crashed can arrive after we forgot it; links are
        // FIFO, so everything after its new incarnation's reset is current.
        if self.suspected.contains(&c) && msg != Msg::Reset {
            return;
        }
        match msg {
            Msg::Request => self.on_request(ctx, c),
            Msg::Release => self.on_release(c),
            Msg::Reset => self.on_reset(ctx, c),
            Msg::Reconnect {
                holding,
                waiting,
                ticket,
            } => self.reconnect(ctx, c, holding, waiting, ticket),
            _ => {}
        }
        self.grant_next(ctx, params);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, impl Host>, c: NodeId) {
        if self.rebuilding {
            self.unticketed_arrival(ctx, c);
        } else if self.queued(c).is_none() {
            // A client asks only after releasing; if we still think it owns the lock, its
            // release was lost while we were down.
            if self.owns(c) {
                self.owner = None;
            }
            self.enqueue(ctx, c);
        }
    }

    fn on_release(&mut self, c: NodeId) {
        if self.rebuilding {
            if let Some(a) = self.answers.get_mut(&c) {
                a.0 = false;
            }
        } else if self.owns(c) {
            self.owner = None;
        }
    }

    fn on_reset(&mut self, ctx: &mut Ctx<'_, impl Host>, c: NodeId) {
        self.suspected.remove(&c);
        self.forget(c);
        ctx.observe(Obs::Forgot { client: c });
        self.outbox.push((c, Msg::Welcome));
    }

    fn reconnect(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        c: NodeId,
        holding: bool,
        waiting: bool,
        ticket: Option<u64>,
    ) {
        if self.rebuilding {
            if waiting && ticket.is_none() {
                // Its request was lost with the old server (or is still unanswered): it counts
                // as arriving now.
                self.unticketed_arrival(ctx, c);
            } else {
                self.answers
                    .insert(c, (holding, ticket.filter(|_| waiting)));
            }
            return;
        }
        // The answer reflects what we sent before the reboot and what the client sent before
        // answering (which, links being FIFO, we have already received): a grant we sent
        // since is simply not known to it yet.
        let owned = self.owns(c);
        if holding && self.owner.is_none() {
            // Only a stateless server learns its owner this way; if it granted the lock to
            // someone else meanwhile, there are now two owners.
            self.owner = Some((c, ticket.unwrap_or(0)));
            self.owner_before_reboot = true;
        }
        if !holding && owned && self.owner_before_reboot {
            self.owner = None; // its release was lost while we were down
        }
        if waiting && !self.owns(c) && self.queued(c).is_none() {
            self.enqueue(ctx, c); // its request was lost while we were down
        }
    }

    /// Closes the reconnection window: the owner is whoever still holds the lock, the queue is
    /// the ticketed waiters in ticket order, then the requests that came without a ticket.
    fn rebuild(&mut self, ctx: &mut Ctx<'_, impl Host>, params: &LockServerParams) {
        self.rebuilding = false;
        let answers = std::mem::take(&mut self.answers);
        self.owner = answers
            .iter()
            .find(|(_, &(holding, _))| holding)
            .map(|(&c, _)| (c, 0));
        self.owner_before_reboot = true;
        let mut waiting: Vec<(u64, NodeId)> = answers
            .iter()
            .filter_map(|(&c, &(_, t))| t.map(|t| (t, c)))
            .filter(|&(_, c)| self.owner.is_none_or(|(o, _)| o != c))
            .collect();
        waiting.sort_unstable();
        self.next_ticket = waiting.last().map_or(0, |&(t, _)| t + 1);
        self.queue = waiting;
        for c in std::mem::take(&mut self.unticketed) {
            let ticket = self.next_ticket;
            self.next_ticket += 1;
            self.queue.push((ticket, c));
            self.outbox.push((c, Msg::Queued { ticket }));
        }
        self.grant_next(ctx, params);
    }

    /// The server restarts (freshly built): recovers what its variant keeps, then says hello.
    pub(super) fn reboot(&mut self, ctx: &mut Ctx<'_, impl Host>, params: &LockServerParams) {
        ctx.observe(Obs::Rebooted);
        match params.server {
            ServerVariant::Stateful => {
                let st = ctx.stable().clone();
                self.owner = st.owner;
                self.owner_before_reboot = true;
                self.queue = st.queue;
                self.next_ticket = st.next_ticket;
            }
            ServerVariant::ReconnectWindow => {
                self.rebuilding = true;
                ctx.set_timer(params.window, Timer::WindowEnd);
            }
            ServerVariant::Stateless => {}
        }
        ctx.broadcast(Msg::Hello);
    }

    pub(super) fn on_timer(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        params: &LockServerParams,
        timer: Timer,
    ) {
        if timer == Timer::WindowEnd && self.rebuilding {
            self.rebuild(ctx, params);
        }
    }

    /// The failure detector reports client `c` crashed: drop it and move the lock on.
    pub(super) fn on_suspect(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        params: &LockServerParams,
        c: NodeId,
    ) {
        self.forget(c);
        self.suspected.insert(c);
        self.grant_next(ctx, params);
    }
}
