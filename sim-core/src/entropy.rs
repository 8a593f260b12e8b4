//! Every nondeterministic decision of a run goes through [`Choices`]: one call per decision, naming
//! its purpose ([`Stream`]) and how many outcomes it has. The default source, [`Seeded`], draws
//! from one ChaCha8 stream per purpose derived from the run seed, so a change in one component
//! (say, a protocol that draws one more number) does not perturb the network's or the fault plan's
//! draws. Because every decision is a bounded integer choice, a recorded [`Tape`] can replay a run
//! without the seed, and a future explorer can enumerate choices instead of sampling them.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

use crate::NodeId;

/// The purpose of a random decision; each purpose has its own independent stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stream {
    /// Generating the fault plan from the fault spec (before the run starts).
    FaultPlan,
    /// Message delays, loss, duplication, omission.
    Network,
    /// False suspicions of an eventually perfect failure detector.
    Detector,
    /// Choices made by Byzantine adversaries.
    Adversary,
    /// Which unsynced writes a crash tears off (storage faults).
    Storage,
    /// A process's own randomness (`Ctx::random_below` and friends).
    Process(NodeId),
}

impl Stream {
    /// The ChaCha stream number of this purpose; processes come after the fixed purposes.
    fn number(self) -> u64 {
        match self {
            Stream::FaultPlan => 0,
            Stream::Network => 1,
            Stream::Detector => 2,
            Stream::Adversary => 3,
            Stream::Storage => 4,
            Stream::Process(i) => 16 + i as u64,
        }
    }
}

/// The one interface through which a run makes every nondeterministic decision.
pub trait Choices {
    /// Chooses an integer uniformly in `0..bound` for the given purpose. `bound` is at least 1.
    fn choose(&mut self, stream: Stream, bound: u64) -> u64;
}

/// Unbiased integer in `0..bound` from a 64-bit generator (Lemire's multiply-and-reject).
fn below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    debug_assert!(bound > 0);
    if bound == 1 {
        return 0;
    }
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let product = (rng.next_u64() as u128) * (bound as u128);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// The default source: independent ChaCha8 streams derived from the run seed, one per purpose.
/// A stream is set up the first time it is drawn from (many runs never draw from most).
pub struct Seeded {
    seed: u64,
    fixed: [Option<ChaCha8Rng>; FIXED_STREAMS],
    processes: Vec<Option<ChaCha8Rng>>,
}

/// The purposes other than processes' own (see [`Stream::number`]).
const FIXED_STREAMS: usize = 5;

impl Seeded {
    /// The streams of run `seed`.
    pub fn new(seed: u64) -> Self {
        Seeded {
            seed,
            fixed: Default::default(),
            processes: Vec::new(),
        }
    }

    fn rng(&mut self, stream: Stream) -> &mut ChaCha8Rng {
        let seed = self.seed;
        let slot = match stream {
            Stream::Process(i) => {
                if self.processes.len() <= i {
                    self.processes.resize(i + 1, None);
                }
                &mut self.processes[i]
            }
            other => &mut self.fixed[other.number() as usize],
        };
        slot.get_or_insert_with(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(stream.number());
            rng
        })
    }
}

impl Choices for Seeded {
    fn choose(&mut self, stream: Stream, bound: u64) -> u64 {
        below(self.rng(stream), bound)
    }
}

/// One recorded decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The purpose of the decision.
    pub stream: Stream,
    /// How many outcomes it had.
    pub bound: u64,
    /// The outcome chosen.
    pub value: u64,
}

/// Records every decision made by an inner source, so the run can be replayed from the tape.
pub struct Recorder<C> {
    /// Where the decisions come from.
    pub inner: C,
    /// Every decision so far, in order.
    pub tape: Vec<Choice>,
}

impl<C: Choices> Recorder<C> {
    /// A recorder of the decisions `inner` makes.
    pub fn new(inner: C) -> Self {
        Recorder {
            inner,
            tape: Vec::new(),
        }
    }
}

impl<C: Choices> Choices for Recorder<C> {
    fn choose(&mut self, stream: Stream, bound: u64) -> u64 {
        let value = self.inner.choose(stream, bound);
        self.tape.push(Choice {
            stream,
            bound,
            value,
        });
        value
    }
}

/// Replays a recorded tape. A decision that does not match the tape (different purpose or number
/// of outcomes) means the run diverged from the recording; it is counted, and 0 is chosen.
pub struct Tape {
    choices: Vec<Choice>,
    next: usize,
    /// Decisions asked for that did not match the tape (a changed run), answered by a default.
    pub divergences: u64,
}

impl Tape {
    /// A tape that answers with `choices`, in order.
    pub fn new(choices: Vec<Choice>) -> Self {
        Tape {
            choices,
            next: 0,
            divergences: 0,
        }
    }
}

impl Choices for Tape {
    fn choose(&mut self, stream: Stream, bound: u64) -> u64 {
        match self.choices.get(self.next) {
            Some(c) if c.stream == stream && c.bound == bound && c.value < bound => {
                self.next += 1;
                c.value
            }
            _ => {
                self.divergences += 1;
                0
            }
        }
    }
}

