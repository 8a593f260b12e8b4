use sim_core::{Ctx, NodeId, Process};

use super::State;

/// A process that does nothing: a state of it is told apart only by what the search keeps.
#[derive(Clone, Debug, Hash)]
struct Idle;

impl Process for Idle {
    type Msg = u8;
    type Timer = u8;
    type Obs = u8;
    type Stable = ();

    fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}

    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: u8) {}
}

fn fingerprint(s: &State<Idle>) -> u64 {
    s.fingerprint(&[false; 3], 0)
}

#[test]
fn suspicions_held_or_not_are_one_state_and_each_suspicion_tells_states_apart() {
    let fresh = State::new(vec![Idle; 3], Vec::new(), None, true);
    let mut cleared = fresh.clone();
    *cleared.suspects_mut(1) |= 1 << 2;
    *cleared.suspects_mut(1) &= !(1 << 2);
    assert_eq!(
        fingerprint(&fresh),
        fingerprint(&cleared),
        "all clear is no suspicion"
    );

    let suspecting = |node: NodeId, whom: u64| {
        let mut s = fresh.clone();
        *s.suspects_mut(node) = whom;
        fingerprint(&s)
    };
    let all = [
        fingerprint(&fresh),
        suspecting(0, 1 << 1),
        suspecting(1, 1 << 0),
        suspecting(0, 1 << 2),
        suspecting(0, 0b110),
        suspecting(2, 1 << 1),
    ];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a, b, "states {all:?}");
        }
    }
}

/// What `State`'s doc says of its size: the per-node parts are boxed slices, which keep no
/// capacity. Its fields are pointers and counts whatever the process, so one process tells.
#[test]
fn a_state_is_152_bytes() {
    assert_eq!(std::mem::size_of::<State<Idle>>(), 152);
}

/// A held state's spare timers go to the queue's pool while it has room; the state keeps
/// none (see `State::trim`).
#[test]
fn trimming_gives_the_spare_timers_to_the_pool_while_it_has_room() {
    let mut s = State::new(vec![Idle; 3], Vec::new(), None, true);
    s.keep_spare_timers(std::sync::Arc::default());
    let mut pool = vec![std::sync::Arc::default()];
    s.trim(&mut pool, 2);
    assert_eq!(pool.len(), 2, "taken: the pool had room");
    assert!(!s.has_spare_timers());
    s.keep_spare_timers(std::sync::Arc::default());
    s.trim(&mut pool, 2);
    assert_eq!(pool.len(), 2, "dropped: the pool holds at most 2");
    assert!(!s.has_spare_timers());
}

/// Judges nothing; remembers a count that a test sets, and hashes it.
#[derive(Clone)]
struct Counting(u32);

impl sim_core::Property<Idle> for Counting {}

impl sim_core::Explorable<Idle> for Counting {
    fn fingerprint(&self, h: &mut sim_core::entropy::DetHasher) {
        std::hash::Hash::hash(&self.0, h);
    }
}

/// Judges nothing and remembers nothing.
#[derive(Clone)]
struct Forgetting;

impl sim_core::Property<Idle> for Forgetting {}

impl sim_core::Explorable<Idle> for Forgetting {
    fn fingerprint(&self, _: &mut sim_core::entropy::DetHasher) {}
}

/// Each monitor's memory, by its fingerprint.
fn memories(s: &State<Idle>) -> Vec<u64> {
    let hash = |m: &dyn sim_core::SearchMonitor<Idle>| {
        let mut h = sim_core::entropy::DetHasher::default();
        m.hash_memory(&mut h);
        std::hash::Hasher::finish(&h)
    };
    s.monitors().iter().map(|m| hash(&**m)).collect()
}

/// A copy skips the monitors only when every one remembers nothing: one that remembers,
/// among others that do not, is copied, and a state's fingerprint tells its memory apart.
#[test]
fn a_copy_copies_the_monitors_unless_none_remembers_anything() {
    let monitors = || -> Vec<Box<dyn sim_core::SearchMonitor<Idle>>> {
        vec![Box::new(Forgetting), Box::new(Counting(0))]
    };
    let parent = State::new(vec![Idle; 3], monitors(), None, true);
    let mut changed = State::new(vec![Idle; 3], monitors(), None, true);
    let (_, mut judged) = changed.judging();
    let counting = judged.iter_mut().nth(1).expect("two monitors");
    assert!(counting.copy_from(&Counting(7)), "the same property");
    assert_ne!(memories(&changed), memories(&parent));
    assert_ne!(fingerprint(&changed), fingerprint(&parent));
    let mut scratch = changed.clone();
    scratch.clone_from(&parent);
    assert_eq!(memories(&scratch), memories(&parent), "copied back");
    assert_eq!(fingerprint(&scratch), fingerprint(&parent));
}
