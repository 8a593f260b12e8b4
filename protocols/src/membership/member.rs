//! What every member does: apply the coordinator's log entries in order (deliveries and view
//! installations), take a state transfer when it joins, rejoin when it recovers or is
//! removed, answer a new coordinator's flush, and multicast its own messages through the
//! coordinator until they are delivered.

use ftsim_api::{Ctx, Duration, NodeId};

use super::log::{Digest, Entry, Log, MsgId, View};
use super::process::{GroupMember, Msg, Obs, Timer};

impl GroupMember {
    /// Applies the next entry of the log.
    pub(super) fn apply(&mut self, ctx: &mut Ctx<'_, Self>, entry: Entry) {
        self.log.entries.push(entry.clone());
        match entry {
            Entry::Deliver(id) => {
                self.delivered.insert(id);
                self.pending.retain(|&p| p != id);
                let view = self.view.as_ref().map_or(0, |v| v.id);
                ctx.observe(Obs::Deliver { id, view });
            }
            Entry::Install(view) if view.has(ctx.id(), self.inc) => self.install(ctx, view),
            // This incarnation is not in the view: it was removed, and must rejoin.
            Entry::Install(_) => self.leave(ctx),
        }
    }

    /// Installs `view`: the state so far is what every process installing it must have.
    pub(super) fn install(&mut self, ctx: &mut Ctx<'_, Self>, view: View) {
        let prev = self.view.as_ref().map(|v| v.id);
        let state = Digest::of(self.log.delivered());
        ctx.observe(Obs::Install {
            view: view.id,
            members: view.nodes(),
            prev,
            state,
            inc: self.inc,
        });
        // A continuing member stays gone; a member that joined in this view is a new
        // incarnation, gone only if suspected now.
        let (gone, suspected) = (self.gone, self.suspected);
        self.gone = view
            .members
            .iter()
            .filter(|m| (m.since < view.id && gone.contains(m.node)) || suspected.contains(m.node))
            .map(|m| m.node)
            .collect();
        self.view = Some(view);
        self.start_multicasting(ctx);
        // A coordinator orders its own messages itself, after the view change it is making.
        if self.coord.is_none() {
            self.submit_pending(ctx);
        }
        self.take_over_if_senior(ctx);
    }

    /// Out of the group (removed while alive): forget the state and ask to join again.
    fn leave(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.view = None;
        self.coord = None;
        self.ask_to_join(ctx);
    }

    /// A joining process asks everyone, and again after a while until it is welcomed.
    pub(super) fn ask_to_join(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.broadcast(Msg::Join { inc: self.inc });
        ctx.set_timer(self.settings.join_retry, Timer::JoinRetry);
    }

    /// Entry `index` of the log from `from`: applied in order if `from` is this process's
    /// coordinator, held if it is ahead of a gap or arrives before this joiner's welcome
    /// (links reorder), ignored if it is old.
    pub(super) fn on_append(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        index: usize,
        entry: Entry,
    ) {
        if self.view.is_none() || index > self.log.end() {
            self.log.ahead.insert(index, (from, entry));
            return;
        }
        if index < self.log.end() || self.coordinator() != Some(from) {
            return;
        }
        self.apply(ctx, entry);
        self.apply_held(ctx);
    }

    /// Applies the held entries that now follow on, from this process's coordinator.
    fn apply_held(&mut self, ctx: &mut Ctx<'_, Self>) {
        while self.view.is_some() {
            let Some((from, next)) = self.log.ahead.remove(&self.log.end()) else {
                break;
            };
            if self.coordinator() != Some(from) {
                break;
            }
            self.apply(ctx, next);
        }
    }

    /// Admitted into `view` with the log from `base`: the state transfer.
    pub(super) fn on_welcome(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        view: View,
        base: usize,
        entries: Vec<Entry>,
    ) {
        let newer = self.view.as_ref().is_none_or(|v| v.id < view.id);
        if !newer || !view.has(ctx.id(), self.inc) {
            return;
        }
        let held = std::mem::take(&mut self.log.ahead);
        self.log = Log::from(base, entries);
        self.log.ahead = held
            .into_iter()
            .filter(|&(i, _)| i >= self.log.end())
            .collect();
        self.delivered = self.log.delivered().collect();
        self.pending.retain(|id| !self.delivered.contains(id));
        self.view = None;
        self.coord = None;
        self.install(ctx, view);
        self.apply_held(ctx);
    }

    /// A new coordinator asks for this process's log. It took the seat because every member
    /// more senior than it is gone: so they are here too, and nothing more is taken from them
    /// (an old coordinator's last entries may still be on their way). Entries buffered ahead
    /// of a gap came from the old coordinator and are dropped: the new one decides what
    /// follows.
    pub(super) fn on_flush_req(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId) {
        if let Some(view) = &self.view {
            if let Some(new) = view.member(from) {
                let senior = view
                    .members
                    .iter()
                    .filter(|m| (m.since, m.node) < (new.since, new.node));
                self.gone = self.gone.union(senior.map(|m| m.node).collect());
            }
        }
        self.log.ahead.clear();
        let log = self
            .view
            .as_ref()
            .map(|_| (self.log.base, self.log.entries.clone()));
        ctx.send(from, Msg::FlushLog { inc: self.inc, log });
    }

    /// The first time this incarnation is in a view, it starts multicasting.
    fn start_multicasting(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !self.multicasting && self.settings.messages > 0 {
            self.multicasting = true;
            self.schedule_multicast(ctx);
        }
    }

    fn schedule_multicast(&mut self, ctx: &mut Ctx<'_, Self>) {
        let gap = ctx.random_duration(Duration::from_millis(1), Duration::from_millis(20));
        ctx.set_timer(gap, Timer::Multicast);
    }

    /// Multicasts the next message (while in a view), and schedules the one after.
    pub(super) fn on_multicast_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.view.is_some() {
            let id = MsgId {
                from: ctx.id(),
                inc: self.inc,
                seq: self.next_seq,
            };
            self.next_seq += 1;
            self.pending.push(id);
            ctx.observe(Obs::Multicast { id });
            self.submit(ctx, id);
        }
        if self.next_seq < self.settings.messages {
            self.schedule_multicast(ctx);
        }
    }

    /// Hands `id` to the coordinator (itself, or by message).
    pub(super) fn submit(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgId) {
        match self.coordinator() {
            Some(c) if c == ctx.id() => self.on_submit(ctx, id),
            Some(c) => ctx.send(c, Msg::Submit { id }),
            None => {}
        }
    }

    /// After a view change (perhaps a new coordinator): submits every own message not
    /// delivered yet; the coordinator orders each only once.
    fn submit_pending(&mut self, ctx: &mut Ctx<'_, Self>) {
        for id in self.pending.clone() {
            self.submit(ctx, id);
        }
    }
}
