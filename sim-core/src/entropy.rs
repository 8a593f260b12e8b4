//! Every nondeterministic decision of a run goes through [`Choices`]: one call per decision, naming
//! its purpose ([`Stream`]) and how many outcomes it has. The default source, [`Seeded`], draws
//! from one ChaCha8 stream per purpose derived from the run seed, so a change in one component
//! (say, a protocol that draws one more number) does not perturb the network's or the fault plan's
//! draws. Because every decision is a bounded integer choice that says what it decides ([`Draw`]),
//! a recording of them (a tape) can replay a run without the seed, a shrinker can edit it toward
//! a simpler run, and an explorer can enumerate choices instead of sampling them. A source may
//! also impose a [`Schedule`]: then the run's timing is scripted rather than drawn.

use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

use crate::chacha::{ChaChaStream, RunKey};
use crate::message::{DropReason, MsgKey};
use crate::time::Time;
use crate::NodeId;

/// The purpose of a random decision; each purpose has its own independent stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// What a decision decides. A seeded source draws the same number whatever it says; a recorder
/// keeps it with the outcome, so that a tape answers each decision by what it is (not by when it
/// is asked) and a shrinker knows each decision's simplest outcome: the chance event does not
/// happen, the delay is the shortest, the pick is the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "draw")]
pub enum Draw {
    /// Whether the link loses the message: it does when the outcome is below `ppm`.
    Loss {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// The chance, in parts per million.
        ppm: u32,
    },
    /// Whether the link delivers the message twice: it does when the outcome is below `ppm`.
    Duplicate {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// The chance, in parts per million.
        ppm: u32,
    },
    /// Whether the sender's send omission loses the message (outcome below `ppm`).
    SendOmission {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// The chance, in parts per million.
        ppm: u32,
    },
    /// Whether the receiver's receive omission loses the message (outcome below `ppm`); asked
    /// again for a duplicate copy.
    ReceiveOmission {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// The chance, in parts per million.
        ppm: u32,
    },
    /// A message's delay: the outcome is the nanoseconds above the link's shortest delay.
    Delay {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// The delay of the duplicate copy rather than of the message.
        copy: bool,
    },
    /// A message's delay with a long tail: the outcome is a fraction, and the largest outcome
    /// is the shortest delay.
    DelayTail {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
        /// The delay of the duplicate copy rather than of the message.
        copy: bool,
    },
    /// A Byzantine sender's adversary's pick about the message it intercepted; 0 is the
    /// simplest.
    Tamper {
        /// The message.
        #[serde(flatten)]
        msg: MsgKey,
    },
    /// How many of a node's writes since its last sync survive a crash that tears them
    /// (storage faults): the outcome is the count kept, in order; 0, the simplest, keeps none
    /// (the crash loses every unsynced write). A node's tears are answered in order.
    Tear {
        /// The node that crashed.
        node: NodeId,
    },
    /// A process's own chance (`Ctx::random_chance_ppm`): true when the outcome is below `ppm`.
    Chance {
        /// The chance, in parts per million.
        ppm: u32,
    },
    /// Any other choice (a process's or an adversary's draw, a fault plan's draw, a false
    /// suspicion), asked in order within its stream; 0 is the simplest.
    Pick,
}

impl Draw {
    /// The chance of a yes/no decision, in parts per million; `None` for other decisions.
    #[inline]
    pub fn chance_ppm(self) -> Option<u32> {
        match self {
            Draw::Loss { ppm, .. }
            | Draw::Duplicate { ppm, .. }
            | Draw::SendOmission { ppm, .. }
            | Draw::ReceiveOmission { ppm, .. }
            | Draw::Chance { ppm } => Some(ppm),
            Draw::Delay { .. }
            | Draw::DelayTail { .. }
            | Draw::Tamper { .. }
            | Draw::Tear { .. }
            | Draw::Pick => None,
        }
    }

    /// The message a network decision is about.
    pub fn msg(self) -> Option<MsgKey> {
        match self {
            Draw::Loss { msg, .. }
            | Draw::Duplicate { msg, .. }
            | Draw::SendOmission { msg, .. }
            | Draw::ReceiveOmission { msg, .. }
            | Draw::Delay { msg, .. }
            | Draw::DelayTail { msg, .. }
            | Draw::Tamper { msg } => Some(msg),
            Draw::Tear { .. } | Draw::Chance { .. } | Draw::Pick => None,
        }
    }

    /// The same decision about another message (after nodes are renumbered).
    pub fn with_msg(self, key: MsgKey) -> Draw {
        match self {
            Draw::Loss { ppm, .. } => Draw::Loss { msg: key, ppm },
            Draw::Duplicate { ppm, .. } => Draw::Duplicate { msg: key, ppm },
            Draw::SendOmission { ppm, .. } => Draw::SendOmission { msg: key, ppm },
            Draw::ReceiveOmission { ppm, .. } => Draw::ReceiveOmission { msg: key, ppm },
            Draw::Delay { copy, .. } => Draw::Delay { msg: key, copy },
            Draw::DelayTail { copy, .. } => Draw::DelayTail { msg: key, copy },
            Draw::Tamper { .. } => Draw::Tamper { msg: key },
            other => other,
        }
    }

