//! Copying a state: into a scratch state or a spare, only what differs from what it holds
//! (`clone_from`, by version: see `version`); trimmed for the queue to hold, the timers it let
//! go kept to copy into; and brought into the cache before a copy reads it.

use std::sync::Arc;

use sim_core::{Process, SearchMonitor};

use super::{NodeTimers, State};
use crate::interned::InternedTimers;
use crate::shared::share;

impl<P: Process + Clone> Clone for State<P> {
    fn clone(&self) -> Self {
        State {
            procs: self.procs.clone(),
            slots: self.slots.clone(),
            spare_timers: None,
            flags: self.flags.clone(),
            net: self.net.clone(),
            crashes: self.crashes,
            started: self.started,
            extras: self.extras.as_ref().map(|e| Box::new(e.copy())),
            monitors_forget: self.monitors_forget,
            monitors: self.monitors.iter().map(|m| m.copy()).collect(),
        }
    }

    /// A copy into `self`, reusing its buffers: a search steps a scratch state this way, so a
    /// successor it has seen before costs no allocation.
    fn clone_from(&mut self, from: &Self) {
        self.copy_nodes(from);
        self.net.clone_from(&from.net);
        self.crashes = from.crashes;
        self.started = from.started;
        if !Arc::ptr_eq(&self.flags, &from.flags) {
            self.flags = Arc::clone(&from.flags);
        }
        match (&mut self.extras, &from.extras) {
            (None, None) => {}
            (Some(mine), Some(theirs)) => mine.copy_from(theirs),
            (mine, theirs) => *mine = theirs.as_ref().map(|e| Box::new(e.copy())),
        }
        // Monitors that remember nothing are copies of each other already (the same
        // properties, in the model's order).
        let same = self.monitors.len() == from.monitors.len();
        if !(self.monitors_forget && from.monitors_forget && same) {
            copy_monitors(&mut self.monitors, &from.monitors);
            self.monitors_forget = from.monitors_forget;
        }
        debug_assert!((self.monitors.iter().zip(&from.monitors))
            .all(|(a, b)| a.as_any().type_id() == b.as_any().type_id()));
    }
}

/// `from`'s monitors copied into `to`, each in place where it is the same property (as many
/// of them: a search's states all have the model's; otherwise copied anew).
fn copy_monitors<P: Process>(
    to: &mut Box<[Box<dyn SearchMonitor<P>>]>,
    from: &[Box<dyn SearchMonitor<P>>],
) {
    if to.len() != from.len() {
        *to = from.iter().map(|m| m.copy()).collect();
        return;
    }
    for (mine, theirs) in to.iter_mut().zip(from) {
        if !mine.copy_from(&**theirs) {
            *mine = theirs.copy();
        }
    }
}

impl<P: Process + Clone> State<P> {
    /// Copies `from`'s nodes (process, storage, timers, cached fingerprint), skipping those
    /// that are already copies (the same version: a scratch state copied from the same
    /// parent, where the last step did not touch them; their cached fingerprint, if filled
    /// since, is that of the same node, and they share its timers). A node's timers are
    /// shared, not copied (see `shared`). Its process is copied: sharing it too, behind an
    /// `Arc`, saved 7% of TwoPhase's memory for 8% more time (the reference counts' atomic
    /// operations, per node a copy or step touches).
    fn copy_nodes(&mut self, from: &Self) {
        if self.slots.len() != from.slots.len() {
            self.procs.clone_from(&from.procs);
            self.slots.clone_from(&from.slots);
            return;
        }
        // Zipped, not indexed: the versions of every node are compared for each successor.
        for (node, (mine, theirs)) in self.slots.iter_mut().zip(&from.slots).enumerate() {
            if mine.mark.version != theirs.mark.version {
                self.procs[node].clone_from(&from.procs[node]);
                mine.stable.clone_from(&theirs.stable);
                share(&mut mine.timers, &theirs.timers, &mut self.spare_timers);
                mine.mark = theirs.mark;
            }
        }
    }
}

impl<P: Process> State<P> {
    /// Gives back what its buffers hold beyond their contents, for a state kept a while (a
    /// parent in the queue): a state rebuilt from a copy may have grown its messages, and kept
    /// timers it let go as its spare, which goes to `pool` while it holds fewer than `most`
    /// (to be copied into by a state rebuilt later: see [`State::keep_spare_timers`]) and is
    /// dropped beyond.
    pub(crate) fn trim(&mut self, pool: &mut Vec<Arc<NodeTimers<P::Timer>>>, most: usize) {
        self.net.trim();
        if let Some(spare) = self.spare_timers.take().filter(|_| pool.len() < most) {
            pool.push(spare);
        }
    }

    /// Shares, for each node whose timers no other state holds, the interned copy equal to
    /// them (see `interned`); its own copy goes to `pool` while it holds fewer than
    /// `most`, and is dropped beyond. For a state the queue holds.
    pub(crate) fn intern_timers(
        &mut self,
        interned: &mut InternedTimers<P::Timer>,
        pool: &mut Vec<Arc<NodeTimers<P::Timer>>>,
        most: usize,
    ) {
        for slot in self.slots.iter_mut() {
            if Arc::strong_count(&slot.timers) == 1 {
                let mine = interned.intern(&mut slot.timers);
                if let Some(mine) = mine.filter(|_| pool.len() < most) {
                    pool.push(mine);
                }
            }
        }
    }

    /// Keeps `timers`, which no state holds, to copy a node's timers into when a step first
    /// changes them (see `shared::own`), so that the step allocates none.
    pub(crate) fn keep_spare_timers(&mut self, timers: Arc<NodeTimers<P::Timer>>) {
        debug_assert_eq!(
            Arc::strong_count(&timers),
            1,
            "a spare is shared by no state"
        );
        self.spare_timers = Some(timers);
    }

    /// Whether it keeps timers to copy into (see [`State::keep_spare_timers`]).
    pub(crate) fn has_spare_timers(&self) -> bool {
        self.spare_timers.is_some()
    }

    /// Brings its buffers into the cache, for a copy soon after (see `prefetch`): a state the
    /// queue held for a level is out of every cache, and a copy of it waits on each buffer
    /// in turn.
    pub(crate) fn prefetch(&self) {
        crate::prefetch::slice(&self.procs);
        crate::prefetch::slice(&self.slots);
        crate::prefetch::slice(&self.flags);
        self.net.prefetch();
    }

    /// Brings its nodes' timers into the cache (their addresses are in its slots: so those
    /// one step earlier, by [`State::prefetch`]). A copy shares them, counting one more
    /// holder of each.
    pub(crate) fn prefetch_timers(&self) {
        for slot in &self.slots {
            crate::prefetch::value(&*slot.timers);
        }
    }
}