/// Parts per million: probabilities are integers so that every machine agrees on them.
pub const PPM: u32 = 1_000_000;

/// True with probability `ppm` / 1,000,000. Draws nothing when the answer is certain, so that
/// a model with no loss consumes no entropy for loss.
pub fn chance_ppm(choices: &mut dyn Choices, stream: Stream, ppm: u32) -> bool {
    if ppm == 0 {
        return false;
    }
    if ppm >= PPM {
        return true;
    }
    choices.choose(stream, PPM as u64) < ppm as u64
}

/// A uniform fraction in (0, 1] with 53 bits of precision.
pub fn unit_fraction(choices: &mut dyn Choices, stream: Stream) -> f64 {
    const SCALE: u64 = 1 << 53;
    (choices.choose(stream, SCALE) + 1) as f64 / SCALE as f64
}

/// Natural logarithm built only from IEEE-754 basic operations (which are correctly rounded
/// everywhere), unlike `f64::ln`, which calls the platform's libm and may differ in the last bit
/// between machines. Valid for positive finite `x`.
pub fn det_ln(x: f64) -> f64 {
    debug_assert!(x > 0.0 && x.is_finite());
    const LN2: f64 = std::f64::consts::LN_2;
    // x = m * 2^e with m in [sqrt(1/2), sqrt(2)), using the bit representation (exact).
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if exponent == -1023 {
        // Subnormal: normalise by multiplying by 2^54 (exact).
        let scaled = x * f64::from_bits(0x4350_0000_0000_0000);
        return det_ln(scaled) - 54.0 * LN2;
    }
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        exponent += 1;
    }
    // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: the series converges fast.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..20 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + exponent as f64 * LN2
}

/// A fixed, platform-independent 64-bit hasher (FxHash-style mixing of whole words), used for
/// the running trace hash. `usize` is hashed as `u64` so 32- and 64-bit machines agree.
#[derive(Clone, Copy, Debug)]
pub struct DetHasher(u64);

const SEED_MIX: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Default for DetHasher {
    fn default() -> Self {
        DetHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl DetHasher {
    #[inline]
    /// Mixes one word into the hash.
    pub fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED_MIX);
    }
}

impl Hasher for DetHasher {
    fn finish(&self) -> u64 {
        // Final avalanche (from splitmix64) so nearby states give unrelated hashes.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 56));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(i as u64);
    }
    fn write_u16(&mut self, i: u16) {
        self.mix(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as i64 as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent() {
        let mut a = Seeded::new(7);
        let mut b = Seeded::new(7);
        // Drawing from the network stream in `a` must not change what process 0 sees.
        for _ in 0..100 {
            a.choose(Stream::Network, 1000);
        }
        let pa: Vec<u64> = (0..10)
            .map(|_| a.choose(Stream::Process(0), 1 << 40))
            .collect();
        let pb: Vec<u64> = (0..10)
            .map(|_| b.choose(Stream::Process(0), 1 << 40))
            .collect();
        assert_eq!(pa, pb);
        let other: Vec<u64> = (0..10)
            .map(|_| b.choose(Stream::Process(1), 1 << 40))
            .collect();
        assert_ne!(pa, other);
    }

    const PINNED: [u64; 4] = [716, 166, 482, 846];

    #[test]
    fn known_values_are_pinned() {
        // Pins the derivation so an upgrade of rand_chacha that changed it would be noticed:
        // every recorded failing seed would otherwise silently mean a different run.
        let mut s = Seeded::new(42);
        let drawn: Vec<u64> = (0..4).map(|_| s.choose(Stream::Network, 1000)).collect();
        assert_eq!(drawn, PINNED.to_vec(), "seed derivation changed: {drawn:?}");
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut s = Seeded::new(1);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = s.choose(Stream::Adversary, 7);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&x| x));
    }

    #[test]
    fn tape_replays_recording() {
        let mut rec = Recorder::new(Seeded::new(9));
        let first: Vec<u64> = (0..50)
            .map(|i| rec.choose(Stream::Process(i % 3), 100 + i as u64))
            .collect();
        let mut tape = Tape::new(rec.tape);
        let again: Vec<u64> = (0..50)
            .map(|i| tape.choose(Stream::Process(i % 3), 100 + i as u64))
            .collect();
        assert_eq!(first, again);
        assert_eq!(tape.divergences, 0);
        tape.choose(Stream::Network, 5);
        assert_eq!(tape.divergences, 1);
    }

    #[test]
    fn det_ln_matches_libm_closely() {
        for &x in &[
            1e-300, 1e-10, 0.001, 0.5, 0.999, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300,
        ] {
            let ours = det_ln(x);
            let theirs = x.ln();
            assert!(
                (ours - theirs).abs() <= 1e-13 * theirs.abs().max(1.0),
                "ln({x}) = {ours} vs {theirs}"
            );
        }
    }

    #[test]
    fn chance_extremes_draw_nothing() {
        let mut s = Recorder::new(Seeded::new(3));
        assert!(!chance_ppm(&mut s, Stream::Network, 0));
        assert!(chance_ppm(&mut s, Stream::Network, PPM));
        assert!(s.tape.is_empty());
    }
}
