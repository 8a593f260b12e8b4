//! What the coordinator (the most senior live member) does: it orders the members' multicasts
//! and the view changes in one log, so every member applies them in the same order; it
//! welcomes a joiner with the log so far (the state transfer); and when it takes the seat
//! after its predecessor crashed, it first collects every live process's log (the flush),
//! completes the longest and hands each survivor what it missed, so that survivors of a view
//! delivered the same messages in it before the next view is installed.
//!
//! With `views = "local"` (a known-buggy variant) views are not in the log: every member
//! installs a new view itself, as it hears of a crash (its failure detector) or a join (a
//! message), in whatever order those reach it.

use std::collections::BTreeMap;

use ftsim_api::{Ctx, NodeId, NodeSet};

use super::log::{Entry, Member, MsgId, Shipped, View};
use super::process::{Coordinator, Flush, GroupMember, Msg, Obs};
use super::Views;

impl GroupMember {
    /// Takes the coordinator's seat if this process is now the most senior member not gone:
    /// first, the flush (ask every process it does not suspect for its log).
    pub(super) fn take_over_if_senior(&mut self, ctx: &mut Ctx<'_, Self>) {
        let me = ctx.id();
        if self.coord.is_some() || self.coordinator() != Some(me) {
            return;
        }
        let waiting: NodeSet = ctx
            .peers()
            .filter(|&i| !self.suspected.contains(i))
            .collect();
        self.coord = Some(Coordinator {
            flush: Some(Flush {
                waiting,
                logs: BTreeMap::new(),
            }),
            ..Coordinator::default()
        });
        for to in waiting.iter() {
            ctx.send(to, Msg::FlushReq);
        }
        self.finish_flush_if_done(ctx);
    }

    /// A process answered the flush with its log.
    pub(super) fn on_flush_log(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        inc: u32,
        log: Option<Shipped>,
    ) {
        let Some(flush) = self.coord.as_mut().and_then(|c| c.flush.as_mut()) else {
            return;
        };
        if flush.logs.get(&from).is_some_and(|&(newer, _)| newer > inc) {
            return; // an old incarnation's answer, overtaken by its successor's join
        }
        flush.logs.insert(from, (inc, log));
        flush.waiting.remove(from);
        self.finish_flush_if_done(ctx);
    }

    fn finish_flush_if_done(&mut self, ctx: &mut Ctx<'_, Self>) {
        let flush = self.coord.as_ref().and_then(|c| c.flush.as_ref());
        if flush.is_some_and(|f| f.waiting.is_empty()) {
            self.finish_flush(ctx);
        }
    }

    /// Every live process answered: complete this log from the longest (all are prefixes of
    /// one log), send each survivor what it lacks, admit the others as joiners, change the
    /// view, and order what waited.
    fn finish_flush(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(flush) = self.coord.as_mut().and_then(|c| c.flush.take()) else {
            return;
        };
        self.adopt_longest(ctx, &flush);
        let Some(view) = self.view.clone() else {
            return; // what it adopted removed it: it rejoins
        };
        for (&node, (inc, log)) in &flush.logs {
            match log {
                Some((base, entries)) if view.has(node, *inc) => {
                    self.repair(ctx, node, base + entries.len())
                }
                _ if self.settings.views == Views::Coordinator => self.add_joiner(node, *inc),
                _ => {} // with local views a joiner is admitted by its own join messages
            }
        }
        self.change_view(ctx);
        let mut waited = self.coord.as_mut().map(|c| std::mem::take(&mut c.queued));
        let waited = waited.get_or_insert_with(Vec::new);
        waited.extend(self.pending.iter().copied());
        for id in waited.clone() {
            self.on_submit(ctx, id);
        }
    }

    /// Applies the entries of the longest collected log that this one lacks.
    fn adopt_longest(&mut self, ctx: &mut Ctx<'_, Self>, flush: &Flush) {
        let longest = flush
            .logs
            .values()
            .filter_map(|(_, log)| log.as_ref())
            .max_by_key(|(base, entries)| base + entries.len());
        let Some((base, entries)) = longest else {
            return;
        };
        while self.view.is_some()
            && self.log.end() >= *base
            && self.log.end() < base + entries.len()
        {
            let next = entries[self.log.end() - base].clone();
            self.apply(ctx, next);
        }
    }

    /// Sends `node`, which has `have` entries, the ones it lacks.
    fn repair(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId, have: usize) {
        let from = have.max(self.log.base);
        let missing = self.log.since(from);
        if missing.is_empty() {
            return;
        }
        let messages = missing
            .iter()
            .filter(|e| matches!(e, Entry::Deliver(_)))
            .count();
        ctx.observe(Obs::Repaired {
            node,
            entries: missing.len(),
            messages,
        });
        for (i, entry) in missing.into_iter().enumerate() {
            ctx.send(
                node,
                Msg::Append {
                    index: from + i,
                    entry,
                },
            );
        }
    }

    fn add_joiner(&mut self, node: NodeId, inc: u32) {
        if let Some(c) = self.coord.as_mut() {
            let known = c.joiners.entry(node).or_insert(inc);
            *known = (*known).max(inc);
        }
    }

    /// A member's multicast: ordered once, unless a flush is on (then after it).
    pub(super) fn on_submit(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgId) {
        if !self.is_coordinator(ctx) {
            return; // stale: the member submits again after the next view change
        }
        if let Some(c) = self.coord.as_mut().filter(|c| c.flush.is_some()) {
            c.queued.push(id);
            return;
        }
        if !self.delivered.contains(&id) {
            self.append(ctx, Entry::Deliver(id));
        }
    }

