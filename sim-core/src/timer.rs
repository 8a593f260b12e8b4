//! A node's timers: the handle a handler gets back when it sets one ([`TimerId`]), and the slab
//! that hands handles out, a slot per timer set, reused once it fires or is cancelled, with a
//! generation per slot that tells a live handle from a stale one (`TimerSlab`).

use std::num::NonZeroU32;

/// A handle to a timer, for cancelling it. It hashes as its slot and generation, except
/// inside a search's fingerprint, where it hashes by a canonical name (`timer_names`, which
/// implements its `Hash`). 8 bytes, and so is an `Option` of one: a live handle's generation
/// is odd, never zero, which leaves `None` a value of its own (a process keeping a handle
/// per timer, as most do, keeps 4 bytes less for each, in every state a search holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimerId {
    pub(crate) slot: u32,
    pub(crate) generation: NonZeroU32,
}

// What `TimerId` says of its size and its `Option`'s, checked.
const _: () = assert!(std::mem::size_of::<Option<TimerId>>() == 8);

impl TimerId {
    /// A small number naming the timer in traces.
    pub fn slot(self) -> u32 {
        self.slot
    }
}

/// Per-node timer bookkeeping: slots are reused, and a generation number tells a live timer
/// from a cancelled or crashed one, so cancelling allocates nothing and stale queue entries are
/// recognised when they pop. A slot's generation is odd while a timer is set in it and even
/// while it is free, so whether a handle is live is one load: in a large group a node's
/// timers are reached at random (each cancelled acknowledgement timer of an eager broadcast),
/// and a second column of flags was a second cache miss.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct TimerSlab {
    generation: Vec<u32>,
    free: Vec<u32>,
}

impl Clone for TimerSlab {
    fn clone(&self) -> Self {
        TimerSlab {
            generation: self.generation.clone(),
            free: self.free.clone(),
        }
    }

    /// Into the buffers `self` has: a search copies a node's timers into a spare this way.
    fn clone_from(&mut self, from: &Self) {
        self.generation.clone_from(&from.generation);
        self.free.clone_from(&from.free);
    }
}

impl TimerSlab {
    #[inline]
    pub(crate) fn arm(&mut self) -> TimerId {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.generation.push(0);
                (self.generation.len() - 1) as u32
            }
        };
        let generation = &mut self.generation[slot as usize];
        *generation = generation.wrapping_add(1);
        debug_assert!(*generation % 2 == 1, "a live handle's generation is odd");
        TimerId {
            slot,
            // Odd already: the `| 1` changes nothing, and lets the compiler see it is not 0.
            generation: NonZeroU32::new(*generation | 1).expect("an odd number is not 0"),
        }
    }

    /// Whether the timer is still live (set, not cancelled, not lost in a crash).
    #[inline]
    pub(crate) fn is_armed(&self, id: TimerId) -> bool {
        // Handles are made with odd generations only: a free slot's even one never matches.
        self.generation.get(id.slot as usize) == Some(&id.generation.get())
    }

    /// Disarms the timer if it is still live; true if it was.
    #[inline]
    pub(crate) fn disarm(&mut self, id: TimerId) -> bool {
        match self.generation.get_mut(id.slot as usize) {
            Some(generation) if *generation == id.generation.get() => {
                *generation = generation.wrapping_add(1);
                self.free.push(id.slot);
                true
            }
            _ => false,
        }
    }

    /// As new, for another run: slots and generations start over (so traces name the same
    /// timers), keeping the memory.
    pub(crate) fn reset(&mut self) {
        self.generation.clear();
        self.free.clear();
    }

    /// Disarms every live timer (a crash).
    pub(crate) fn clear(&mut self) {
        for (slot, generation) in self.generation.iter_mut().enumerate() {
            if *generation % 2 == 1 {
                *generation = generation.wrapping_add(1);
                self.free.push(slot as u32);
            }
        }
    }
}

/// A node's timer handles: which are live, so that a cancel or a crash disarms them exactly as
/// under the engine. Cloned with the node when a search branches.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Timers(pub(crate) TimerSlab);

impl Clone for Timers {
    fn clone(&self) -> Self {
        Timers(self.0.clone())
    }

    fn clone_from(&mut self, from: &Self) {
        self.0.clone_from(&from.0);
    }
}

impl Timers {
    /// Disarms `id` as it fires; false if it was cancelled or crashed since (then it must not
    /// fire).
    pub fn fire(&mut self, id: TimerId) -> bool {
        self.0.disarm(id)
    }

    /// Disarms every timer (a crash).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// A node's [`Timers`] as a search holds them: possibly shared with other states, and
/// copied when they are asked for (the first time a handler sets or cancels a timer), so a
/// handler that leaves them alone copies nothing.
pub trait TimersOnWrite {
    /// The node's timer handles, to change.
    fn timers(&mut self) -> &mut Timers;
}

impl TimersOnWrite for Timers {
    fn timers(&mut self) -> &mut Timers {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handle is live from `arm` until it is disarmed or its node's timers are cleared;
    /// a slot it leaves is reused under a new generation, so the old handle stays dead.
    #[test]
    fn a_handle_is_live_until_disarmed_and_its_slot_is_reused_under_a_new_generation() {
        let mut slab = TimerSlab::default();
        let first = slab.arm();
        let second = slab.arm();
        assert!(slab.is_armed(first) && slab.is_armed(second));
        assert!(slab.disarm(first));
        assert!(!slab.is_armed(first) && !slab.disarm(first));
        let reused = slab.arm();
        assert_eq!(reused.slot, first.slot);
        assert_ne!(reused.generation, first.generation);
        assert!(slab.is_armed(reused) && !slab.is_armed(first));
        slab.clear();
        assert!(!slab.is_armed(reused) && !slab.is_armed(second));
        let after_crash = slab.arm();
        assert!(slab.is_armed(after_crash) && !slab.is_armed(second));
        let unknown = TimerId {
            slot: 99,
            generation: NonZeroU32::MIN,
        };
        assert!(!slab.is_armed(unknown) && !slab.disarm(unknown));
    }

    /// A slot's generation wraps around, and a live handle still has an odd one: a free slot
    /// never matches a handle.
    #[test]
    fn generations_keep_their_parity_across_the_wrap() {
        let mut slab = TimerSlab::default();
        let id = slab.arm();
        slab.generation[id.slot as usize] = u32::MAX;
        let wrapped = TimerId {
            slot: id.slot,
            generation: NonZeroU32::MAX,
        };
        assert!(slab.disarm(wrapped));
        let next = slab.arm();
        assert_eq!(next.generation, NonZeroU32::MIN);
        assert!(slab.is_armed(next) && !slab.is_armed(wrapped));
        slab.reset();
        assert!(!slab.is_armed(next));
        assert_eq!(slab.arm().generation, NonZeroU32::MIN);
    }
}