    /// The simplest of `bound` outcomes: a chance event that does not happen, the shortest
    /// delay, the first pick.
    pub fn simplest(self, bound: u64) -> u64 {
        let last = bound.saturating_sub(1);
        match self {
            Draw::DelayTail { .. } => last,
            other if other.chance_ppm().is_some() => last,
            _ => 0,
        }
    }

    /// Whether `value` makes a chance event happen (false for other decisions).
    pub fn happens(self, value: u64) -> bool {
        self.chance_ppm().is_some_and(|ppm| value < ppm as u64)
    }
}

/// The one interface through which a run makes every nondeterministic decision.
pub trait Choices {
    /// Chooses an integer in `0..bound` for the given purpose (uniformly, for a seeded source);
    /// `draw` says what it decides. `bound` is at least 1.
    fn choose(&mut self, stream: Stream, draw: Draw, bound: u64) -> u64;

    /// The scripted schedule this source imposes, if any: then the engine asks it when each
    /// message arrives and each timer fires instead of drawing delays (see [`Schedule`]).
    /// `None` for every seeded source, so a seeded run never branches on it.
    fn script(&mut self) -> Option<&mut dyn Schedule> {
        None
    }
}

/// A scripted run's timing, which the engine asks instead of drawing a message's delay or
/// taking a timer's own: when each message arrives (and whether it is dropped there), when each
/// timer fires, and which failure-detector notices come. Events are named by what they are,
/// never by when they are asked: a message by its [`MsgKey`], a timer by its node and how many
/// timers that node set before it. What the schedule does not name never happens (it waits at
/// [`Time::NEVER`]). The scripted source (`Scripted`, in `script`) follows a path an explorer
/// found.
pub trait Schedule {
    /// When message `msg` arrives the `copy`-th time (0: the message itself, 1 on: copies a
    /// duplicating link made); `None` if the schedule has no such arrival.
    fn arrival(&self, msg: MsgKey, copy: usize) -> Option<Time>;

    /// Why message `msg`, arriving at `at`, is dropped, if the schedule drops it there.
    fn dropped(&self, msg: MsgKey, at: Time) -> Option<DropReason>;

    /// When the timer `node` sets now fires ([`Time::NEVER`] if it never does); counts it.
    fn timer_set(&mut self, node: NodeId) -> Time;

    /// The failure-detector notices: (when, node told, about, suspicion).
    fn notices(&self) -> Vec<(Time, NodeId, NodeId, bool)>;
}

/// Unbiased integer in `0..bound` from a 64-bit generator (Lemire's multiply-and-reject). A
/// bound of 0 breaks the [`Choices`] contract; it answers 0 rather than divide by zero.
///
/// The rejection threshold (`2^64 mod bound`, a 64-bit division) is below `bound`, so a draw
/// whose low half is at least `bound` is accepted without it: the division is made only for
/// the rare draw that might be rejected. The numbers drawn and answered are the same.
#[inline]
fn below(mut next_u64: impl FnMut() -> u64, bound: u64) -> u64 {
    if bound <= 1 {
        return 0;
    }
    let mut product = (next_u64() as u128) * (bound as u128);
    if (product as u64) < bound {
        let threshold = bound.wrapping_neg() % bound;
        while (product as u64) < threshold {
            product = (next_u64() as u128) * (bound as u128);
        }
    }
    (product >> 64) as u64
}

/// The default source: independent ChaCha8 streams derived from the run seed, one per purpose
/// (the numbers of rand_chacha's `ChaCha8Rng::seed_from_u64(seed)` with the purpose's stream
/// number set). A stream generates a block only when a draw needs one (many runs never draw
/// from most streams, and most streams that are drawn from are drawn from a few times).
pub struct Seeded {
    key: RunKey,
    fixed: [ChaChaStream; FIXED_STREAMS],
    processes: Vec<ChaChaStream>,
}

/// The purposes other than processes' own (see [`Stream::number`]).
const FIXED_STREAMS: usize = 5;

impl Seeded {
    /// The streams of run `seed`.
    pub fn new(seed: u64) -> Self {
        Seeded {
            key: RunKey::seed_from_u64(seed),
            // A fixed purpose's stream sits at its number (see `next_u64`).
            fixed: std::array::from_fn(|number| ChaChaStream::new(number as u64)),
            processes: Vec::new(),
        }
    }

    /// The streams of run `seed`, in place: each back at its start under the new seed's key,
    /// keeping the memory of the process streams' column.
    pub fn reseed(&mut self, seed: u64) {
        self.key = RunKey::seed_from_u64(seed);
        self.fixed.iter_mut().for_each(ChaChaStream::rewind);
        self.processes.iter_mut().for_each(ChaChaStream::rewind);
    }

    /// The next 64 bits of `stream`.
    #[inline]
    fn next_u64(&mut self, stream: Stream) -> u64 {
        let rng = match stream {
            Stream::Process(i) => {
                if self.processes.len() <= i {
                    self.add_process_streams(i);
                }
                &mut self.processes[i]
            }
            other => &mut self.fixed[other.number() as usize],
        };
        rng.next_u64(&self.key)
    }

