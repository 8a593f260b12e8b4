//! A run's random numbers, for the sampling searches (`search::walk`) and the handlers' draws they
//! answer at random (`draws`): a small fixed generator, so every machine draws the same.

use std::hash::Hasher;

use sim_core::entropy::DetHasher;

/// A run's random numbers: SplitMix64 from a seed mixed with the run's number (fixed
/// arithmetic, so every machine draws the same).
pub(crate) struct WalkRng(u64);

impl WalkRng {
    pub(crate) fn new(seed: u64, run: u64) -> Self {
        let mut h = DetHasher::default();
        h.write_u64(seed);
        h.write_u64(run);
        WalkRng(h.finish())
    }

    /// A generator of its own for the handlers' draws in the run this one schedules, seeded
    /// by this one as it stands.
    pub(crate) fn for_draws(&self) -> Self {
        WalkRng::new(self.0, u64::MAX)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (Lemire's multiply-and-reject; 0 for a bound below 2).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        if bound <= 1 {
            return 0;
        }
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = (self.next_u64() as u128) * (bound as u128);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WalkRng;

    #[test]
    fn a_run_draws_the_same_numbers_every_time_and_other_runs_others() {
        let draws = |run| -> Vec<u64> {
            let mut rng = WalkRng::new(7, run);
            (0..32).map(|_| rng.below(1000)).collect()
        };
        assert_eq!(draws(3), draws(3));
        assert_ne!(draws(3), draws(4));
        assert!(draws(3).iter().all(|&x| x < 1000));
    }

    #[test]
    fn below_is_roughly_uniform() {
        let mut rng = WalkRng::new(1, 0);
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            counts[rng.below(4) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
    }
}
