//! Parts of a state shared with the states before and after it until a step changes them
//! (copy on write): a node's timers. A step changes one node's parts at most,
//! so a successor shares every other node's with its parent: copying a state copies a pointer
//! a part, and a queued parent holds each part once for all its successors that did not touch
//! it.
//!
//! A scratch state keeps a part it let go that no other state holds (its `spare`), and copies
//! a shared part into it when a step first changes one, so stepping it allocates nothing once
//! it has warmed up. A state the queue holds gives its spare to the queue,
//! which hands one to each state it rebuilds (see `search::frontier`).

use std::sync::Arc;

/// A part no state holds, kept to copy into (see [`own`]). One: a step changes one node's
/// part (a start, each node's once), and a scratch copied from the next parent lets go of
/// the one it changed, so one is enough, in a pointer's room (a buffer of them inline cost
/// every state 16 bytes more; boxed, an allocation each time a state was given one).
pub(crate) type Spare<T> = Option<Arc<T>>;

/// `part` to change: a copy of its own (into `spare`, if there is one) if it is shared.
/// The reference count's plain load decides whether to copy; a part no other state
/// holds then costs one atomic read-modify-write (`Arc::get_mut`'s or `Arc::make_mut`'s),
/// and a copy into a spare two (that and letting go of the shared part): the spare takes
/// `part`'s place before it is written, so that it is made mutable once, not twice.
pub(crate) fn own<'a, T: Clone>(part: &'a mut Arc<T>, spare: &mut Spare<T>) -> &'a mut T {
    // The parts are never held weakly, so a count of one is a part no other state holds, and
    // none can take it meanwhile: this holder is borrowed mutably. A count read above one
    // as another holder lets go costs a copy, never a wrong part.
    if Arc::strong_count(part) != 1 {
        if let Some(spare) = spare.take() {
            let theirs = std::mem::replace(part, spare);
            let mine = Arc::get_mut(part).expect("a spare is shared by no state");
            mine.clone_from(&theirs);
            return mine;
        }
        *part = Arc::new(T::clone(part));
    }
    // Held by no other state: no copy here.
    Arc::make_mut(part)
}

/// Makes `mine` share `theirs`, keeping what it held as `spare` (if it keeps none) if no
/// other state holds it.
pub(crate) fn share<T>(mine: &mut Arc<T>, theirs: &Arc<T>, spare: &mut Spare<T>) {
    if Arc::ptr_eq(mine, theirs) {
        return;
    }
    let old = std::mem::replace(mine, Arc::clone(theirs));
    // A count of one: no other state holds it (see `own`), without an atomic write.
    if Arc::strong_count(&old) == 1 && spare.is_none() {
        *spare = Some(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owning_a_shared_part_copies_it_and_leaves_the_other_holder_alone() {
        let parent: Arc<Vec<u8>> = Arc::new(vec![1, 2]);
        let mut child = Arc::clone(&parent);
        let mut spare = None;
        own(&mut child, &mut spare).push(3);
        assert_eq!(
            (parent.as_slice(), child.as_slice()),
            (&[1, 2][..], &[1, 2, 3][..])
        );
        assert_eq!(Arc::strong_count(&parent), 1);
        let before: *const Vec<u8> = &*child;
        own(&mut child, &mut spare).push(4);
        assert_eq!(
            before, &*child as *const _,
            "a part owned already is not copied again"
        );
    }

    #[test]
    fn a_scratch_keeps_what_it_let_go_and_copies_into_it() {
        let parent: Vec<Arc<Vec<u8>>> = vec![Arc::default(), Arc::default()];
        let mut scratch = parent.clone();
        let mut spare = None;
        own(&mut scratch[1], &mut spare);
        let mine = Arc::as_ptr(&scratch[1]);
        for (part, theirs) in scratch.iter_mut().zip(&parent) {
            share(part, theirs, &mut spare);
        }
        assert!(scratch.iter().zip(&parent).all(|(a, b)| Arc::ptr_eq(a, b)));
        assert!(spare.is_some(), "the unshared copy is kept");
        own(&mut scratch[0], &mut spare);
        assert_eq!(Arc::as_ptr(&scratch[0]), mine, "and reused");
        assert!(spare.is_none());
    }
}