    /// Appends `entry` to the log: applies it here and sends it to every other member (for a
    /// view, to those that were already members: joiners get a welcome).
    fn append(&mut self, ctx: &mut Ctx<'_, Self>, entry: Entry) {
        let index = self.log.end();
        self.apply(ctx, entry.clone());
        let Some(view) = self.view.as_ref() else {
            return;
        };
        let is_view = matches!(entry, Entry::Install(_));
        let me = ctx.id();
        let targets: Vec<NodeId> = view
            .members
            .iter()
            .filter(|m| m.node != me && !(is_view && m.since == view.id))
            .map(|m| m.node)
            .collect();
        for to in targets {
            ctx.send(
                to,
                Msg::Append {
                    index,
                    entry: entry.clone(),
                },
            );
        }
    }

    /// Installs the next view if the membership changed: gone members out, joiners that are
    /// not suspected in (a recovered member's new incarnation replaces its old one).
    pub(super) fn change_view(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(view) = self.view.clone() else {
            return;
        };
        if self.settings.views != Views::Coordinator || !self.is_coordinator(ctx) {
            return;
        }
        let Some(c) = self.coord.as_mut().filter(|c| c.flush.is_none()) else {
            return;
        };
        let ready: Vec<(NodeId, u32)> = c
            .joiners
            .iter()
            .filter(|(n, _)| !self.suspected.contains(**n))
            .map(|(&n, &inc)| (n, inc))
            .collect();
        let id = view.id + 1;
        let mut members: Vec<Member> = view
            .members
            .iter()
            .copied()
            .filter(|m| !self.gone.contains(m.node) && !ready.iter().any(|&(n, _)| n == m.node))
            .collect();
        members.extend(ready.iter().map(|&(node, inc)| Member {
            node,
            inc,
            since: id,
        }));
        members.sort_by_key(|m| m.node);
        if members == view.members {
            return;
        }
        for (node, _) in &ready {
            c.joiners.remove(node);
        }
        let next = View { id, members };
        let at = self.log.end();
        self.append(ctx, Entry::Install(next.clone()));
        for &(node, _) in &ready {
            self.welcome(ctx, node, &next, at);
        }
    }

    /// Sends a joiner its welcome into `view`, installed at log index `at` (with local views,
    /// not in the log: `at` is the log's length): the log up to there, or without a state
    /// transfer only the view.
    fn welcome(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId, view: &View, at: usize) {
        let in_log = self.settings.views == Views::Coordinator;
        let end = if in_log { at + 1 } else { at };
        let (base, entries) = if self.settings.state_transfer {
            let start = self.log.base;
            (start, self.log.entries[..end - start].to_vec())
        } else {
            (
                at,
                self.log.entries[at - self.log.base..end - self.log.base].to_vec(),
            )
        };
        ctx.send(
            node,
            Msg::Welcome {
                view: view.clone(),
                base,
                entries,
            },
        );
    }

    /// A process asks to join. A member's newer incarnation says the member crashed, perhaps
    /// unseen (a crash the process recovered from before its detection is never reported):
    /// its old incarnation is gone, and if it coordinated, the next most senior takes over.
    pub(super) fn on_join(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, inc: u32) {
        let Some(view) = self.view.clone() else {
            return;
        };
        let known = view.member(from);
        if known.is_some_and(|m| m.inc >= inc) {
            return; // already in (its welcome is on the way)
        }
        match self.settings.views {
            Views::Coordinator => {
                if known.is_some() {
                    self.gone.insert(from);
                }
                if self.is_coordinator(ctx) {
                    // A joiner has no log: its join answers a flush that waits for it (its
                    // old incarnation may have crashed unseen, before answering).
                    if let Some(flush) = self.coord.as_mut().and_then(|c| c.flush.as_mut()) {
                        flush.logs.insert(from, (inc, None));
                        flush.waiting.remove(from);
                    }
                    self.add_joiner(from, inc);
                    self.change_view(ctx);
                    self.finish_flush_if_done(ctx);
                } else if known.is_some() {
                    self.on_member_suspected(ctx, from, true);
                }
            }
            Views::Local => {
                let id = view.id + 1;
                let mut members: Vec<Member> = view
                    .members
                    .iter()
                    .copied()
                    .filter(|m| m.node != from)
                    .collect();
                members.push(Member {
                    node: from,
                    inc,
                    since: id,
                });
                members.sort_by_key(|m| m.node);
                let next = View { id, members };
                let coordinating = self.is_coordinator(ctx);
                self.install(ctx, next.clone());
                if coordinating {
                    let at = self.log.end();
                    self.welcome(ctx, from, &next, at);
                }
            }
        }
    }

    /// The failure detector now suspects `node` (`member`: of this process's view).
    pub(super) fn on_member_suspected(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        node: NodeId,
        member: bool,
    ) {
        if let Some(flush) = self.coord.as_mut().and_then(|c| c.flush.as_mut()) {
            flush.waiting.remove(node);
        }
        if member {
            match (self.settings.views, self.view.clone()) {
                (Views::Local, Some(view)) => {
                    let members = view.members.iter().copied().filter(|m| m.node != node);
                    let next = View {
                        id: view.id + 1,
                        members: members.collect(),
                    };
                    self.install(ctx, next);
                }
                _ => self.change_view(ctx),
            }
        }
        self.finish_flush_if_done(ctx);
        self.take_over_if_senior(ctx);
    }

    /// The failure detector no longer suspects `node`: if it asked to join, admit it.
    pub(super) fn on_joiner_restored(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId) {
        if self
            .coord
            .as_ref()
            .is_some_and(|c| c.joiners.contains_key(&node))
        {
            self.change_view(ctx);
        }
    }
}