    /// Process streams up to `i`'s (out of line: once per worker and node).
    #[cold]
    #[inline(never)]
    fn add_process_streams(&mut self, i: NodeId) {
        let from = self.processes.len();
        self.processes
            .extend((from..=i).map(|p| ChaChaStream::new(Stream::Process(p).number())));
    }
}

impl Choices for Seeded {
    #[inline]
    fn choose(&mut self, stream: Stream, _: Draw, bound: u64) -> u64 {
        below(|| self.next_u64(stream), bound)
    }
}

/// Parts per million: probabilities are integers so that every machine agrees on them.
pub const PPM: u32 = 1_000_000;

/// Whether the chance event `draw` happens: true with probability `ppm` / 1,000,000, where
/// `ppm` is the draw's own ([`Draw::chance_ppm`]; a draw that is no chance never happens).
/// Draws nothing when the answer is certain, so that a model with no loss consumes no entropy
/// for loss.
#[inline]
pub fn chance<C: Choices + ?Sized>(choices: &mut C, stream: Stream, draw: Draw) -> bool {
    let ppm = draw.chance_ppm().unwrap_or(0);
    if ppm == 0 {
        return false;
    }
    if ppm >= PPM {
        return true;
    }
    choices.choose(stream, draw, PPM as u64) < ppm as u64
}

/// A uniform fraction in (0, 1] with 53 bits of precision.
#[inline]
pub fn unit_fraction<C: Choices + ?Sized>(choices: &mut C, stream: Stream, draw: Draw) -> f64 {
    const SCALE: u64 = 1 << 53;
    (choices.choose(stream, draw, SCALE) + 1) as f64 / SCALE as f64
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
            a.choose(Stream::Network, Draw::Pick, 1000);
        }
        let pa: Vec<u64> = (0..10)
            .map(|_| a.choose(Stream::Process(0), Draw::Pick, 1 << 40))
            .collect();
        let pb: Vec<u64> = (0..10)
            .map(|_| b.choose(Stream::Process(0), Draw::Pick, 1 << 40))
            .collect();
        assert_eq!(pa, pb);
        let other: Vec<u64> = (0..10)
            .map(|_| b.choose(Stream::Process(1), Draw::Pick, 1 << 40))
            .collect();
        assert_ne!(pa, other);
    }

    #[test]
    fn each_stream_is_the_seeds_chacha_stream_whichever_was_drawn_first() {
        use rand_chacha::rand_core::RngCore;
        let expected = |seed: u64, stream: Stream| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(stream.number());
            (0..3).map(|_| rng.next_u64()).collect::<Vec<u64>>()
        };
        let streams = [Stream::Process(3), Stream::Network, Stream::FaultPlan];
        let mut s = Seeded::new(5);
        for seed in [5, 6] {
            if seed == 6 {
                s.reseed(6);
            }
            for stream in streams {
                let drawn: Vec<u64> = (0..3).map(|_| s.next_u64(stream)).collect();
                assert_eq!(drawn, expected(seed, stream), "{stream:?} of seed {seed}");
            }
        }
    }

    const PINNED: [u64; 4] = [716, 166, 482, 846];

    #[test]
    fn known_values_are_pinned() {
        // Pins the derivation so an upgrade of rand_chacha that changed it would be noticed:
        // every recorded failing seed would otherwise silently mean a different run.
        let mut s = Seeded::new(42);
        let drawn: Vec<u64> = (0..4)
            .map(|_| s.choose(Stream::Network, Draw::Pick, 1000))
            .collect();
        assert_eq!(drawn, PINNED.to_vec(), "seed derivation changed: {drawn:?}");
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut s = Seeded::new(1);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = s.choose(Stream::Adversary, Draw::Pick, 7);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&x| x));
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
    fn the_simplest_outcome_is_no_event_and_the_shortest_delay() {
        let msg = MsgKey {
            from: 0,
            to: 1,
            seq: 0,
        };
        let loss = Draw::Loss { msg, ppm: 1000 };
        assert!(!loss.happens(loss.simplest(PPM as u64)));
        assert!(loss.happens(999));
        assert_eq!(Draw::Delay { msg, copy: false }.simplest(10), 0);
        assert_eq!(Draw::DelayTail { msg, copy: false }.simplest(10), 9);
        assert_eq!(Draw::Pick.simplest(10), 0);
    }

    #[test]
    fn a_draw_reads_back_from_json() {
        let msg = MsgKey {
            from: 2,
            to: 1,
            seq: 7,
        };
        for draw in [
            Draw::Loss { msg, ppm: 5 },
            Draw::DelayTail { msg, copy: true },
            Draw::Chance { ppm: 3 },
            Draw::Tear { node: 4 },
            Draw::Pick,
        ] {
            let text = serde_json::to_string(&draw).unwrap();
            assert_eq!(serde_json::from_str::<Draw>(&text).unwrap(), draw, "{text}");
        }
    }
}
